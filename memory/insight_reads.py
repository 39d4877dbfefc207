"""Reading insights from SQLite: recall for a trial, filtered listings, search, history.

``InsightReads`` is the read side of ``memory.insights.InsightStore``; it writes nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator
from typing import Any

from sqlite_utils import Database

from memory.knowledge import Insight, Relation, Scope, Status, Where, normalise
from memory.migrations import BY_SUBJECT

# Insight.confidence in SQL, to rank in the database.
CONFIDENCE = "(support + 1.0) / (support + refute + 2.0)"
# Recall takes at most this many insights from each scope (see InsightReads.for_task).
RECALL_PER_SCOPE = 1000


class InsightReads:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.table = db.table("insights")

    # The three reads below run hundreds of times for each trial learned: plain queries
    # (sqlite-utils' ``rows_where`` reads the table list first, each time).
    def find(self, subject: str, goal: str, where: Where) -> Insight | None:
        return self._first(
            "select * from insights where where_key = ? and subject_key = ? and goal_key = ?"
            " and status = ? limit 1",
            [str(where), normalise(subject), normalise(goal), Status.ACTIVE.value],
        )

    def find_forgotten(self, subject: str, goal: str, where: Where) -> Insight | None:
        """The insight a person forgot that holds this claim (the latest, if several)."""
        return self._first(
            "select * from insights where where_key = ? and subject_key = ? and goal_key = ?"
            " and status = ? order by id desc limit 1",
            [str(where), normalise(subject), normalise(goal), Status.FORGOTTEN.value],
        )

    def get(self, insight_id: int) -> Insight | None:
        return self._first("select * from insights where id = ?", [insight_id])

    def _first(self, sql: str, args: list[Any]) -> Insight | None:
        for row in self.db.query(sql, args):
            return insight_from_row(row)
        return None

    def require(self, insight_id: int) -> Insight:
        """The insight with this id; KeyError if there is none."""
        found = self.get(insight_id)
        if found is None:
            raise KeyError(insight_id)
        return found

    def for_task(
        self, env_name: str, task: str, variation: str | None, per_scope: int = RECALL_PER_SCOPE
    ) -> list[Insight]:
        """Active insights that hold for this variation: its own, its task's, its
        environment's and global ones, narrowest scope first. Each scope gives at most
        ``per_scope``, pinned then most confident first, so recall costs the same with a
        thousand insights stored or a million."""
        return self.narrow(env_name, task, variation, per_scope) + self.broad(env_name, per_scope)

    def narrow(
        self, env_name: str, task: str, variation: str | None, per_scope: int = RECALL_PER_SCOPE
    ) -> list[Insight]:
        """``for_task``'s variation and task scopes."""
        return self._best(
            ("variation", "env = ? and task = ? and variation is ?", [env_name, task, variation]),
            ("task", "env = ? and task = ?", [env_name, task]),
            per_scope=per_scope,
        )

    def of_other_variations(
        self, env_name: str, task: str, variation: str | None, limit: int
    ) -> list[Insight]:
        """The best ``limit`` active insights of the task's variations but ``variation``."""
        condition = "env = ? and task = ? and variation is not ?"
        return self._best(("variation", condition, [env_name, task, variation]), per_scope=limit)

    def broad(self, env_name: str, per_scope: int = RECALL_PER_SCOPE) -> list[Insight]:
        """``for_task``'s environment and global scopes (the same for every task)."""
        return self._best(
            ("environment", "env = ?", [env_name]), ("global", "1", []), per_scope=per_scope
        )

    def _best(self, *scopes: tuple[str, str, list[Any]], per_scope: int) -> list[Insight]:
        """The best ``per_scope`` active insights of each (scope, condition, arguments), in
        that order of scopes."""
        # Rank on the covering index (narrow rows), then read the chosen rows whole.
        rank = f"pinned desc, {CONFIDENCE} desc, support desc, id"
        best = f"order by {rank} limit {int(per_scope)}"
        chosen = " union all ".join(
            f"select id from (select id from insights where status = 'active' "
            f"and scope = '{scope}' and {condition} {best})"
            for scope, condition, _ in scopes
        )
        order = " ".join(f"when '{scope}' then {n}" for n, (scope, _, _) in enumerate(scopes))
        arguments = [argument for _, _, given in scopes for argument in given]
        rows = self.db.query(
            f"select * from insights where id in ({chosen}) "
            f"order by case scope {order} end, {rank}",
            arguments,
        )
        return [insight_from_row(r) for r in rows]

    def ids(self) -> set[int]:
        return {row["id"] for row in self.table.rows_where(select="id")}

    def last_operation_id(self) -> int:
        """Grows with every change: what a derived index compares to know it is current."""
        row = self.db.execute("SELECT max(id) FROM insight_ops").fetchone()
        return int(row[0] or 0)

    def all(self) -> Iterator[Insight]:
        for row in self.table.rows_where(order_by="id"):
            yield insight_from_row(row)

    def active(
        self,
        scope: Scope | None = None,
        env_name: str | None = None,
        task: str | None = None,
        subjects: Collection[str] | None = None,
    ) -> Iterator[Insight]:
        """Active insights, filtered by whatever is given (``subjects``: normalised)."""
        where, args = "status = 'active'", list[Any]()
        for column, value in (
            ("scope", scope.value if scope else None),
            ("env", env_name),
            ("task", task),
        ):
            if value is not None:
                where += f" and {column} = ?"
                args.append(value)
        source = "insights"
        if subjects is not None:
            where += f" and subject_key in ({', '.join('?' * len(subjects))})"
            args.extend(subjects)
            source = f"insights indexed by {BY_SUBJECT}"
        for row in self.db.query(f"select * from {source} where {where} order by id", args):
            yield insight_from_row(row)

    def select(
        self,
        *,
        status: Status | None = Status.ACTIVE,
        scope: Scope | None = None,
        env_name: str | None = None,
        task: str | None = None,
        relation: Relation | None = None,
        min_confidence: float = 0.0,
        sort: str = "confidence",
        limit: int | None = None,
    ) -> list[Insight]:
        """Insights matching every filter given, sorted by ``confidence``, ``support``,
        ``recent`` (last changed first) or ``id``."""
        clauses: list[str] = []
        args: list[Any] = []
        for column, value in (
            ("status", status.value if status else None),
            ("scope", scope.value if scope else None),
            ("env", env_name),
            ("task", task),
            ("relation", relation.value if relation else None),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        order = {
            "confidence": f"{CONFIDENCE} desc, support desc, id",
            "support": "support desc, id",
            "recent": "updated_at desc, id desc",
            "id": "id",
        }[sort]
        if min_confidence > 0:
            clauses.append(f"{CONFIDENCE} >= ?")
            args.append(min_confidence)
        # Filtered, sorted and cut in SQLite: a million insights never become Python objects.
        rows = self.table.rows_where(
            " and ".join(clauses) or None, args, order_by=order, limit=limit
        )
        return [insight_from_row(row) for row in rows]

    def search_text(self, text: str, limit: int = 20) -> list[Insight]:
        """Full-text search over subjects and goals (any text is safe: only its words are
        searched, each quoted; FTS5 syntax such as a lone ``"`` would be an error)."""
        return [insight for insight, _ in self.search_text_ranked(text, limit)]

    def search_text_ranked(self, text: str, limit: int = 20) -> list[tuple[Insight, float]]:
        """``search_text`` with each hit's FTS5 rank (bm25: the lower, the better a match)."""
        query = " ".join(f'"{word}"' for word in re.findall(r"\w+", text))
        if not query:
            return []
        rows = self.table.search(query, limit=limit, include_rank=True)
        return [(insight_from_row(row), float(row["rank"])) for row in rows]

    def count(self, status: Status = Status.ACTIVE) -> int:
        return int(self.table.count_where("status = ?", [status.value]))

    def count_active_by_scope(self) -> dict[Scope, int]:
        rows = self.db.execute(
            "select scope, count(*) from insights where status = 'active' group by scope"
        )
        counted = dict(rows.fetchall())
        return {scope: int(counted.get(scope.value, 0)) for scope in Scope}

    def count_operations(self) -> int:
        return int(self.db.table("insight_ops").count)

    def operations_between_runs(self, after_run: int, up_to_run: int) -> list[dict[str, Any]]:
        """Operations caused by the trials of runs ``after_run < run <= up_to_run``."""
        rows = self.db.query(
            """select o.*, t.run_id from insight_ops o join trials t on o.trial_id = t.id
               where t.run_id > ? and t.run_id <= ? order by o.id""",
            [after_run, up_to_run],
        )
        return [{**row, "details": json.loads(row["details"] or "{}")} for row in rows]

    def operations(
        self, insight_id: int | None = None, last: int | None = None
    ) -> list[dict[str, Any]]:
        """The operation log, oldest first: one insight's or all; only the ``last`` ones if
        given."""
        where, args = ("insight_id = ?", [insight_id]) if insight_id is not None else (None, [])
        rows = self.db.table("insight_ops").rows_where(where, args, order_by="id desc", limit=last)
        return [{**row, "details": json.loads(row["details"] or "{}")} for row in rows][::-1]

    def has_evidence(self, uid: str) -> bool:
        """Whether an evidence row of this name (``memory.identity``) is here."""
        return bool(self.db.table("insight_evidence").count_where("uid = ?", [uid]))

    def evidence(self, insight_id: int) -> list[dict[str, Any]]:
        rows = self.db.table("insight_evidence").rows_where(
            "insight_id = ?", [insight_id], order_by="id"
        )
        return [{**row, "steps": json.loads(row["steps"] or "[]")} for row in rows]


# Stored words to their enums by lookup: recall reads a thousand rows or more each time, and
# calling an Enum is the slow way.
_RELATIONS = {relation.value: relation for relation in Relation}
_SCOPES = {scope.value: scope for scope in Scope}
_STATUSES = {status.value: status for status in Status}


def insight_from_row(row: dict[str, Any]) -> Insight:
    return Insight(
        subject=row["subject"],
        relation=_RELATIONS[row["relation"]],
        goal=row["goal"],
        where=Where(_SCOPES[row["scope"]], row["env"], row["task"], row["variation"]),
        support=float(row["support"] or 0),
        refute=float(row["refute"] or 0),
        id=int(row["id"]),
        status=_STATUSES[row["status"]],
        origin=row["origin"] or "",
        pinned=bool(row["pinned"]),
        order=row["ord"],
        superseded_by=row.get("superseded_by"),
        edited_by=row.get("edited_by"),
    )
