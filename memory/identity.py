"""Names that hold across homes: a home's random id, and from it the identity of every
evidence row and exemplar made in the home (``<home>:evidence:<row>``, ``<home>:trial:<trial>``,
``<home>:exemplar:<row>``) and of the weight an insight holds beyond its evidence rows
(``<home>:insight:<id>``, see ``memory.residuals``). Bundles carry these names, so a home
counts the same evidence once however many bundles, and by whatever way, bring it."""

from __future__ import annotations

import uuid

from sqlite_utils import Database

HOME_ID = "home_id"  # the settings key


def home_id(db: Database) -> str:
    """The home's id, made once (it also names the home's collections on a shared server)."""
    rows = list(db.table("settings").rows_where("key = ?", [HOME_ID]))
    if rows:
        return str(rows[0]["value"])
    made = uuid.uuid4().hex[:16]
    with db.atomic():
        db.table("settings").upsert({"key": HOME_ID, "value": made}, pk="key")
    return made


def evidence_uid(home: str, row_id: int) -> str:
    return f"{home}:evidence:{row_id}"


def exemplar_uid(home: str, exemplar_id: int, trial_id: int | None) -> str:
    """A trial's trajectory is named by its trial; one without a trial (a demonstration)
    by its row."""
    if trial_id is not None:
        return f"{home}:trial:{trial_id}"
    return f"{home}:exemplar:{exemplar_id}"


def insight_uid(home: str, insight_id: int) -> str:
    return f"{home}:insight:{insight_id}"


def made_in(uid: str, home: str) -> bool:
    """Whether this name is one the home gives its own rows (a bundle cannot bring those)."""
    return uid.startswith(f"{home}:")
