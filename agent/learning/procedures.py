"""A task's procedure: the useful steps of its won trials, in role form, merged across its
variations into one ordered plan (Agent Workflow Memory's workflows, induced from won
trajectories rather than by a model).

Each won variation gives one way: the useful steps of its latest won trial (a won game's
later trials replay its shortest form; reflection marks the useful steps: on the
loop-erased path to the last gain), lifted into the task's roles
("focus on {1}", ``agent.learning.roles``). The ways are aligned step by step and merged:
a step most ways took is required, one only some took is optional ("1 of 3"). A new
variation binds the roles to its own description and follows the steps that apply.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, replace

from agent.learning.carried import TaskRoles
from memory.knowledge import Exemplar, normalise
from memory.store import Store

WAYS = 50  # at most this many won variations are merged (the latest won)


@dataclass(frozen=True)
class ProcedureStep:
    form: str  # in role form ("focus on {1}"), or bound to one variation
    taken: int = 1  # how many of the won variations' ways took it
    scored: bool = False  # it raised the score in one of them


@dataclass(frozen=True)
class Procedure:
    steps: tuple[ProcedureStep, ...] = ()
    won: int = 0  # the won variations merged into it
    by_person: bool = False  # written by a person (`cairn memory procedure --write`)

    def __bool__(self) -> bool:
        return bool(self.steps)

    def required(self, step: ProcedureStep) -> bool:
        """Taken by at least half of the won ways (and two of them, once there are two): a
        step of the task, not of one variation's layout or objects."""
        if self.by_person:
            return True
        return step.taken * 2 >= self.won and step.taken >= min(2, self.won)

    def to_follow(self) -> list[str]:
        """The steps another variation follows: the required ones, once two won ways agree
        on them (or a person wrote them). A single won way is one trajectory, which the
        exemplar voice follows already: followed twice, its steps on another layout's
        things ("pick up flower pot 7") outvoted this variation's own (the dev streams:
        find-plant@dev:3 91.7 → 75.0)."""
        if self.won >= 2 or self.by_person:
            return [s.form for s in self.steps if self.required(s)]
        return []

    def bound(self, roles: TaskRoles, description: str) -> Procedure:
        """Written for the variation ``description`` describes: the steps whose roles it
        names."""
        steps = []
        for step in self.steps:
            form = roles.template.bind(step.form, description) if roles.template else step.form
            if form is not None:
                steps.append(replace(step, form=form))
        return Procedure(tuple(steps), self.won, self.by_person)

    def lines(self) -> list[str]:
        """Numbered, as a person or a model reads it."""
        return [
            f"{n}. {step.form}"
            + ("" if self.required(step) else f" (optional: {step.taken} of {self.won})")
            + (" [raised the score]" if step.scored else "")
            for n, step in enumerate(self.steps, 1)
        ]

    def facts(self) -> dict[str, object]:
        return {
            "written_by_person": self.by_person,
            "won_variations": self.won,
            "steps": [
                {"step": s.form, "taken": s.taken, "required": self.required(s), "scored": s.scored}
                for s in self.steps
            ],
        }


def task_procedure(store: Store, env_name: str, task: str, roles: TaskRoles) -> Procedure:
    """The procedure a person wrote for the task, else the one its won ways add up to."""
    written = store.procedures.written(env_name, task)
    if written is not None:
        return Procedure(tuple(ProcedureStep(step, taken=0) for step in written), by_person=True)
    return procedure_of(store.exemplars.won_ways(env_name, task, WAYS), roles)


def procedure_of(exemplars: Iterable[Exemplar], roles: TaskRoles) -> Procedure:
    """The procedure the won ``exemplars`` (of one task) add up to, in role form."""
    shortest: dict[str | None, Exemplar] = {}
    for exemplar in exemplars:
        known = shortest.get(exemplar.variation)
        if exemplar.won and (known is None or len(exemplar.steps) < len(known.steps)):
            shortest[exemplar.variation] = exemplar
    merged: list[ProcedureStep] = []
    for _, exemplar in sorted(shortest.items(), key=lambda item: str(item[0])):
        merged = _merge(merged, _way(exemplar, roles))
    return Procedure(tuple(merged), len(shortest))


def _way(exemplar: Exemplar, roles: TaskRoles) -> list[ProcedureStep]:
    """One won trial's useful steps in role form."""
    description = exemplar.task_description or roles.descriptions.get(exemplar.variation, "")
    before, way = 0.0, []
    for step in exemplar.steps:
        if step.useful:
            form = roles.template.lift(step.action, description) if roles.template else step.action
            way.append(ProcedureStep(form, 1, step.score > before))
        before = step.score
    return way


def _merge(merged: list[ProcedureStep], way: list[ProcedureStep]) -> list[ProcedureStep]:
    """Two ordered plans aligned step by step: the steps both took counted once more, the
    others kept in their places."""
    if not merged:
        return way
    old, new = [normalise(s.form) for s in merged], [normalise(s.form) for s in way]
    result: list[ProcedureStep] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result += [
                replace(a, taken=a.taken + 1, scored=a.scored or b.scored)
                for a, b in zip(merged[i1:i2], way[j1:j2], strict=True)
            ]
        else:
            result += merged[i1:i2] + way[j1:j2]
    return result
