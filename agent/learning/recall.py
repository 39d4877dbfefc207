"""Recall before a trial: the insights, exemplars, graph facts and the archive of one game,
and the plan the trial sets out with.

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

from agent.acting.reading import texts_remembered
from agent.learning.carried import TaskRoles, carried_for
from agent.learning.experience import Experience
from agent.learning.kinds import Kinds
from agent.learning.other_games import OtherGames
from agent.learning.places import Places, seen_in
from agent.learning.plans import Plan, choose_plan
from agent.learning.procedures import Procedure, task_procedure
from knowledge_graph.graph import KnowledgeGraph
from knowledge_graph.map import GameMap
from memory.archive import Archive
from memory.embedding import Embedder
from memory.knowledge import Exemplar, Insight, Relation, Scope, Where, normalise
from memory.memory import Memory
from reflection.trajectory import goal_for


@dataclass(frozen=True)
class Recollection:
    """What memory holds for one trial (empty: memory is off, or knows nothing yet)."""

    goal: str = ""
    env: str = ""
    task: str = ""
    variation: str | None = None
    insights: tuple[Insight, ...] = ()
    exemplars: tuple[Exemplar, ...] = ()
    chain: tuple[str, ...] = ()  # necessary actions in order, from the graph
    archive: Archive | None = None  # what exploring found in this game (None: memory off)
    plan: Plan = field(default_factory=Plan)  # what this trial sets out to do
    kinds: Kinds = field(default_factory=Kinds)  # what paid and lost in the task's other games
    procedure: Procedure = field(default_factory=Procedure)  # the task's, bound to this game
    places: Places = field(default_factory=Places)  # where its other games had what it names

    def for_learning(self) -> Recollection:
        """What learning after the trial reads of it (the plan the trial set out with): what
        a worker hands back to the memory service, not the insights and archive it got."""
        return Recollection(self.goal, self.env, self.task, self.variation, plan=self.plan)

    @cached_property
    def experience(self) -> Experience:
        """What actions did in this game, tallied once per trial from its archive."""
        return Experience.of_archive(self.archive)

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
            f"{f'[I{i.id}] ' if i.id is not None else ''}{i.text} "
            f"(confidence {i.confidence:.2f}, {i.where.scope.value})"
            for i in ranked[:limit]
        ]
        best = next((e for e in self.exemplars if e.score > 0), None)
        if best is not None and best.useful_actions():
            path = ", ".join(best.useful_actions()[:25])
            lines.append(f"A past attempt at {best.spec} scored {best.score:g} by: {path}")
        if self.archive is not None and self.archive.cells:
            lines += [f"Map: {fact}" for fact in GameMap.of(self.archive).facts(limit=8)]
        lines += [f"In other variations of this task: {fact}" for fact in self.kinds.lines()[:6]]
        lines += [f"Where other variations had it: {fact}" for fact in self.places.lines()[:6]]
        if self.procedure and not self.plan.won:
            source = (
                "a person wrote for this task"
                if self.procedure.by_person
                else f"that won {self.procedure.won} variation(s) of this task"
            )
            lines.append(f"The procedure {source}, written for this one:")
            lines += self.procedure.lines()[:20]
        return lines + self.plan.lines()


class Recaller:
    def __init__(
        self,
        memory: Memory,
        graph: KnowledgeGraph | None = None,
        exemplars: int = 8,
        embedder: Embedder | None = None,
    ) -> None:
        self.memory = memory
        self.graph = graph
        self.max_exemplars = exemplars
        # What ranks the elimination search's candidates by meaning (the home's model).
        self.embedder = embedder or (memory.index.embedder if memory.index else None)
        self._other_games = OtherGames()

    def recall(
        self, env_name: str, task: str, variation: str | None, description: str
    ) -> Recollection:
        insights = tuple(self.memory.insights_for(env_name, task, variation))
        exemplars = tuple(
            self.memory.exemplars_for(env_name, task, variation, description, self.max_exemplars)
        )
        archive = self.memory.store.archives.load(env_name, task, variation)
        read = tuple(texts_remembered(exemplars, task, variation))  # a recipe read before
        goal = goal_for(Where(Scope.VARIATION), description)
        roles = TaskRoles.of(self.memory.store, env_name, task, description)
        kinds, places = self._other_games.read(
            self.memory.store, archive, goal, roles, self.embedder
        )
        insights += carried_for(self.memory.store, roles, env_name, task, variation, description)
        procedure = task_procedure(self.memory.store, env_name, task, roles)
        procedure = procedure.bound(roles, description)
        places = places.bound(roles.template, description, seen_in(archive))
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
            chain=chain,
            archive=archive,
            plan=choose_plan(archive, description, self.embedder, kinds, read),
            kinds=kinds,
            procedure=procedure,
            places=places,
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
