"""Weight an insight holds beyond its evidence rows, named so bundles count it once.

An insight's support and refutation are not always the sum of its evidence rows (nor of
the rows of the claims it superseded, ``memory.bundle_evidence``): promotion sets them
directly, a person edits them. A bundle carries that rest as *residuals*, each named by the
home and insight that hold it (``<home>:insight:<id>``) and stamped with when that home
last changed it; it may be negative (promotion can set less than the rows add up to). The
importing home keeps the last value it took in under each name (table ``residuals``), adds
only the change, and passes the residuals it received on under their own names when it
exports, so a round trip brings nothing back and two ways from one home count once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

EPSILON = 1e-9  # below this a change of weight is rounding, not evidence


@dataclass(frozen=True)
class Residual:
    uid: str
    support: float
    refute: float
    at: str  # when the home that holds it last changed it (ISO time, that home's clock)

    def toward(self, same_polarity: bool) -> Residual:
        """The same weight for the contrary claim swaps support and refutation."""
        if same_polarity:
            return self
        return Residual(self.uid, self.refute, self.support, self.at)

    def minus(self, other: Residual) -> tuple[float, float]:
        return self.support - other.support, self.refute - other.refute


class Residuals:
    """The residuals this home took in from other homes, by name."""

    def __init__(self, db: Database) -> None:
        self.table = db.table("residuals")

    def received(self) -> dict[int, list[tuple[bool, Residual]]]:
        """Every insight's received residuals, each with the polarity of the claim it was
        given for."""
        found: dict[int, list[tuple[bool, Residual]]] = {}
        for row in self.table.rows_where(order_by="uid"):
            residual = Residual(row["uid"], row["support"], row["refute"], row["at"])
            found.setdefault(row["insight_id"], []).append((bool(row["positive"]), residual))
        return found

    def last(self, uid: str, positive: bool) -> Residual | None:
        """What was last taken in under this name, for a claim of this polarity."""
        for row in self.table.rows_where("uid = ?", [uid]):
            kept = Residual(uid, row["support"], row["refute"], row["at"])
            return kept.toward(bool(row["positive"]) == positive)
        return None

    def restamp(self, uid: str, at: str) -> None:
        self.table.update(uid, {"at": at})

    def keep(self, residual: Residual, insight_id: int, positive: bool) -> None:
        self.table.upsert(
            {
                "uid": residual.uid,
                "insight_id": insight_id,
                "positive": int(positive),
                "support": residual.support,
                "refute": residual.refute,
                "at": residual.at,
            },
            pk="uid",
        )
