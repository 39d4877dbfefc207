"""What a home knows of a task that carries to its new variations, in one value: the
task's template and roles, its procedure, the insights its variations agree on in role
form, and where the things it names were found. ``cairn memory procedure``, the playbook
and bundles read it; nothing in it is stored but a person's procedure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent.learning.carried import Agreement, TaskRoles, agreements
from agent.learning.places import Places, task_places
from agent.learning.procedures import Procedure, task_procedure
from memory.knowledge import Scope, Where
from memory.store import Store
from reflection.trajectory import goal_for


@dataclass(frozen=True)
class TaskKnowledge:
    env: str
    task: str
    roles: TaskRoles
    procedure: Procedure
    agreed: tuple[Agreement, ...]
    places: Places  # where its variations had the things it names, in role form

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
            "places": self.places.facts(),
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
            lines += ["Where the things it names were found (in most variations, 2 or more):", ""]
            lines += [f"- {line}" for line in self.places.lines()]
            lines.append("")
        return "\n".join(lines) + "\n"

    def __bool__(self) -> bool:
        return bool(self.roles.template or self.procedure or self.agreed or self.places)


def task_knowledge(store: Store, env_name: str, task: str) -> TaskKnowledge:
    roles = TaskRoles.of(store, env_name, task)
    others = store.insights.active(Scope.VARIATION, env_name, task)
    return TaskKnowledge(
        env_name,
        task,
        roles,
        task_procedure(store, env_name, task, roles),
        tuple(agreements(roles, others)),
        task_places(store, env_name, task, roles),
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
