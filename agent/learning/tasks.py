"""What a home knows of a task that carries to its new variations, in one value: the
task's template and roles, its procedure, the insights its variations agree on in role
form, and where the things it names were found. ``cairn memory procedure``, the playbook
and bundles read it; nothing in it is stored but a person's procedure."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from agent.acting.text import words
from agent.learning.carried import Agreement, TaskRoles, agreements
from agent.learning.procedures import Procedure, task_procedure
from knowledge_graph.map import GameMap, where_seen
from memory.knowledge import Scope, Where
from memory.store import Store
from reflection.trajectory import goal_for

PLACES = 12  # the things named by the task whose places are listed
MAPS = 50  # the variations whose maps are read


@dataclass(frozen=True)
class TaskKnowledge:
    env: str
    task: str
    roles: TaskRoles
    procedure: Procedure
    agreed: tuple[Agreement, ...]
    places: tuple[tuple[str, Counter[str], int], ...]  # thing, its places, games it was seen in

    @property
    def goal(self) -> str:
        return goal_for(Where(Scope.TASK, self.env, self.task))

    def bound(self, description: str) -> Procedure:
        return self.procedure.bound(self.roles, description)

    def template_text(self) -> str:
        """The template as a person reads it: a description as written, roles numbered."""
        first = next(iter(sorted(self.roles.descriptions.items(), key=str)), (None, ""))[1]
        return self.roles.template.render(first) if self.roles.template else ""

    def role_values(self) -> dict[str, dict[str, str]]:
        """What each role was in each variation this home knows."""
        template = self.roles.template
        return {
            str(variation): template.values(description)
            for variation, description in sorted(self.roles.descriptions.items(), key=str)
        }

    def place_lines(self) -> list[str]:
        return [
            f"{thing}: "
            + ", ".join(f"{place} ({n} of {games} variations)" for place, n in at.most_common(3))
            for thing, at, games in self.places
        ]

    def facts(self) -> dict[str, Any]:
        return {
            "env": self.env,
            "task": self.task,
            "template": self.template_text(),
            "roles": self.role_values(),
            "procedure": self.procedure.facts(),
            "agreed": [
                {
                    "subject": a.form,
                    "relation": a.relation.value,
                    "variations": a.variations,
                    "support": a.support,
                    "refute": a.refute,
                }
                for a in self.agreed
            ],
            "places": {thing: dict(at) for thing, at, _ in self.places},
        }

    def markdown(self) -> str:
        """The task's section of a playbook."""
        lines = [f"### {self.env} {self.task}", ""]
        if self.roles.template:
            lines += [f"Description, its roles numbered: {self.template_text()}", ""]
            for variation, values in self.role_values().items():
                named = ", ".join(f"{role} = {value}" for role, value in sorted(values.items()))
                lines.append(f"- variation {variation}: {named}")
            lines.append("")
        if self.procedure:
            source = (
                "written by a person"
                if self.procedure.by_person
                else f"merged from {self.procedure.won} won variations"
            )
            lines += [f"Procedure ({source}):", "", *self.procedure.lines(), ""]
        if self.agreed:
            lines += ["What its variations agree on:", ""]
            lines += [
                f"- {a.text(self.goal)} ({a.variations} variations, "
                f"{a.support:g} for / {a.refute:g} against)"
                for a in self.agreed
            ]
            lines.append("")
        if self.places:
            lines += ["Where the things it names were found:", ""]
            lines += [f"- {line}" for line in self.place_lines()]
            lines.append("")
        return "\n".join(lines) + "\n"

    def __bool__(self) -> bool:
        return bool(self.roles.template or self.procedure or self.agreed or self.places)


def task_knowledge(store: Store, env_name: str, task: str) -> TaskKnowledge:
    roles = TaskRoles.of(store, env_name, task)
    variations = store.archives.variations(env_name, task)
    maps = [GameMap.of(store.archives.load(env_name, task, v)) for v in variations[:MAPS]]
    named = " ".join(words(" ".join(roles.descriptions.values())))
    seen = where_seen(maps)
    rooms = {place for game_map in maps for place in game_map.places}
    places = tuple(
        (thing, at, len(maps))
        for thing, at in sorted(seen.items(), key=lambda item: -sum(item[1].values()))
        if f" {' '.join(words(thing))} " in f" {named} " and thing not in rooms
    )[:PLACES]
    others = store.insights.active(Scope.VARIATION, env_name, task)
    return TaskKnowledge(
        env_name,
        task,
        roles,
        task_procedure(store, env_name, task, roles),
        tuple(agreements(roles, others)),
        places,
    )


def home_tasks(
    store: Store, env_name: str | None = None, task: str | None = None
) -> list[TaskKnowledge]:
    """The knowledge of every task this home played (of one environment or task)."""
    found = []
    for env, name in store.archives.tasks():
        if env_name not in (None, env) or task not in (None, name):
            continue
        if knowledge := task_knowledge(store, env, name):
            found.append(knowledge)
    return found
