"""What a reflector reads: one finished trial, and how goals are named at each scope."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from memory.knowledge import Scope, Where
from memory.records import Start, Step

_TASK_IS = re.compile(r"your task is to ([^.]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Trajectory:
    env: str  # "scienceworld"
    task: str  # "boil"
    variation: str | None
    spec: str  # "scienceworld:boil@dev:0"
    task_description: str
    initial_observation: str
    steps: tuple[Step, ...]
    trial_id: int | None = None
    start: Start = field(default_factory=Start)  # where the player began (for the archive)

    @property
    def score(self) -> float:
        return self.steps[-1].score if self.steps else 0.0

    @property
    def won(self) -> bool:
        return bool(self.steps and self.steps[-1].won)

    @property
    def where(self) -> Where:
        return Where(Scope.VARIATION, self.env, self.task, self.variation)

    @property
    def goal(self) -> str:
        return goal_for(self.where, self.task_description)


def goal_for(where: Where, task_description: str = "") -> str:
    """How the goal of an insight reads at a scope: "boil water" for a variation (from its
    task description), "the boil task", "scienceworld tasks", "any task"."""
    if where.scope is Scope.VARIATION:
        found = _TASK_IS.search(task_description)
        if found:
            return found.group(1).strip().rstrip(",;:")
        return f"win {where.task}@{where.variation}"
    if where.scope is Scope.TASK:
        return f"the {where.task} task"
    if where.scope is Scope.ENVIRONMENT:
        return f"{where.env} tasks"
    return "any task"
