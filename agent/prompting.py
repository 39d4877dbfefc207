"""Prompts live in files (``agent/prompts/*.txt``) and are rendered with ``string.Template``.

A missing variable is a bug of ours, so rendering raises instead of leaving ``$name`` behind.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from string import Template


@cache
def template(name: str) -> Template:
    return Template(files("agent").joinpath("prompts", f"{name}.txt").read_text("utf-8"))


def render(name: str, **values: str) -> str:
    try:
        return template(name).substitute(values).strip()
    except KeyError as missing:
        raise RuntimeError(f"prompt {name!r} needs a value for {missing}") from None
