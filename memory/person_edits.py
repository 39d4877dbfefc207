"""A person's hand on the insights: add, edit, pin, forget and restore, each logged as the
person's operation. Nothing is deleted: forgetting hides an insight from recall (and keeps
it hidden when evidence for it comes again) and ``restore`` brings it back. A change that
cannot be made raises ``EditRefused``, saying why."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from memory.errors import EditRefused
from memory.insights import InsightStore, Op, Operation
from memory.knowledge import InsightUpdate, Origin, Relation, Status, normalise

EDITABLE = frozenset({"subject", "relation", "goal", "support", "refute"})


class PersonEdits:
    def __init__(self, insights: InsightStore) -> None:
        self.insights = insights

    def add(self, update: InsightUpdate) -> list[Operation]:
        """A person's claim enters as evidence does (it may support an existing insight);
        a claim they forgot is brought back with ``restore``, not added again."""
        insights = self.insights
        if insights.find(update.subject, update.goal, update.where) is None:
            forgotten = insights.find_forgotten(update.subject, update.goal, update.where)
            if forgotten is not None:
                raise EditRefused(
                    f"insight {forgotten.id} holds this claim and was forgotten: bring it "
                    f"back with `cairn memory restore {forgotten.id}`"
                )
        ops = self.insights.apply(replace(update, origin=Origin.PERSON), actor=Origin.PERSON)
        for op in ops:
            if op.insight_id is not None:
                self.insights.update(op.insight_id, {"edited_by": Origin.PERSON})
        return ops

    def edit(self, insight_id: int, **changes: Any) -> Operation:
        """Change subject, relation, goal, support or refute of an insight by hand."""
        current = self.insights.require(insight_id)
        unknown = set(changes) - EDITABLE
        if unknown:
            raise EditRefused(
                f"cannot edit {', '.join(sorted(unknown))}: edit {', '.join(sorted(EDITABLE))}"
            )
        before = {k: getattr(current, k) for k in changes}
        row: dict[str, Any] = {
            k: (v.value if isinstance(v, Relation) else v) for k, v in changes.items()
        }
        if "subject" in changes:
            row["subject_key"] = normalise(changes["subject"])
        if "goal" in changes:
            row["goal_key"] = normalise(changes["goal"])
        with self.insights.db.atomic():
            self.insights.update(insight_id, {**row, "edited_by": Origin.PERSON})
            return self._log(Op.EDIT, insight_id, {"before": before, "after": changes})

    def set_pinned(self, insight_id: int, pinned: bool) -> Operation:
        """A pinned insight is never superseded by evidence, and always recalled first."""
        self.insights.require(insight_id)
        with self.insights.db.atomic():
            self.insights.update(insight_id, {"pinned": int(pinned), "edited_by": Origin.PERSON})
            return self._log(Op.PIN if pinned else Op.UNPIN, insight_id, {})

    def forget(self, insight_id: int) -> Operation:
        """Hide an insight from recall; nothing is destroyed (``restore`` brings it back).
        Evidence for the same claim keeps being recorded against it, unused, meanwhile."""
        current = self.insights.require(insight_id)
        if current.status is Status.FORGOTTEN:
            raise EditRefused(f"insight {insight_id} is already forgotten")
        with self.insights.db.atomic():
            self.insights.update(insight_id, {"status": Status.FORGOTTEN.value})
            return self._log(Op.FORGET, insight_id, {"was": current.status.value})

    def restore(self, insight_id: int) -> Operation:
        """Back to the status it had when forgotten, unless an active insight now holds the
        same claim (two would then compete in recall)."""
        current = self.insights.require(insight_id)
        if current.status is not Status.FORGOTTEN:
            raise EditRefused(f"insight {insight_id} is {current.status.value}, not forgotten")
        forgotten = [o for o in self.insights.operations(insight_id) if o["op"] == Op.FORGET]
        was = Status(forgotten[-1]["details"].get("was", "active")) if forgotten else Status.ACTIVE
        clash = self.insights.find(current.subject, current.goal, current.where)
        if was is Status.ACTIVE and clash is not None:
            raise EditRefused(
                f"insight {clash.id} holds the same claim now: forget or edit it before "
                f"restoring {insight_id}"
            )
        with self.insights.db.atomic():
            self.insights.update(insight_id, {"status": was.value})
            return self._log(Op.RESTORE, insight_id, {"to": was.value})

    def _log(self, op: Op, insight_id: int, details: dict[str, Any]) -> Operation:
        return self.insights.log(op, insight_id, Origin.PERSON, details)
