"""Recall before a trial: the insights, exemplars, experience and graph facts for one task.

``Recaller.recall`` gathers them once per trial into a ``Recollection``, a frozen value that
flows forward: the learner returns it from ``before_trial``, the trial loop hands it to the
episode, every ``Turn`` of the trial carries it to the memory scorers
(``agent.learning.scorers``) and to a strong model's prompt, and the learner gets it back in
``after_trial``. It is read at every step, so a step's cost does not grow with the size of
the store; what a step derives from it (the insights by subject) is computed once per trial.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from knowledge_graph.graph import KnowledgeGraph
from memory.knowledge import Exemplar, Insight, Relation, Scope, Where, normalise
from memory.memory import Memory
from reflection.trajectory import goal_for


@dataclass
class ActionRecord:
    """What happened when an action was taken in one state, over every recalled trajectory."""

    tries: int = 0
    best_credit: float = 0.0
    idle: int = 0  # times it was taken and changed nothing
    fatal: int = 0
    exemplars: set[int] = field(default_factory=set)


Experience = dict[str, dict[str, ActionRecord]]  # state key -> action -> record


@dataclass(frozen=True)
class Recollection:
    """What memory holds for one trial (empty: memory is off, or knows nothing yet)."""

    goal: str = ""
    env: str = ""
    task: str = ""
    variation: str | None = None
    insights: tuple[Insight, ...] = ()
    exemplars: tuple[Exemplar, ...] = ()
    experience: Experience = field(default_factory=dict)
    chain: tuple[str, ...] = ()  # necessary actions in order, from the graph

    def own_trials(self) -> list[Exemplar]:
        """The recalled trajectories of this very variation, oldest first."""
        own = [
            e
            for e in self.exemplars
            if (e.env, e.task, e.variation) == (self.env, self.task, self.variation)
        ]
        return sorted(own, key=lambda e: e.id or 0)

    @cached_property
    def by_subject(self) -> dict[str, list[Insight]]:
        """The insights by normalised subject (once per trial: the value is frozen)."""
        index: dict[str, list[Insight]] = defaultdict(list)
        for insight in self.insights:
            index[normalise(insight.subject)].append(insight)
        return dict(index)

    def prompt_lines(self, limit: int = 12) -> list[str]:
        """Memory as a strong model reads it: cited by id, most confident first."""
        ranked = sorted(self.insights, key=lambda i: (-i.confidence, -(i.support + i.refute)))
        lines = [
            f"[I{i.id}] {i.text} (confidence {i.confidence:.2f}, {i.where.scope.value})"
            for i in ranked[:limit]
        ]
        best = next((e for e in self.exemplars if e.score > 0), None)
        if best is not None and best.useful_actions():
            path = ", ".join(best.useful_actions()[:25])
            lines.append(f"A past attempt at {best.spec} scored {best.score:g} by: {path}")
        return lines


def experience_of(exemplars: tuple[Exemplar, ...]) -> Experience:
    experience: Experience = defaultdict(lambda: defaultdict(ActionRecord))
    for exemplar in exemplars:
        for step in exemplar.steps:
            if not step.state_key:
                continue
            record = experience[step.state_key][step.action]
            record.tries += 1
            record.best_credit = max(record.best_credit, step.credit)
            record.idle += int(not step.useful and step.credit == 0 and step.reward <= 0)
            record.fatal += int(step.fatal)
            if exemplar.id is not None:
                record.exemplars.add(exemplar.id)
    return {state: dict(actions) for state, actions in experience.items()}


class Recaller:
    def __init__(
        self, memory: Memory, graph: KnowledgeGraph | None = None, exemplars: int = 8
    ) -> None:
        self.memory = memory
        self.graph = graph
        self.max_exemplars = exemplars

    def recall(
        self, env_name: str, task: str, variation: str | None, description: str
    ) -> Recollection:
        insights = tuple(self.memory.insights_for(env_name, task, variation))
        exemplars = tuple(
            self.memory.exemplars_for(env_name, task, variation, description, self.max_exemplars)
        )
        # Experience is keyed by state, and two games can have look-alike states (rooms with
        # the same exits): only this very variation's trials say what happened "here".
        same_game = tuple(
            e for e in exemplars if (e.env, e.task, e.variation) == (env_name, task, variation)
        )
        chain: tuple[str, ...] = ()
        if self.graph is not None:
            task_goal = goal_for(Where(Scope.TASK, env_name, task))
            chain = tuple(self.graph.preconditions(task_goal))
        return Recollection(
            goal=description,
            env=env_name,
            task=task,
            variation=variation,
            insights=insights,
            exemplars=exemplars,
            experience=experience_of(same_game),
            chain=chain,
        )


def relation_weight(relation: Relation) -> float:
    """How hard an insight of this relation pushes (positive) or holds back (negative)."""
    return {
        Relation.NECESSARY: 2.0,
        Relation.MAY_BE_NECESSARY: 1.0,
        Relation.MAY_CONTRIBUTE: 0.5,
        Relation.DOES_NOT_CONTRIBUTE: -1.0,
        Relation.AVOID: -6.0,
    }[relation]


SCOPE_WEIGHT = {
    Scope.VARIATION: 1.0,
    Scope.TASK: 0.8,
    Scope.ENVIRONMENT: 0.5,
    Scope.GLOBAL: 0.4,
}
