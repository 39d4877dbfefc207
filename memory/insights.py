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
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from memory.knowledge import Insight, InsightUpdate, Relation, Scope, Status, Where, normalise


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Operation:
    op: str  # add | support | refute | edit | supersede | promote | drop | forget | restore
    insight_id: int | None
    details: dict[str, Any]


class InsightStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.table = db.table("insights")

    # --- writing -------------------------------------------------------------------------

    def apply(self, update: InsightUpdate, actor: str | None = None) -> list[Operation]:
        """Fold one update into the insights (see the module docstring); one transaction."""
        actor = actor or update.origin
        with self.db.atomic():
            current = self.find(update.subject, update.goal, update.where)
            if current is None:
                created = self._insert(update, support=update.weight, refute=0.0)
                return [self._log("add", created, actor, update)]
            if current.relation.positive == update.relation.positive:
                return self._support(current, update, actor)
            return self._refute(current, update, actor)

    def apply_all(
        self, updates: Iterable[InsightUpdate], actor: str | None = None
    ) -> list[Operation]:
        return [op for update in updates for op in self.apply(update, actor)]

    def log(
        self, op: str, insight_id: int | None, actor: str, details: dict[str, Any]
    ) -> Operation:
        """Record an operation that is not an update (a drop, a promotion, a person's edit)."""
        self.db.table("insight_ops").insert(
            {
                "insight_id": insight_id,
                "op": op,
                "actor": actor,
                "trial_id": details.get("trial_id"),
                "details": json.dumps(details, default=str),
                "at": _now(),
            }
        )
        return Operation(op, insight_id, details)

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
            if current is not None and current.relation.positive == relation.positive:
                assert current.id is not None
                if (current.support, current.refute) == (support, refute):
                    return []
                changes: dict[str, Any] = {"support": support, "refute": refute}
                if relation.strength > current.relation.strength:
                    changes["relation"] = relation.value
                self._update(current.id, changes)
                return [self.log("promote", current.id, "promotion", details)]
            if current is not None and current.pinned:
                return []
            update = InsightUpdate(subject, relation, goal, where, support, "promotion")
            created = self._insert(update, support=support, refute=refute)
            if current is not None:
                assert current.id is not None
                self._update(
                    current.id,
                    {"status": Status.SUPERSEDED.value, "superseded_by": created.id},
                )
                details["supersedes"] = current.id
            return [self.log("promote", created.id, "promotion", details)]

    # --- a person's hand ------------------------------------------------------------------

    def add_by_person(self, update: InsightUpdate) -> list[Operation]:
        ops = self.apply(replace(update, origin="person"), actor="person")
        for op in ops:
            if op.insight_id is not None:
                self._update(op.insight_id, {"edited_by": "person"})
        return ops

    def edit(self, insight_id: int, **changes: Any) -> Operation:
        """Change subject, relation, goal, support or refute of an insight by hand."""
        current = self._require(insight_id)
        allowed = {"subject", "relation", "goal", "support", "refute"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"cannot edit {sorted(unknown)}: edit {sorted(allowed)}")
        before = {k: getattr(current, k) for k in changes}
        row: dict[str, Any] = {
            k: (v.value if isinstance(v, Relation) else v) for k, v in changes.items()
        }
        if "subject" in changes:
            row["subject_key"] = normalise(changes["subject"])
        if "goal" in changes:
            row["goal_key"] = normalise(changes["goal"])
        with self.db.atomic():
            self._update(insight_id, {**row, "edited_by": "person"})
            return self.log("edit", insight_id, "person", {"before": before, "after": changes})

    def set_pinned(self, insight_id: int, pinned: bool) -> Operation:
        self._require(insight_id)
        with self.db.atomic():
            self._update(insight_id, {"pinned": int(pinned), "edited_by": "person"})
            return self.log("pin" if pinned else "unpin", insight_id, "person", {})

    def forget(self, insight_id: int) -> Operation:
        """Hide an insight from recall; nothing is destroyed (``restore`` brings it back)."""
        current = self._require(insight_id)
        if current.status is Status.FORGOTTEN:
            raise ValueError(f"insight {insight_id} is already forgotten")
        with self.db.atomic():
            self._update(insight_id, {"status": Status.FORGOTTEN.value})
            return self.log("forget", insight_id, "person", {"was": current.status.value})

    def restore(self, insight_id: int) -> Operation:
        current = self._require(insight_id)
        if current.status is not Status.FORGOTTEN:
            raise ValueError(f"insight {insight_id} is {current.status.value}, not forgotten")
        forgotten = [o for o in self.operations(insight_id) if o["op"] == "forget"]
        was = Status(forgotten[-1]["details"].get("was", "active")) if forgotten else Status.ACTIVE
        clash = self.find(current.subject, current.goal, current.where)
        if was is Status.ACTIVE and clash is not None:
            raise ValueError(
                f"insight {clash.id} holds the same claim now: forget or edit it before "
                f"restoring {insight_id}"
            )
        with self.db.atomic():
            self._update(insight_id, {"status": was.value})
            return self.log("restore", insight_id, "person", {"to": was.value})

    def _require(self, insight_id: int) -> Insight:
        found = self.get(insight_id)
        if found is None:
            raise KeyError(insight_id)
        return found

    # --- evidence --------------------------------------------------------------------------

    def _support(self, current: Insight, update: InsightUpdate, actor: str) -> list[Operation]:
        assert current.id is not None
        changes: dict[str, Any] = {"support": current.support + update.weight}
        if update.order is not None:
            changes["ord"] = _blend(current.order, update.order, current.support, update.weight)
        ops = []
        if update.relation.strength > current.relation.strength:
            changes["relation"] = update.relation.value
            ops.append(self._log("edit", current, actor, update, before=current.relation.value))
        self._update(current.id, changes)
        self._evidence(current.id, update, "support")
        return [self._log("support", current, actor, update), *ops]

    def _refute(self, current: Insight, update: InsightUpdate, actor: str) -> list[Operation]:
        assert current.id is not None
        refuted = replace(current, refute=current.refute + update.weight)
        self._update(current.id, {"refute": refuted.refute})
        self._evidence(current.id, update, "refute")
        ops = [self._log("refute", refuted, actor, update)]
        if refuted.confidence >= 0.5 or current.pinned:
            return ops
        # The contrary claim inherits the evidence: what refuted the old one supports it.
        successor = self._insert(update, support=refuted.refute, refute=refuted.support)
        assert successor.id is not None
        self._update(current.id, {"status": Status.SUPERSEDED.value, "superseded_by": successor.id})
        ops.append(self._log("supersede", refuted, actor, update, successor=successor.id))
        return ops

    def merge_imported(self, update: InsightUpdate, refute: float) -> int:
        """Take in an insight from a bundle: the same claim adds its evidence, a contrary
        claim refutes (and may supersede) the local one, a new claim is added. Evidence rows
        come separately (``add_evidence_row``), so nothing is counted twice."""
        details = {"from": update.origin, "support": update.weight, "refute": refute}
        current = self.find(update.subject, update.goal, update.where)
        if current is None:
            created = self._insert(update, support=update.weight, refute=refute, evidence=False)
            assert created.id is not None
            self.log("import", created.id, update.origin, {**details, "text": created.text})
            return created.id
        assert current.id is not None
        if current.relation.positive == update.relation.positive:
            self._update(
                current.id,
                {"support": current.support + update.weight, "refute": current.refute + refute},
            )
            self.log("import", current.id, update.origin, {**details, "text": current.text})
            return current.id
        contrary = replace(
            current, support=current.support + refute, refute=current.refute + update.weight
        )
        self._update(current.id, {"support": contrary.support, "refute": contrary.refute})
        self.log("import", current.id, update.origin, {**details, "contrary": True})
        if contrary.confidence >= 0.5 or current.pinned:
            return current.id
        successor = self._insert(
            update, support=contrary.refute, refute=contrary.support, evidence=False
        )
        self._update(current.id, {"status": Status.SUPERSEDED.value, "superseded_by": successor.id})
        self.log("supersede", current.id, update.origin, {"successor": successor.id})
        assert successor.id is not None
        return successor.id

    def add_evidence_row(
        self, insight_id: int, kind: str, weight: float, steps: list[int], origin: str, reason: str
    ) -> None:
        self.db.table("insight_evidence").insert(
            {
                "insight_id": insight_id,
                "trial_id": None,
                "steps": json.dumps(steps),
                "weight": weight,
                "kind": kind,
                "origin": origin,
                "reason": reason,
                "at": _now(),
            }
        )

    def _insert(
        self, update: InsightUpdate, *, support: float, refute: float, evidence: bool = True
    ) -> Insight:
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
            "created_at": _now(),
            "updated_at": _now(),
        }
        inserted = self.table.insert(row)
        insight_id = int(inserted.last_pk)  # type: ignore[arg-type]
        if evidence:
            self._evidence(insight_id, update, "support")
        return _insight({**row, "id": insight_id})

    def _update(self, insight_id: int, changes: dict[str, Any]) -> None:
        self.table.update(insight_id, {**changes, "updated_at": _now()})

    def _evidence(self, insight_id: int, update: InsightUpdate, kind: str) -> None:
        self.db.table("insight_evidence").insert(
            {
                "insight_id": insight_id,
                "trial_id": update.trial_id,
                "steps": json.dumps(list(update.steps)),
                "weight": update.weight,
                "kind": kind,
                "origin": update.origin,
                "reason": update.reason,
                "at": _now(),
            }
        )

    def _log(
        self, op: str, insight: Insight, actor: str, update: InsightUpdate, **extra: Any
    ) -> Operation:
        details = {
            "text": insight.text,
            "weight": update.weight,
            "trial_id": update.trial_id,
            "reason": update.reason,
            **extra,
        }
        return self.log(op, insight.id, actor, details)

    # --- reading -------------------------------------------------------------------------

    def find(self, subject: str, goal: str, where: Where) -> Insight | None:
        rows = self.table.rows_where(
            "where_key = ? and subject_key = ? and goal_key = ? and status = ?",
            [str(where), normalise(subject), normalise(goal), Status.ACTIVE.value],
            limit=1,
        )
        for row in rows:
            return _insight(row)
        return None

    def get(self, insight_id: int) -> Insight | None:
        for row in self.table.rows_where("id = ?", [insight_id]):
            return _insight(row)
        return None

    def for_task(self, env: str, task: str, variation: int | None) -> list[Insight]:
        """Active insights that hold for this variation: its own, its task's, its
        environment's and global ones, narrowest scope first."""
        rows = self.db.query(
            """select * from insights where status = 'active' and (
                 (scope = 'variation' and env = ? and task = ? and variation is ?)
              or (scope = 'task' and env = ? and task = ?)
              or (scope = 'environment' and env = ?)
              or scope = 'global')""",
            [env, task, variation, env, task, env],
        )
        order = {s: i for i, s in enumerate(Scope)}
        return sorted((_insight(r) for r in rows), key=lambda i: order[i.where.scope])

    def ids(self) -> set[int]:
        return {row["id"] for row in self.table.rows_where(select="id")}

    def last_operation_id(self) -> int:
        """Grows with every change: what a derived index compares to know it is current."""
        row = self.db.execute("SELECT max(id) FROM insight_ops").fetchone()
        return int(row[0] or 0)

    def all(self) -> Iterator[Insight]:
        for row in self.table.rows_where(order_by="id"):
            yield _insight(row)

    def active(
        self, scope: Scope | None = None, env: str | None = None, task: str | None = None
    ) -> Iterator[Insight]:
        where, args = "status = 'active'", []
        for column, value in (
            ("scope", scope.value if scope else None),
            ("env", env),
            ("task", task),
        ):
            if value is not None:
                where += f" and {column} = ?"
                args.append(value)
        for row in self.table.rows_where(where, args, order_by="id"):
            yield _insight(row)

    def select(
        self,
        *,
        status: Status | None = Status.ACTIVE,
        scope: Scope | None = None,
        env: str | None = None,
        task: str | None = None,
        relation: Relation | None = None,
        min_confidence: float = 0.0,
        sort: str = "confidence",
        limit: int | None = None,
    ) -> list[Insight]:
        """Insights matching every filter given, sorted by ``confidence``, ``support``,
        ``recent`` (last changed first) or ``id``."""
        clauses, args = [], []
        for column, value in (
            ("status", status.value if status else None),
            ("scope", scope.value if scope else None),
            ("env", env),
            ("task", task),
            ("relation", relation.value if relation else None),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        order = {
            "confidence": "(support + 1.0) / (support + refute + 2.0) desc, support desc, id",
            "support": "support desc, id",
            "recent": "updated_at desc, id desc",
            "id": "id",
        }[sort]
        rows = self.table.rows_where(" and ".join(clauses) or None, args, order_by=order)
        found = [i for i in map(_insight, rows) if i.confidence >= min_confidence]
        return found[:limit] if limit else found

    def search_text(self, text: str, limit: int = 20) -> list[Insight]:
        """Full-text search over subjects and goals (any text is safe: it is quoted)."""
        if not text.strip():
            return []
        return [_insight(row) for row in self.table.search(text, quote=True, limit=limit)]

    def count(self, status: Status = Status.ACTIVE) -> int:
        return int(self.table.count_where("status = ?", [status.value]))

    def operations_between_runs(self, after_run: int, up_to_run: int) -> list[dict[str, Any]]:
        """Operations caused by the trials of runs ``after_run < run <= up_to_run``."""
        rows = self.db.query(
            """select o.*, t.run_id from insight_ops o join trials t on o.trial_id = t.id
               where t.run_id > ? and t.run_id <= ? order by o.id""",
            [after_run, up_to_run],
        )
        return [{**row, "details": json.loads(row["details"] or "{}")} for row in rows]

    def operations(self, insight_id: int | None = None) -> list[dict[str, Any]]:
        table = self.db.table("insight_ops")
        if insight_id is None:
            rows = table.rows_where(order_by="id")
        else:
            rows = table.rows_where("insight_id = ?", [insight_id], order_by="id")
        return [{**row, "details": json.loads(row["details"] or "{}")} for row in rows]

    def evidence(self, insight_id: int) -> list[dict[str, Any]]:
        rows = self.db.table("insight_evidence").rows_where(
            "insight_id = ?", [insight_id], order_by="id"
        )
        return [{**row, "steps": json.loads(row["steps"] or "[]")} for row in rows]


def _blend(old: float | None, new: float, old_weight: float, new_weight: float) -> float:
    if old is None:
        return new
    return (old * old_weight + new * new_weight) / (old_weight + new_weight)


def _insight(row: dict[str, Any]) -> Insight:
    return Insight(
        subject=row["subject"],
        relation=Relation(row["relation"]),
        goal=row["goal"],
        where=Where(Scope(row["scope"]), row["env"], row["task"], row["variation"]),
        support=float(row["support"] or 0),
        refute=float(row["refute"] or 0),
        id=int(row["id"]),
        status=Status(row["status"]),
        origin=row["origin"] or "",
        pinned=bool(row["pinned"]),
        order=row["ord"],
        superseded_by=row.get("superseded_by"),
        edited_by=row.get("edited_by"),
    )
