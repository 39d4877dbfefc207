"""Exemplar trajectories in SQLite: every trial, and imported demonstrations.

Each row holds a whole trajectory (steps as JSON, with the credit reflection gave them), so
recalling an example costs one query, not a join over every step.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import asdict
from typing import Any

from sqlite_utils import Database

from memory.clock import now
from memory.identity import exemplar_uid, home_id
from memory.knowledge import Exemplar, ExemplarStep


class ExemplarStore:
    KEPT = 512  # exemplars kept read

    def __init__(self, db: Database) -> None:
        self.db = db
        self.table = db.table("exemplars")
        # An exemplar never changes once stored, and reading its steps (JSON) was a fifth
        # of a recall: those read are kept, by id.
        self._read: OrderedDict[int, Exemplar] = OrderedDict()

    def add(self, exemplar: Exemplar) -> int:
        """Store a trajectory, named by its ``uid`` if it has one (an imported one keeps the
        name it was made with), else by this home and its trial or row."""
        row = {
            "trial_id": exemplar.trial_id,
            "env": exemplar.env,
            "task": exemplar.task,
            "variation": exemplar.variation,
            "spec": exemplar.spec,
            "task_description": exemplar.task_description,
            "score": exemplar.score,
            "won": int(exemplar.won),
            "origin": exemplar.origin,
            "steps": json.dumps([asdict(step) for step in exemplar.steps]),
            "created_at": now(),
            "uid": exemplar.uid,
        }
        with self.db.atomic():
            exemplar_id = int(self.table.insert(row).last_pk)  # type: ignore[arg-type]
            if exemplar.uid is None:
                uid = exemplar_uid(home_id(self.db), exemplar_id, exemplar.trial_id)
                self.table.update(exemplar_id, {"uid": uid})
        return exemplar_id

    def known(self, uid: str) -> bool:
        return bool(self.table.count_where("uid = ?", [uid]))

    def get(self, exemplar_id: int) -> Exemplar | None:
        for row in self.table.rows_where("id = ?", [exemplar_id]):
            return _exemplar(row)
        return None

    def for_task(
        self, env_name: str, task: str, variation: str | None = None, limit: int = 20
    ) -> list[Exemplar]:
        """The best trajectories of a task (of one variation, if given): highest score first,
        then shortest."""
        where = "env = ? and task = ?"
        args: list[object] = [env_name, task]
        if variation is not None:
            where += " and variation = ?"
            args.append(variation)
        ids = self.db.execute(
            f"select id from exemplars where {where} "
            "order by score desc, json_array_length(steps), id limit ?",
            [*args, limit],
        ).fetchall()
        return self.by_ids([row[0] for row in ids])

    def descriptions(self, env_name: str, task: str) -> dict[str | None, str]:
        """Each variation of a task that has a trajectory, and its task description."""
        rows = self.db.execute(
            "select variation, min(task_description) from exemplars "
            "where env = ? and task = ? group by variation",
            [env_name, task],
        ).fetchall()
        return {variation: description or "" for variation, description in rows}

    def won_ways(self, env_name: str, task: str, limit: int) -> list[Exemplar]:
        """The latest won trajectory of each of the task's variations (a won game's later
        trials replay its shortest form), for the ``limit`` variations won last."""
        rows = self.db.query(
            "select * from exemplars where id in (select max(id) from exemplars "
            "where env = ? and task = ? and won = 1 group by variation "
            "order by max(id) desc limit ?) order by id",
            [env_name, task, limit],
        )
        return [_exemplar(row) for row in rows]

    def by_ids(self, ids: list[int]) -> list[Exemplar]:
        """The exemplars with these ids that are stored, in that order."""
        missing = [i for i in ids if i not in self._read]
        read: dict[int, Exemplar] = {}
        if missing:
            marks = ",".join("?" * len(missing))
            rows = self.db.query(f"select * from exemplars where id in ({marks})", missing)
            read = {int(row["id"]): _exemplar(row) for row in rows}
            if not self.db.conn.in_transaction:  # a read inside one may be rolled back
                self._read.update(read)
                while len(self._read) > self.KEPT:
                    self._read.popitem(last=False)
        return [e for i in ids if (e := read.get(i) or self._read.get(i)) is not None]

    def all(self) -> list[Exemplar]:
        return [_exemplar(row) for row in self.table.rows_where(order_by="id")]

    def count(self) -> int:
        return int(self.table.count)

    def ids(self) -> set[int]:
        return {row["id"] for row in self.table.rows_where(select="id")}

    def last_id(self) -> int:
        row = self.table.db.execute("SELECT max(id) FROM exemplars").fetchone()
        return int(row[0] or 0)


def _exemplar(row: dict[str, Any]) -> Exemplar:
    return Exemplar(
        env=row["env"],
        task=row["task"],
        variation=row["variation"],
        spec=row["spec"],
        task_description=row["task_description"] or "",
        score=float(row["score"]),
        won=bool(row["won"]),
        steps=tuple(ExemplarStep(**step) for step in json.loads(row["steps"])),
        origin=row["origin"],
        trial_id=row["trial_id"],
        id=int(row["id"]),
        uid=row.get("uid"),
    )
