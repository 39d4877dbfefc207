"""Environment specs: ``NAME:TASK[@VARIATION][,key=value...]``.

VARIATION is a number (``boil@3``) or ``SPLIT:K``, the K-th variation of a split
(``boil@dev:0``). Examples::

    scienceworld:boil@3
    scienceworld:boil@dev:0,simplification=easy
    textworld:treasure_hunter@7,level=5
    textworld:cooking@42,recipe=2,take=1,go=6
    textworld:path/to/game.z8

This module only parses and prints specs; each adapter checks that the task, variation and
keys exist for it (``agent.environments.registry``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.errors import SpecError

SPLITS = ("train", "dev", "test")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Variation:
    """Either a variation index, or the ``position``-th variation of a ``split``."""

    index: int | None = None
    split: str | None = None
    position: int | None = None

    def __str__(self) -> str:
        if self.split is not None:
            return f"{self.split}:{self.position}"
        return str(self.index)

    @classmethod
    def parse(cls, text: str, spec: str) -> Variation:
        split, colon, position = text.partition(":")
        if colon:
            if split not in SPLITS:
                raise SpecError(
                    f"unknown split {split!r} in {spec!r}: use one of {', '.join(SPLITS)}"
                )
            return cls(split=split, position=_natural(position, spec))
        return cls(index=_natural(text, spec))


@dataclass(frozen=True)
class EnvSpec:
    """A parsed environment spec. ``options`` keeps the user's key order."""

    name: str
    task: str
    variation: Variation | None = None
    options: tuple[tuple[str, str], ...] = ()

    def option(self, key: str, default: str | None = None) -> str | None:
        return dict(self.options).get(key, default)

    def __str__(self) -> str:
        text = f"{self.name}:{self.task}"
        if self.variation is not None:
            text += f"@{self.variation}"
        for key, value in self.options:
            text += f",{key}={value}"
        return text

    @classmethod
    def parse(cls, text: str) -> EnvSpec:
        text = text.strip()
        name, colon, rest = text.partition(":")
        if not colon or not name or not rest:
            raise SpecError(
                f"bad environment spec {text!r}: write NAME:TASK[@VARIATION][,key=value...], "
                "e.g. scienceworld:boil@dev:0"
            )
        head, *pairs = rest.split(",")
        task, at, variation_text = head.rpartition("@") if "@" in head else (head, "", "")
        if not task:
            raise SpecError(f"bad environment spec {text!r}: the task name is missing")
        variation = Variation.parse(variation_text, text) if at else None
        return cls(
            name=name.lower(),
            task=task,
            variation=variation,
            options=tuple(_pair(pair, text) for pair in pairs),
        )


def _natural(text: str, spec: str) -> int:
    if not (text.isascii() and text.isdigit()):  # "²".isdigit() is True
        raise SpecError(f"bad variation {text!r} in {spec!r}: use a number or SPLIT:K")
    return int(text)


def _pair(text: str, spec: str) -> tuple[str, str]:
    key, equals, value = text.partition("=")
    key = key.strip()
    if not equals or not _KEY.match(key) or not value.strip():
        raise SpecError(f"bad option {text!r} in {spec!r}: write key=value, e.g. level=5")
    return key, value.strip()
