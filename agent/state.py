"""What the agent sees when it decides: the task, the observation, the valid actions, history."""

from __future__ import annotations

from dataclasses import dataclass

from memory.records import Step


@dataclass(frozen=True)
class Turn:
    """The situation at one decision. ``history`` holds the episode's steps so far."""

    task: str
    observation: str
    valid_actions: tuple[str, ...]
    history: tuple[Step, ...] = ()
    irreversible_actions: frozenset[str] = frozenset()
    initial_observation: str = ""

    @property
    def index(self) -> int:
        """The 1-based number of the step about to be taken."""
        return len(self.history) + 1

    @property
    def last_note(self) -> str | None:
        """Feedback about the model's previous output, shown to it this turn."""
        return self.history[-1].note if self.history else None
