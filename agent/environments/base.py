"""The one interface every text environment adapter implements, in Gymnasium's shape.

    reset(seed=None, options=None) -> (observation, info)
    step(action)                   -> (observation, reward, terminated, truncated, info)

``info`` is an ``EnvInfo``: the task description, the valid actions, the score normalised to
0–100, whether the task is won or lost, the irreversible actions, and where the player is,
what it holds and what it sees. Adapters convert their engine's
conventions (ScienceWorld's 4-tuple ``step``, TextWorld's ``GameState``) at the boundary.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypedDict, runtime_checkable

from agent.environments.spec import EnvSpec


class EnvInfo(TypedDict):
    task: str  # the task description, in the environment's words
    valid_actions: list[str]  # every action the environment accepts now
    score: float  # normalised to 0..100
    won: bool
    lost: bool
    raw_score: float  # the engine's own score
    moves: int
    # Actions that end the episode for good if wrong (ScienceWorld's "focus on X").
    irreversible_actions: list[str]
    # Where the player is and what it holds, from the engine (not parsed from observations
    # above the adapters): the room's name in lower case, the held things' names sorted.
    location: str
    inventory: list[str]
    # What the player sees where it is, in the engine's words: the same text whenever the
    # world around it is the same (ScienceWorld's look, TextWorld's admissible commands).
    view: str


@runtime_checkable
class TextEnv(Protocol):
    """A text environment: one task (one variation or game), played by reset/step."""

    spec: EnvSpec

    @property
    def variation(self) -> str | None:
        """The identity of the variation played: its index or seed, then every option that
        makes it another game, in canonical form (``"3"``, ``"3,level=2"``); None for a game
        file, which its task (the path) identifies. Memory is keyed by it, so two games that
        differ only in an option never share what was learned."""
        ...

    def reset(
        self, seed: int | None = None, options: dict[str, object] | None = None
    ) -> tuple[str, EnvInfo]: ...

    def step(self, action: str) -> tuple[str, float, bool, bool, EnvInfo]: ...

    def oracle_actions(self) -> list[str] | None:
        """A known-good action sequence (gold path, walkthrough) if the engine has one."""
        ...

    def close(self) -> None: ...


def variation_key(index: int, options: Iterable[tuple[str, str]] = ()) -> str:
    """A variation's identity from its index and the options that differ from their
    defaults (already in canonical form): ``variation_key(3, [("level", "2")]) == "3,level=2"``."""
    return ",".join([str(index), *(f"{key}={value}" for key, value in sorted(options))])


def normalise_score(score: float, max_score: float) -> float:
    """Map an engine score to 0..100 (a negative score, i.e. a failed task, maps to 0)."""
    if max_score <= 0:
        return 0.0
    return max(0.0, min(100.0, 100.0 * score / max_score))
