"""Procedures a person wrote for a task: an ordered list of steps in the task's roles
("focus on {1}"), which stands in for the procedure learned from won trials
(``agent.learning.procedures``) until the person clears it. Learned procedures are derived
from the trajectories every time and are not stored."""

from __future__ import annotations

import json

from sqlite_utils import Database

from memory.clock import now

MAX_STEPS = 200


class ProcedureStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.table = db.table("procedures")

    def written(self, env_name: str, task: str) -> list[str] | None:
        """The steps a person wrote for the task, or None."""
        rows = list(self.table.rows_where("env = ? and task = ?", [env_name, task]))
        return json.loads(rows[0]["steps"]) if rows else None

    def write(self, env_name: str, task: str, steps: list[str]) -> None:
        with self.db.atomic():
            self.table.upsert(
                {"env": env_name, "task": task, "steps": json.dumps(steps), "edited_at": now()},
                pk=("env", "task"),
            )

    def clear(self, env_name: str, task: str) -> bool:
        """Back to the learned procedure; False if the person had written none."""
        with self.db.atomic():
            found = self.written(env_name, task) is not None
            self.table.delete_where("env = ? and task = ?", [env_name, task])
        return found

    def all(self) -> list[dict[str, object]]:
        return [
            {"env": r["env"], "task": r["task"], "steps": json.loads(r["steps"])}
            for r in self.table.rows_where(order_by="env, task")
        ]
