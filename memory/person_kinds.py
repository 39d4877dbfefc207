"""What a person said of a task's kind: "baby brown bear is a living thing" (right) or "the
axe is not" (wrong), for the goal its variations ask for. It stands above what the outcomes
showed (``agent.learning.kinds``) until the person takes it back."""

from __future__ import annotations

from sqlite_utils import Database

from memory.clock import now


class PersonKinds:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.table = db.table("person_kinds")

    def say(self, env_name: str, task: str, goal: str, thing: str, right: bool) -> None:
        with self.db.atomic():
            self.table.upsert(
                {
                    "env": env_name,
                    "task": task,
                    "goal": goal,
                    "thing": thing,
                    "right": int(right),
                    "said_at": now(),
                },
                pk=("env", "task", "goal", "thing"),
            )

    def unsay(self, env_name: str, task: str, goal: str, thing: str) -> bool:
        """Take it back; False if nothing was said of ``thing``."""
        key = [env_name, task, goal, thing]
        where = "env = ? and task = ? and goal = ? and thing = ?"
        with self.db.atomic():
            found = self.table.count_where(where, key) > 0
            self.table.delete_where(where, key)
        return found

    def said(self, env_name: str, task: str, goal: str) -> dict[str, bool]:
        """Each thing a person said something of, and whether it is of the kind."""
        rows = self.table.rows_where(
            "env = ? and task = ? and goal = ?", [env_name, task, goal], order_by="thing"
        )
        return {row["thing"]: bool(row["right"]) for row in rows}

    def goals(self, env_name: str, task: str) -> list[str]:
        rows = self.db.execute(
            "select distinct goal from person_kinds where env = ? and task = ? order by goal",
            [env_name, task],
        )
        return [row[0] for row in rows.fetchall()]

    def of_task(self, env_name: str, task: str) -> list[dict[str, object]]:
        """Everything said of the task's kinds, as a bundle carries it."""
        rows = self.table.rows_where(
            "env = ? and task = ?", [env_name, task], order_by="goal, thing"
        )
        return [{"goal": r["goal"], "thing": r["thing"], "right": bool(r["right"])} for r in rows]
