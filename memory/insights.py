"""Insights in SQLite: applying reflectors' updates, with evidence rows and an operation log.

``apply(update)`` is the only way evidence enters. For the active insight with the same
subject, goal and scope it:

- adds one if there is none (op ``add``);
- adds support if the update agrees in polarity, strengthening the relation if the update
  claims more (ops ``support``, ``edit``);
- adds refutation if it disagrees (op ``refute``) and, once the insight's confidence falls
  below one half, supersedes it with the contrary claim (op ``supersede``) — unless a person
  pinned it. Nothing is deleted: a superseded insight keeps its evidence and points to its
  successor.

A claim a person forgot stays forgotten: when no active insight holds it, evidence for the
same subject, goal and scope is recorded against the forgotten one (its counts, an evidence
row, an operation marked ``forgotten``) and nothing else happens — no new active twin, no
supersede — until a person restores it. Promotion and imports treat it the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from memory.clock import now
from memory.identity import evidence_uid, home_id
from memory.insight_reads import InsightReads, insight_from_row
from memory.knowledge import Insight, InsightUpdate, Origin, Relation, Status, Where, normalise
from memory.rows import insert_row, update_row


class Op(StrEnum):
    """What an entry of the operation log (``insight_ops.op``) did."""

    ADD = "add"  # a new insight
    SUPPORT = "support"  # evidence for it
    REFUTE = "refute"  # evidence against it
    EDIT = "edit"  # its claim strengthened by evidence, or changed by a person
    SUPERSEDE = "supersede"  # replaced by the contrary claim
    PROMOTE = "promote"  # a wider scope's insight set from its members
    DROP = "drop"  # a model line that did not parse (no insight)
    REPAIR = "repair"  # a model line that parsed once mended (no insight)
    PIN = "pin"
    UNPIN = "unpin"
    FORGET = "forget"
    RESTORE = "restore"
    IMPORT = "import"  # a bundle's evidence merged in
    MIGRATE = "migrate"  # a schema migration moved it
    SPLIT = "split"  # a migration split it by variation


@dataclass(frozen=True)
class Operation:
    op: Op
    insight_id: int | None
    details: dict[str, Any]
    # Only the claim's evidence counts changed: its text, relation and status did not, so
    # its entry in the vector index still holds (most of what one trial's learning does).
    counts_only: bool = False

    @property
    def changed_claims(self) -> set[int]:
        """The insights whose claim this op added, changed or retired (for the index)."""
        ids = set() if self.counts_only or self.insight_id is None else {self.insight_id}
        successor = self.details.get("successor")
        return ids | ({successor} if isinstance(successor, int) else set())


class InsightStore(InsightReads):
    """Insights, read (``InsightReads``) and written. A person's edits are in
    ``memory.person_edits``, a bundle's merge in ``memory.bundle_import``: both are built on
    the primitives at the end of this class, which log nothing themselves."""

    _home: str | None = None

    def apply(self, update: InsightUpdate, actor: str | None = None) -> list[Operation]:
        """Fold one update into the insights (see the module docstring); one transaction."""
        actor = actor or update.origin
        with self.db.atomic():
            current = self.find(update.subject, update.goal, update.where)
            if current is None:
                forgotten = self.find_forgotten(update.subject, update.goal, update.where)
                if forgotten is not None:
                    return self._record_while_forgotten(forgotten, update, actor)
                created = self.insert(update, support=update.weight, refute=0.0)
                return [self._log(Op.ADD, created, actor, update)]
            if current.relation.positive == update.relation.positive:
                return self._support(current, update, actor)
            return self._refute(current, update, actor)

    def log(
        self,
        op: Op,
        insight_id: int | None,
        actor: str,
        details: dict[str, Any],
        *,
        counts_only: bool = False,
    ) -> Operation:
        """Record an operation that is not an update (a drop, a promotion, a person's edit)."""
        insert_row(
            self.db,
            "insight_ops",
            {
                "insight_id": insight_id,
                "op": op,
                "actor": actor,
                "trial_id": details.get("trial_id"),
                "details": json.dumps(details, default=str),
                "at": now(),
            },
        )
        return Operation(op, insight_id, details, counts_only)

    def promote(
        self,
        subject: str,
        relation: Relation,
        goal: str,
        where: Where,
        support: float,
        refute: float,
        sources: tuple[int, ...],
        trial_id: int | None = None,
    ) -> list[Operation]:
        """Set a wider-scope insight's evidence to what its members add up to (see
        ``reflection.promotion``); a contrary promoted claim supersedes it unless pinned."""
        details = {
            "sources": list(sources),
            "support": support,
            "refute": refute,
            "trial_id": trial_id,
        }
        with self.db.atomic():
            current = self.find(subject, goal, where)
            if current is None:
                forgotten = self.find_forgotten(subject, goal, where)
                if forgotten is not None:
                    return self._promote_forgotten(forgotten, relation, support, refute, details)
            if current is not None and current.relation.positive == relation.positive:
                assert current.id is not None
                if (current.support, current.refute) == (support, refute):
                    return []
                changes: dict[str, Any] = {"support": support, "refute": refute}
                if relation.strength > current.relation.strength:
                    changes["relation"] = relation.value
                self.update(current.id, changes)
                counts_only = "relation" not in changes
                return [
                    self.log(
                        Op.PROMOTE, current.id, Origin.PROMOTION, details, counts_only=counts_only
                    )
                ]
            if current is not None and current.pinned:
                return []
            update = InsightUpdate(subject, relation, goal, where, support, Origin.PROMOTION)
            if current is None:
                created = self.insert(update, support=support, refute=refute)
            else:
                created = self.supersede(
                    current, update, support=support, refute=refute, evidence=True
                )
                details["supersedes"] = current.id
            return [self.log(Op.PROMOTE, created.id, Origin.PROMOTION, details)]

    def _promote_forgotten(
        self,
        forgotten: Insight,
        relation: Relation,
        support: float,
        refute: float,
        details: dict[str, Any],
    ) -> list[Operation]:
        """What the members add up to, kept on the forgotten claim (in its own polarity)."""
        assert forgotten.id is not None
        if relation.positive != forgotten.relation.positive:
            support, refute = refute, support
        if (forgotten.support, forgotten.refute) == (support, refute):
            return []
        self.update(forgotten.id, {"support": support, "refute": refute})
        details = {**details, "forgotten": True}
        return [self.log(Op.PROMOTE, forgotten.id, Origin.PROMOTION, details, counts_only=True)]

    # --- evidence ------------------------------------------------------------------------

    def _record_while_forgotten(
        self, forgotten: Insight, update: InsightUpdate, actor: str
    ) -> list[Operation]:
        """Evidence for a claim a person forgot: counted and logged, never acted on."""
        assert forgotten.id is not None
        agrees = forgotten.relation.positive == update.relation.positive
        kind = Op.SUPPORT if agrees else Op.REFUTE  # the op, and the evidence row's kind
        self.update(forgotten.id, {kind: getattr(forgotten, kind) + update.weight})
        self.add_evidence(forgotten.id, update, kind)
        return [self._log(kind, forgotten, actor, update, counts_only=True, forgotten=True)]

    def _support(self, current: Insight, update: InsightUpdate, actor: str) -> list[Operation]:
        assert current.id is not None
        changes: dict[str, Any] = {"support": current.support + update.weight}
        if update.order is not None:
            changes["ord"] = _blend(current.order, update.order, current.support, update.weight)
        ops = []
        if update.relation.strength > current.relation.strength:
            changes["relation"] = update.relation.value
            ops.append(self._log(Op.EDIT, current, actor, update, before=current.relation.value))
        self.update(current.id, changes)
        self.add_evidence(current.id, update, "support")
        return [self._log(Op.SUPPORT, current, actor, update, counts_only=True), *ops]

    def _refute(self, current: Insight, update: InsightUpdate, actor: str) -> list[Operation]:
        assert current.id is not None
        refuted = replace(current, refute=current.refute + update.weight)
        self.update(current.id, {"refute": refuted.refute})
        self.add_evidence(current.id, update, "refute")
        ops = [self._log(Op.REFUTE, refuted, actor, update, counts_only=True)]
        if refuted.confidence >= 0.5 or current.pinned:
            return ops
        # The contrary claim inherits the evidence: what refuted the old one supports it.
        successor = self.supersede(
            current, update, support=refuted.refute, refute=refuted.support, evidence=True
        )
        ops.append(self._log(Op.SUPERSEDE, refuted, actor, update, successor=successor.id))
        return ops

    def _log(
        self,
        op: Op,
        insight: Insight,
        actor: str,
        update: InsightUpdate,
        *,
        counts_only: bool = False,
        **extra: Any,
    ) -> Operation:
        details = {
            "text": insight.text,
            "weight": update.weight,
            "trial_id": update.trial_id,
            "reason": update.reason,
            **extra,
        }
        return self.log(op, insight.id, actor, details, counts_only=counts_only)

    # --- primitives: they change rows and log nothing; callers log -----------------------

    def insert(
        self, update: InsightUpdate, *, support: float, refute: float, evidence: bool = True
    ) -> Insight:
        """A new active insight for the update's claim (and, with ``evidence``, the update
        as its first evidence row)."""
        where = update.where
        row = {
            "subject": update.subject,
            "subject_key": normalise(update.subject),
            "relation": update.relation.value,
            "goal": update.goal,
            "goal_key": normalise(update.goal),
            "scope": where.scope.value,
            "env": where.env,
            "task": where.task,
            "variation": where.variation,
            "where_key": str(where),
            "support": support,
            "refute": refute,
            "status": Status.ACTIVE.value,
            "origin": update.origin,
            "pinned": 0,
            "ord": update.order,
            "created_at": now(),
            "updated_at": now(),
        }
        insight_id = insert_row(self.db, "insights", row)
        if evidence:
            self.add_evidence(insight_id, update, "support")
        return insight_from_row({**row, "id": insight_id})

    def supersede(
        self,
        current: Insight,
        update: InsightUpdate,
        *,
        support: float,
        refute: float,
        evidence: bool,
    ) -> Insight:
        """Replace ``current`` by the update's claim with this evidence; the old insight
        stays, superseded, pointing to its successor."""
        assert current.id is not None
        successor = self.insert(update, support=support, refute=refute, evidence=evidence)
        self.update(current.id, {"status": Status.SUPERSEDED.value, "superseded_by": successor.id})
        return successor

    def update(self, insight_id: int, changes: dict[str, Any]) -> None:
        update_row(self.db, "insights", insight_id, {**changes, "updated_at": now()})

    def add_evidence(self, insight_id: int, update: InsightUpdate, kind: str) -> None:
        self.add_evidence_row(
            insight_id,
            kind,
            update.weight,
            list(update.steps),
            update.origin,
            update.reason,
            trial_id=update.trial_id,
        )

    def add_evidence_row(
        self,
        insight_id: int,
        kind: str,
        weight: float,
        steps: list[int],
        origin: str,
        reason: str,
        trial_id: int | None = None,
        uid: str | None = None,
    ) -> None:
        """One row of evidence, named ``uid`` (the name it has in the home it was made in)
        or, if none is given, by this home and row (``memory.identity``)."""
        with self.db.atomic():
            row_id = insert_row(
                self.db,
                "insight_evidence",
                {
                    "insight_id": insight_id,
                    "trial_id": trial_id,
                    "steps": json.dumps(steps),
                    "weight": weight,
                    "kind": kind,
                    "origin": origin,
                    "reason": reason,
                    "at": now(),
                    "uid": uid,
                },
            )
            if uid is None:
                update_row(
                    self.db, "insight_evidence", row_id, {"uid": evidence_uid(self.home, row_id)}
                )

    @property
    def home(self) -> str:
        """This home's id: it names the evidence rows made here."""
        if self._home is None:
            self._home = home_id(self.db)
        return self._home


def _blend(old: float | None, new: float, old_weight: float, new_weight: float) -> float:
    if old is None:
        return new
    return (old * old_weight + new * new_weight) / (old_weight + new_weight)
