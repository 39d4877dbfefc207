"""Taking a checked bundle into a home: one transaction, provenance kept, nothing counted
twice. ``memory.bundle`` reads and checks the bundle first."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from memory.bundle import Bundle, BundleError
from memory.insights import InsightStore
from memory.knowledge import Exemplar, ExemplarStep, Insight, InsightUpdate, Where
from memory.store import Store


def import_bundle(store: Store, bundle: Bundle) -> tuple[list[int], list[int]]:
    """Merge a checked bundle into the store in one transaction: insights with the same claim
    and scope add up their evidence, others are added; provenance says "imported from".
    Returns the ids of the insights and exemplars touched. A bundle is taken in once."""
    origin = f"imported:{bundle.name}"
    imports = store.db.table("imports")
    if imports.exists() and imports.count_where("sha256 = ?", [bundle.sha256]):
        raise BundleError(f"{bundle.name} was imported into this home already: nothing to do")
    touched_insights: list[int] = []
    exemplar_ids: list[int] = []
    with store.db.atomic():
        mapping: dict[int, int] = {}
        for record in bundle.insights:
            insight_id = merge_insight(
                store.insights,
                InsightUpdate(
                    subject=record.subject,
                    relation=record.relation,
                    goal=record.goal,
                    where=Where(record.scope, record.env, record.task, record.variation),
                    weight=record.support,
                    origin=origin,
                    order=record.order,
                    reason=f"imported from {bundle.name} (was {record.origin})",
                ),
                refute=record.refute,
            )
            mapping[record.id] = insight_id
            touched_insights.append(insight_id)
        for evidence in bundle.evidence:
            store.insights.add_evidence_row(
                mapping[evidence.insight],
                evidence.kind,
                evidence.weight,
                evidence.steps,
                origin,
                f"{evidence.reason} (in {bundle.name}, trial {evidence.trial_id})",
            )
        for trajectory in bundle.exemplars:
            exemplar = Exemplar(
                env=trajectory.env,
                task=trajectory.task,
                variation=trajectory.variation,
                spec=trajectory.spec,
                task_description=trajectory.task_description,
                score=trajectory.score,
                won=trajectory.won,
                steps=tuple(ExemplarStep(**step.model_dump()) for step in trajectory.steps),
                origin=f"{origin} (was {trajectory.origin})",
            )
            exemplar_ids.append(store.exemplars.add(exemplar))
        store.db.table("imports").insert(
            {
                "sha256": bundle.sha256,
                "name": bundle.name,
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "counts": json.dumps(bundle.manifest.counts),
            }
        )
    return touched_insights, exemplar_ids


def merge_insight(insights: InsightStore, update: InsightUpdate, refute: float) -> int:
    """Take in one insight: the same claim adds its evidence, a contrary claim refutes (and
    may supersede) the local one, a new claim is added. Returns the id that holds it now.
    Evidence rows come separately, so nothing is counted twice. A claim a person forgot here
    takes the bundle's evidence and stays forgotten (``memory.insights``)."""
    details = {"from": update.origin, "support": update.weight, "refute": refute}
    current = insights.find(update.subject, update.goal, update.where)
    if current is None:
        forgotten = insights.find_forgotten(update.subject, update.goal, update.where)
        if forgotten is not None:
            return _merge_into_forgotten(insights, forgotten, update, refute, details)
        created = insights.insert(update, support=update.weight, refute=refute, evidence=False)
        assert created.id is not None
        insights.log("import", created.id, update.origin, {**details, "text": created.text})
        return created.id
    assert current.id is not None
    if current.relation.positive == update.relation.positive:
        insights.update(
            current.id,
            {"support": current.support + update.weight, "refute": current.refute + refute},
        )
        insights.log("import", current.id, update.origin, {**details, "text": current.text})
        return current.id
    contrary = replace(
        current, support=current.support + refute, refute=current.refute + update.weight
    )
    insights.update(current.id, {"support": contrary.support, "refute": contrary.refute})
    insights.log("import", current.id, update.origin, {**details, "contrary": True})
    if contrary.confidence >= 0.5 or current.pinned:
        return current.id
    successor = insights.supersede(
        current, update, support=contrary.refute, refute=contrary.support, evidence=False
    )
    insights.log("supersede", current.id, update.origin, {"successor": successor.id})
    assert successor.id is not None
    return successor.id


def _merge_into_forgotten(
    insights: InsightStore,
    forgotten: Insight,
    update: InsightUpdate,
    refute: float,
    details: dict[str, Any],
) -> int:
    assert forgotten.id is not None
    support = update.weight
    if forgotten.relation.positive != update.relation.positive:
        support, refute = refute, support
    insights.update(
        forgotten.id,
        {"support": forgotten.support + support, "refute": forgotten.refute + refute},
    )
    details = {**details, "text": forgotten.text, "forgotten": True}
    insights.log("import", forgotten.id, update.origin, details)
    return forgotten.id
