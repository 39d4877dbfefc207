"""Opening environments from specs, with the resources they share.

``Environments`` is a context manager: the ScienceWorld JVM it starts is shared by every
ScienceWorld spec it opens and stopped when the block ends; TextWorld games are cached in
``games_dir``; TextCraft's recipes are read once per process.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from agent.environments import scienceworld, textcraft, textworld, toy
from agent.environments.base import TextEnv, variation_key
from agent.environments.spec import EnvSpec
from agent.errors import SpecError

NAMES = ("scienceworld", "textworld", "textcraft", "toy")


def validate(spec: EnvSpec) -> None:
    """Check a spec's name, task and option keys without starting anything."""
    if spec.name == "scienceworld":
        scienceworld.validate(spec)
    elif spec.name == "textworld":
        textworld.validate(spec)
    elif spec.name == "textcraft":
        textcraft.validate(spec)
    elif spec.name == "toy":
        toy.validate(spec)
    else:
        validate_names(spec.name)


def validate_names(env_name: str, task: str | None = None) -> None:
    """Check an environment's name, and the name of one of its tasks if given, as a spec's
    are checked (for what names them outside a spec: a person's insight, an MCP request)."""
    if env_name not in NAMES:
        raise SpecError(f"unknown environment {env_name!r}: use one of {', '.join(NAMES)}")
    if task is not None:
        validate(EnvSpec(env_name, task))


def parse(text: str) -> EnvSpec:
    spec = EnvSpec.parse(text)
    validate(spec)
    return spec


def variation_named(env_name: str, task: str, text: str) -> str:
    """The identity of a variation a person names (``cairn memory add --variation``): its
    number and options as in a spec (``3,level=02`` -> ``3,level=2``)."""
    spec = parse(f"{env_name}:{task}@{text}")
    if spec.variation is None or spec.variation.index is None:
        raise SpecError(f"variation {text!r}: give its number (a split position needs the engine)")
    if spec.name == "scienceworld":
        return variation_key(spec.variation.index, scienceworld.canonical_options(spec))
    if spec.name == "toy":
        return toy.variation_of(spec)
    if spec.name == "textcraft":
        return textcraft.variation_of(spec)
    found = textworld.variation_of(spec)
    assert found is not None  # a game file takes no variation: parse refused it
    return found


class Environments:
    """Opens environments; owns the resources they share; closes all of them on exit."""

    def __init__(self, games_dir: Path) -> None:
        self._scienceworld = scienceworld.ScienceWorldEngine()
        self._games = textworld.GameCache(games_dir)
        self._open: list[TextEnv] = []

    def open(self, spec: EnvSpec) -> TextEnv:
        validate(spec)
        env: TextEnv
        if spec.name == "scienceworld":
            env = scienceworld.ScienceWorld(spec, self._scienceworld)
        elif spec.name == "toy":
            env = toy.ToyWorld(spec)
        elif spec.name == "textcraft":
            env = textcraft.TextCraft(spec)
        else:
            env = textworld.TextWorld(spec, self._games)
        self._open.append(env)
        return env

    def close(self) -> None:
        for env in self._open:
            env.close()
        self._open.clear()
        self._scienceworld.close()

    def __enter__(self) -> Environments:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
