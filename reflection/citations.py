"""Insights the model cited while acting gain support or refutation from how it went.

CLIN asks the model which learnings it used and then ignores the answer; we use it. A cited
positive insight is supported when the step that cited it was on the path to a score gain,
and refuted when that step changed nothing (``fruitless``: the game answered it as it did
the step before). That no gain followed is no evidence: the trial may have been cut off
just before one.
"""

from __future__ import annotations

from collections.abc import Callable

from memory.knowledge import Exemplar, Insight, InsightUpdate, Origin, Relation
from reflection.evidence import fruitless
from reflection.trajectory import Trajectory

WEIGHT = 0.5


def citation_updates(
    trajectory: Trajectory, exemplar: Exemplar, lookup: Callable[[int], Insight | None]
) -> list[InsightUpdate]:
    updates: list[InsightUpdate] = []
    judged: set[int] = set()
    idle = fruitless(trajectory.steps, trajectory.initial_observation)
    for step, credited, changed_nothing in zip(trajectory.steps, exemplar.steps, idle, strict=True):
        for insight_id in step.cited:
            insight = lookup(insight_id)
            if insight is None or not insight.relation.positive or insight_id in judged:
                continue
            if credited.useful:
                relation, reason = insight.relation, f"cited at step {step.index}, which paid off"
            elif changed_nothing:
                relation = Relation.DOES_NOT_CONTRIBUTE
                reason = f"cited at step {step.index}, which changed nothing"
            else:
                continue
            judged.add(insight_id)
            updates.append(
                InsightUpdate(
                    subject=insight.subject,
                    relation=relation,
                    goal=insight.goal,
                    where=insight.where,
                    weight=WEIGHT,
                    origin=Origin.CITATION,
                    trial_id=trajectory.trial_id,
                    steps=(step.index,),
                    reason=reason,
                )
            )
    return updates
