"""Meta-memory: insights that hold across variations become task knowledge, across tasks
environment knowledge, across environments global knowledge.

An insight is promoted when the same subject carries the same polarity, with confidence above
one half, in at least ``MIN_MEMBERS`` distinct members of the next scope up (variations of a
task, tasks of an environment, environments). The promoted insight's evidence is the sum of
its members'; it is recomputed, not accumulated, so promoting twice counts nothing twice.
These wider insights are what a new variation or task starts from (GEN-ENV, GEN-TASK).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from memory.insights import InsightStore, Operation
from memory.knowledge import Insight, Relation, Scope, Where, normalise
from reflection.trajectory import goal_for

MIN_MEMBERS = 2


@dataclass(frozen=True)
class Promotion:
    subject: str
    relation: Relation
    where: Where
    support: float
    refute: float
    sources: tuple[int, ...]

    @property
    def goal(self) -> str:
        return goal_for(self.where)


def _member(insight: Insight) -> object:
    """What distinguishes members at the next scope up: a variation, a task, an environment."""
    where = insight.where
    return {
        Scope.VARIATION: where.variation,
        Scope.TASK: where.task,
        Scope.ENVIRONMENT: where.env,
    }.get(where.scope)


def promotions(insights: list[Insight]) -> list[Promotion]:
    """What ``insights`` (all of one scope) support one scope up."""
    groups: dict[tuple[Where, str, bool], list[Insight]] = defaultdict(list)
    for insight in insights:
        if insight.where.scope is Scope.GLOBAL or insight.confidence <= 0.5:
            continue
        key = (insight.where.widen(), normalise(insight.subject), insight.relation.positive)
        groups[key].append(insight)
    # Where members disagree (the subject helps in some, not in others), the side with more
    # members wins, then the one with more evidence: promoting both made each supersede the
    # other on every trial that touched the subject.
    chosen: dict[tuple[Where, str], tuple[tuple[int, float, bool], list[Insight]]] = {}
    for (where, subject, positive), members in groups.items():
        count = len({_member(m) for m in members})
        if count < MIN_MEMBERS:
            continue
        rank = (count, sum(m.support for m in members), positive)
        if (where, subject) not in chosen or rank > chosen[where, subject][0]:
            chosen[where, subject] = (rank, members)
    found = []
    for (where, _), (_, members) in chosen.items():
        relations = Counter(m.relation for m in members)
        relation = max(relations, key=lambda r: (relations[r], -r.strength))
        subjects = Counter(m.subject for m in members)
        found.append(
            Promotion(
                subject=subjects.most_common(1)[0][0],
                relation=relation,
                where=where,
                support=sum(m.support for m in members),
                refute=sum(m.refute for m in members),
                sources=tuple(sorted(m.id for m in members if m.id is not None)),
            )
        )
    return found


def promote(
    insights: InsightStore,
    env_name: str,
    task: str,
    trial_id: int | None = None,
    subjects: Collection[str] | None = None,
) -> list[Operation]:
    """Promote what the insights of ``env_name``/``task`` support, up to global scope. Each level
    is read after the one below it was written, so one trial can promote all the way up.

    ``subjects`` (normalised) limits the work to those subjects: a promotion is a function of
    the insights of one subject, so only subjects whose insights changed can change it — with
    a million insights stored, reading them all after every trial took seconds."""
    levels: tuple[tuple[Scope, dict[str, str]], ...] = (
        (Scope.VARIATION, {"env_name": env_name, "task": task}),
        (Scope.TASK, {"env_name": env_name}),
        (Scope.ENVIRONMENT, {}),
    )
    ops: list[Operation] = []
    for scope, filters in levels:
        for found in promotions(list(insights.active(scope, **filters, subjects=subjects))):
            ops += insights.promote(
                subject=found.subject,
                relation=found.relation,
                goal=found.goal,
                where=found.where,
                support=found.support,
                refute=found.refute,
                sources=found.sources,
                trial_id=trial_id,
            )
    return ops
