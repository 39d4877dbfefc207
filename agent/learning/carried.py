"""What a task's variations taught, in role form, carried to a variation none of it was
learned on (CLIN's meta-memory, with the variation's own words put back).

Each variation's insights are written in its own objects ("move aluminum foil to red box"),
so two variations rarely share a subject and promotion (``reflection.promotion``) rarely
finds what they agree on. Lifted into the task's roles (``agent.learning.roles``: "move
{1} to {2} box") they do; what at least two variations agree on is bound to the new
variation's description ("move paper clip to green box") and recalled as task knowledge.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from agent.learning.roles import Template, has_roles
from memory.knowledge import Insight, Origin, Relation, Scope, Where, normalise
from memory.store import Store
from reflection.promotion import MIN_MEMBERS
from reflection.trajectory import goal_for

OTHER_INSIGHTS = 500  # the other variations' most confident insights read by a recall


@dataclass(frozen=True)
class TaskRoles:
    """A task's template and the description of each variation a home knows of it."""

    template: Template
    descriptions: Mapping[str | None, str]

    @classmethod
    def of(cls, store: Store, env_name: str, task: str, also: str = "") -> TaskRoles:
        """From the home's trajectories of the task (and ``also``, a new variation's
        description, so that its roles are found too)."""
        described = store.exemplars.descriptions(env_name, task)
        return cls(Template.of([*described.values(), also]), described)

    def role_form(self, insight: Insight) -> tuple[str, str] | None:
        """A variation's insight's subject and goal in role form; None where that says
        nothing its own words did not (no role, or no description known)."""
        description = self.descriptions.get(insight.where.variation)
        if insight.where.scope is not Scope.VARIATION or not self.template or not description:
            return None
        subject = self.template.lift(insight.subject, description)
        if not has_roles(subject):
            return None
        return subject, self.template.lift(insight.goal, description)


@dataclass(frozen=True)
class Agreement:
    """What several variations' insights say alike in role form."""

    form: str  # the subject in role form ("move {1} to {2} box")
    relation: Relation
    support: float
    refute: float
    variations: int  # how many variations say it

    def text(self, goal: str) -> str:
        return f"{self.form} {self.relation.value} to {goal}"


def agreements(roles: TaskRoles, insights: Iterable[Insight]) -> list[Agreement]:
    """What the variations' ``insights`` agree on in role form: the same role subject and
    polarity, confident, in ``MIN_MEMBERS`` variations or more (as promotion asks)."""
    groups: dict[tuple[str, bool], list[tuple[Insight, str]]] = defaultdict(list)
    for insight in insights:
        form = roles.role_form(insight) if insight.confidence > 0.5 else None
        if form is not None:
            groups[(normalise(form[0]), insight.relation.positive)].append((insight, form[0]))
    found = []
    for members in groups.values():
        variations = len({insight.where.variation for insight, _ in members})
        if variations < MIN_MEMBERS:
            continue
        relations = Counter(insight.relation for insight, _ in members)
        found.append(
            Agreement(
                form=Counter(form for _, form in members).most_common(1)[0][0],
                relation=max(relations, key=lambda r: (relations[r], -r.strength)),
                support=sum(insight.support for insight, _ in members),
                refute=sum(insight.refute for insight, _ in members),
                variations=variations,
            )
        )
    return sorted(found, key=lambda a: (-a.variations, -a.support, a.form))


def carried(
    roles: TaskRoles, insights: Iterable[Insight], description: str, where: Where
) -> tuple[Insight, ...]:
    """The ``agreements`` of ``insights`` bound to ``description``: task insights with no
    id (they are not stored; a model cannot cite them)."""
    found = []
    for agreed in agreements(roles, insights):
        subject = roles.template.bind(agreed.form, description)
        if subject is not None:
            found.append(
                Insight(
                    subject=subject,
                    relation=agreed.relation,
                    goal=goal_for(where),
                    where=where,
                    support=agreed.support,
                    refute=agreed.refute,
                    origin=Origin.PROMOTION,
                )
            )
    return tuple(found)


def carried_for(
    store: Store,
    roles: TaskRoles,
    env_name: str,
    task: str,
    variation: str | None,
    description: str,
) -> tuple[Insight, ...]:
    """``carried`` from the task's other variations' insights, for this variation."""
    if not roles.template:
        return ()
    others = store.insights.of_other_variations(env_name, task, variation, OTHER_INSIGHTS)
    return carried(roles, others, description, Where(Scope.TASK, env_name, task))
