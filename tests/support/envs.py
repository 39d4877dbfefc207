"""Environments that fail on purpose: real ones wrapped, as a crashed engine would fail."""

from __future__ import annotations

from agent.environments.base import EnvInfo, TextEnv
from agent.errors import EnvError


class DyingEnv:
    """A real environment whose engine dies at the second step (as a crashed JVM would)."""

    def __init__(self, inner: TextEnv) -> None:
        self.inner, self.spec, self.variation, self.steps = inner, inner.spec, inner.variation, 0

    def reset(
        self, seed: int | None = None, options: dict[str, object] | None = None
    ) -> tuple[str, EnvInfo]:
        return self.inner.reset(seed=seed)

    def step(self, action: str) -> tuple[str, float, bool, bool, EnvInfo]:
        self.steps += 1
        if self.steps == 2:
            raise EnvError("the engine died")
        return self.inner.step(action)

    def oracle_actions(self) -> list[str] | None:
        return None

    def close(self) -> None:
        self.inner.close()
