"""What an exported insight carries, each piece named so an importer counts it once.

An insight's support and refutation come from its evidence rows; from the insights it
superseded (a superseding claim carries their weight over, turned: what refuted the old
claim supports the new one); from residuals other homes gave it (``memory.residuals``); and
from what none of these account for — promotion, a person's edit — its own residual. A
bundle carries all of them under the names they were made with, so the pieces add up to the
insight's weight, and an importer that took in the superseded claim's evidence before does
not count it again as the new claim's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from memory.identity import insight_uid
from memory.knowledge import Insight, Relation
from memory.residuals import EPSILON, Residual, Residuals
from memory.store import Store

EVIDENCE = ("uid", "trial_id", "steps", "weight", "kind", "origin", "reason")
CONTRARY = {"support": "refute", "refute": "support"}


@dataclass
class Carried:
    rows: list[dict[str, Any]] = field(default_factory=list)  # kinds as seen from the claim
    residuals: list[Residual] = field(default_factory=list)

    def take(self, other: Carried, same_polarity: bool) -> None:
        """Add what another insight carried, turned if it held the contrary claim."""
        for row in other.rows:
            self.rows.append(row if same_polarity else {**row, "kind": CONTRARY[row["kind"]]})
        self.residuals += [r.toward(same_polarity) for r in other.residuals]


class ExportedEvidence:
    """The named pieces of the home's insights, read once per export."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.home = store.home_id()
        self.received = Residuals(store.db).received()
        self.predecessors: dict[int, list[dict[str, Any]]] = {}
        for row in store.db.query(
            "select id, relation, support, refute, superseded_by, updated_at from insights "
            "where superseded_by is not null and status != 'active' order by id"
        ):
            self.predecessors.setdefault(row["superseded_by"], []).append(row)
        self.changed_at = dict(
            store.db.execute(
                "select id, updated_at from insights where status = 'active'"
            ).fetchall()
        )

    def records(self, insights: list[Insight]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The insights' records, each with its residuals, and the evidence rows they carry."""
        records, evidence = [], []
        for insight in insights:
            assert insight.id is not None
            carried = self.carried(
                insight.id,
                insight.relation.positive,
                (insight.support, insight.refute),
                self.changed_at.get(insight.id) or "",
                set(),
            )
            evidence += [{"insight": insight.id, **row} for row in carried.rows]
            records.append(
                {**insight_record(insight), "residuals": [asdict(r) for r in carried.residuals]}
            )
        return records, evidence

    def carried(
        self,
        insight_id: int,
        positive: bool,
        weight: tuple[float, float],
        changed_at: str,
        seen: set[int],
    ) -> Carried:
        """Everything one insight carries (see the module docstring)."""
        seen.add(insight_id)
        carried = Carried(
            rows=[
                {k: row[k] for k in EVIDENCE} for row in self.store.insights.evidence(insight_id)
            ],
            residuals=[r.toward(p == positive) for p, r in self.received.get(insight_id, [])],
        )
        for before in self.predecessors.get(insight_id, []):
            if before["id"] in seen:
                continue
            was_positive = Relation(before["relation"]).positive
            earlier = self.carried(
                before["id"],
                was_positive,
                (float(before["support"] or 0), float(before["refute"] or 0)),
                before["updated_at"] or "",
                seen,
            )
            carried.take(earlier, was_positive == positive)
        backed = {"support": 0.0, "refute": 0.0}
        for row in carried.rows:
            backed[row["kind"]] += row["weight"]
        own = Residual(
            insight_uid(self.home, insight_id),
            weight[0] - backed["support"] - sum(r.support for r in carried.residuals),
            weight[1] - backed["refute"] - sum(r.refute for r in carried.residuals),
            changed_at,
        )
        if abs(own.support) >= EPSILON or abs(own.refute) >= EPSILON:
            carried.residuals.append(own)
        return carried


def insight_record(insight: Insight) -> dict[str, Any]:
    return {
        "id": insight.id,
        "subject": insight.subject,
        "relation": insight.relation.value,
        "goal": insight.goal,
        "scope": insight.where.scope.value,
        "env": insight.where.env,
        "task": insight.where.task,
        "variation": insight.where.variation,
        "support": insight.support,
        "refute": insight.refute,
        "origin": insight.origin,
        "pinned": insight.pinned,
        "order": insight.order,
    }
