"""What a person said of where a task's things are: "{1} is in the workshop" (at) or "the
thermometer is not in the kitchen" (not at). It stands above where the variations' maps
found them (``agent.learning.places``) until the person takes it back."""

from __future__ import annotations

from sqlite_utils import Database

from memory.clock import now


class PersonPlaces:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.table = db.table("person_places")

    def say(self, env_name: str, task: str, thing: str, place: str, at: bool) -> None:
        with self.db.atomic():
            self.table.upsert(
                {
                    "env": env_name,
                    "task": task,
                    "thing": thing,
                    "place": place,
                    "at": int(at),
                    "said_at": now(),
                },
                pk=("env", "task", "thing", "place"),
            )

    def unsay(self, env_name: str, task: str, thing: str) -> int:
        """Take back all that was said of ``thing``'s places; how many places that was."""
        key = [env_name, task, thing]
        where = "env = ? and task = ? and thing = ?"
        with self.db.atomic():
            found = self.table.count_where(where, key)
            self.table.delete_where(where, key)
        return found

    def said(self, env_name: str, task: str) -> dict[str, dict[str, bool]]:
        """Each thing a person placed, its places, and whether it is there."""
        found: dict[str, dict[str, bool]] = {}
        for row in self.table.rows_where(
            "env = ? and task = ?", [env_name, task], order_by="thing, said_at, place"
        ):
            found.setdefault(row["thing"], {})[row["place"]] = bool(row["at"])
        return found

    def of_task(self, env_name: str, task: str) -> list[dict[str, object]]:
        """Everything said of the task's places, as a bundle carries it."""
        return [
            {"thing": thing, "place": place, "at": at}
            for thing, places in self.said(env_name, task).items()
            for place, at in places.items()
        ]
