"""Opening environments from specs, with the resources they share.

``Environments`` is a context manager: the ScienceWorld JVM it starts is shared by every
ScienceWorld spec it opens and stopped when the block ends; TextWorld games are cached in
``games_dir``.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from agent.environments import scienceworld, textworld
from agent.environments.base import TextEnv
from agent.environments.spec import EnvSpec
from agent.errors import SpecError

NAMES = ("scienceworld", "textworld")


def validate(spec: EnvSpec) -> None:
    """Check a spec's name, task and option keys without starting anything."""
    if spec.name == "scienceworld":
        scienceworld.validate(spec)
    elif spec.name == "textworld":
        textworld.validate(spec)
    else:
        validate_names(spec.name)


def validate_names(env: str, task: str | None = None) -> None:
    """Check an environment's name, and the name of one of its tasks if given, as a spec's
    are checked (for what names them outside a spec: a person's insight, an MCP request)."""
    if env not in NAMES:
        raise SpecError(f"unknown environment {env!r}: use one of {', '.join(NAMES)}")
    if task is not None:
        validate(EnvSpec(env, task))


def parse(text: str) -> EnvSpec:
    spec = EnvSpec.parse(text)
    validate(spec)
    return spec


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
