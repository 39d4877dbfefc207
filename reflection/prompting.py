"""Prompts live in files (``<package>/prompts/*.txt``) and are rendered with ``string.Template``.

A missing variable is a bug of ours, so rendering raises instead of leaving ``$name`` behind.
It lives in the lowest layer that prompts a model (reflection); the agent uses it too.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from string import Template


@cache
def template(package: str, name: str) -> Template:
    return Template(files(package).joinpath("prompts", f"{name}.txt").read_text("utf-8"))


def render(package: str, name: str, **values: str) -> str:
    try:
        return template(package, name).substitute(values).strip()
    except KeyError as missing:
        raise RuntimeError(f"prompt {package}/{name} needs a value for {missing}") from None
