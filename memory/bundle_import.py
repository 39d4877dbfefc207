"""Taking a checked bundle into a home: one transaction, provenance kept, nothing counted
twice. ``memory.bundle`` reads and checks the bundle first.

From format 2 every evidence row and exemplar in a bundle is named by the home it was made
in (``memory.identity``): one this home has already (it made it, or took it in from any
bundle) is skipped. What an insight holds beyond its rows comes as named residuals, of
which only the change since the last bundle that brought them counts
(``memory.residuals``). So two exports of one home, or a round trip A -> B -> A, add
nothing twice. Format 1 named nothing: its bundles are taken in whole, and only a
byte-identical one is known again. Archives of cells merge with the home's own, taking the
larger of each count, so they too add nothing twice (``memory.archive.merge``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from memory.bundle import Bundle
from memory.bundle_archives import take_archive
from memory.bundle_schema import EvidenceRecord, ExemplarRecord, InsightRecord, TaskRecord
from memory.clock import now
from memory.errors import BundleError
from memory.identity import made_in
from memory.insights import InsightStore, Op
from memory.knowledge import Exemplar, ExemplarStep, Insight, InsightUpdate, Origin, Where
from memory.residuals import EPSILON, Residual, Residuals
from memory.store import Store

CONTRARY = {"support": "refute", "refute": "support"}


def _counts() -> dict[str, int]:
    return {
        "insights": 0,
        "evidence": 0,
        "exemplars": 0,
        "archives": 0,
        "procedures": 0,
        "kinds_said": 0,
        "places_said": 0,
    }


@dataclass
class ImportReport:
    """What a bundle brought: the insights and exemplars it changed or added here, and how
    many of its records were new to this home and how many it had already."""

    insight_ids: list[int] = field(default_factory=list)
    exemplar_ids: list[int] = field(default_factory=list)
    new: dict[str, int] = field(default_factory=_counts)
    already_here: dict[str, int] = field(default_factory=_counts)

    def count(self, what: str, new: int = 0, already_here: int = 0) -> None:
        self.new[what] += new
        self.already_here[what] += already_here


@dataclass(frozen=True)
class Contribution:
    """What one insight record adds here: its new rows and changed residuals, and the
    weight they come to (for the record's claim)."""

    rows: list[EvidenceRecord]
    residuals: list[Residual]
    support: float
    refute: float


def import_bundle(store: Store, bundle: Bundle) -> ImportReport:
    """Merge a checked bundle into the store in one transaction: insights with the same claim
    and scope add up what is new in their evidence, others are added; provenance says
    "imported from". A bundle is taken in once, and each piece of evidence too."""
    imports = store.db.table("imports")
    if imports.exists() and imports.count_where("sha256 = ?", [bundle.sha256]):
        raise BundleError(f"{bundle.name} was imported into this home already: nothing to do")
    rows: dict[int, list[EvidenceRecord]] = defaultdict(list)
    for evidence in bundle.evidence:
        rows[evidence.insight].append(evidence)
    report = ImportReport()
    with store.db.atomic():
        for record in bundle.insights:
            _take_insight(store, bundle, record, rows[record.id], report)
        for trajectory in bundle.exemplars:
            _take_exemplar(store, bundle, trajectory, report)
        for archive in bundle.archives:
            changed = take_archive(store, archive)
            report.count("archives", new=int(changed), already_here=int(not changed))
        for task in bundle.tasks:
            _take_procedure(store, task, report)
            _take_kinds_said(store, task, report)
            _take_places_said(store, task, report)
        store.db.table("imports").insert(
            {
                "sha256": bundle.sha256,
                "name": bundle.name,
                "at": now(),
                "counts": json.dumps(bundle.manifest.counts),
            }
        )
    return report


def _take_procedure(store: Store, task: TaskRecord, report: ImportReport) -> None:
    """A procedure a person wrote, unless this home has one for the task: a person here
    decides. A learned one is not taken: this home derives its own from the trajectories."""
    if not task.procedure.written_by_person:
        return
    steps = [step.step for step in task.procedure.steps]
    here = store.procedures.written(task.env, task.task)
    if here is None:
        store.procedures.write(task.env, task.task, steps)
    report.count("procedures", new=int(here is None), already_here=int(here is not None))


def _take_kinds_said(store: Store, task: TaskRecord, report: ImportReport) -> None:
    """What a person said of things' kinds, unless a person here said something of the
    same thing for the same goal."""
    for said in task.kinds_said:
        here = store.person_kinds.said(task.env, task.task, said.goal)
        if said.thing not in here:
            store.person_kinds.say(task.env, task.task, said.goal, said.thing, said.right)
        report.count(
            "kinds_said", new=int(said.thing not in here), already_here=int(said.thing in here)
        )


def _take_places_said(store: Store, task: TaskRecord, report: ImportReport) -> None:
    """Where a person said things are, unless a person here said where the same thing is
    (at or not) at the same place."""
    here = store.person_places.said(task.env, task.task)
    for said in task.places_said:
        known = said.place in here.get(said.thing, {})
        if not known:
            store.person_places.say(task.env, task.task, said.thing, said.place, said.at)
        report.count("places_said", new=int(not known), already_here=int(known))


def _named(bundle: Bundle) -> bool:
    return bundle.manifest.format_version >= 2


def _take_insight(
    store: Store,
    bundle: Bundle,
    record: InsightRecord,
    rows: list[EvidenceRecord],
    report: ImportReport,
) -> None:
    if _named(bundle):
        contribution = _new_here(store, record, rows)
        if not contribution.rows and not contribution.residuals:
            report.count("insights", already_here=1)
            report.count("evidence", already_here=len(rows))
            return
    else:
        contribution = Contribution(rows, [], record.support, record.refute)
    origin = Origin.IMPORTED.of(bundle.name)
    insight_id = merge_insight(
        store.insights,
        InsightUpdate(
            subject=record.subject,
            relation=record.relation,
            goal=record.goal,
            where=Where(record.scope, record.env, record.task, record.variation),
            weight=contribution.support,
            origin=origin,
            order=record.order,
            reason=f"imported from {bundle.name} (was {record.origin})",
        ),
        refute=contribution.refute,
    )
    # Rows and residuals were given for the record's claim; the insight may hold the contrary.
    same = store.insights.require(insight_id).relation.positive == record.relation.positive
    for evidence in contribution.rows:
        store.insights.add_evidence_row(
            insight_id,
            evidence.kind if same else CONTRARY[evidence.kind],
            evidence.weight,
            evidence.steps,
            origin,
            f"{evidence.reason} (in {bundle.name}, trial {evidence.trial_id})",
            uid=evidence.uid if _named(bundle) else None,  # a format-1 row is named here
        )
    kept = Residuals(store.db)
    for residual in contribution.residuals:
        kept.keep(residual, insight_id, record.relation.positive)
    report.insight_ids.append(insight_id)
    report.count("insights", new=1)
    report.count(
        "evidence", new=len(contribution.rows), already_here=len(rows) - len(contribution.rows)
    )


def _new_here(store: Store, record: InsightRecord, rows: list[EvidenceRecord]) -> Contribution:
    """The record's evidence rows this home has not got, and its residuals that changed
    since they were last taken in (this home's own are never taken: it holds them). An
    unchanged residual is stamped with its newer time."""
    home = store.home_id()
    fresh = [
        e
        for e in rows
        if e.uid is not None and not made_in(e.uid, home) and not store.insights.has_evidence(e.uid)
    ]
    weight = {"support": 0.0, "refute": 0.0}
    for evidence in fresh:
        weight[evidence.kind] += evidence.weight
    changed, kept = [], Residuals(store.db)
    for given in record.residuals:
        if made_in(given.uid, home):
            continue
        taken = Residual(given.uid, given.support, given.refute, given.at)
        last = kept.last(given.uid, record.relation.positive)
        if last is not None and taken.at < last.at:
            continue  # an older bundle than one already taken in
        support, refute = taken.minus(last or Residual(given.uid, 0.0, 0.0, ""))
        if abs(support) < EPSILON and abs(refute) < EPSILON:
            if last is not None:
                kept.restamp(given.uid, given.at)  # so an older value cannot come back
            continue
        changed.append(taken)
        weight["support"] += support
        weight["refute"] += refute
    return Contribution(fresh, changed, weight["support"], weight["refute"])


def _take_exemplar(
    store: Store, bundle: Bundle, trajectory: ExemplarRecord, report: ImportReport
) -> None:
    uid = trajectory.uid if _named(bundle) else None
    if uid is not None and (made_in(uid, store.home_id()) or store.exemplars.known(uid)):
        report.count("exemplars", already_here=1)
        return
    exemplar = Exemplar(
        env=trajectory.env,
        task=trajectory.task,
        variation=trajectory.variation,
        spec=trajectory.spec,
        task_description=trajectory.task_description,
        score=trajectory.score,
        won=trajectory.won,
        steps=tuple(ExemplarStep(**step.model_dump()) for step in trajectory.steps),
        origin=Origin.IMPORTED.of(f"{bundle.name} (was {trajectory.origin})"),
        uid=uid,
    )
    report.exemplar_ids.append(store.exemplars.add(exemplar))
    report.count("exemplars", new=1)


def merge_insight(insights: InsightStore, update: InsightUpdate, refute: float) -> int:
    """Take in one insight: the same claim adds its evidence, a contrary claim refutes (and
    may supersede) the local one, a new claim is added. Returns the id that holds it now.
    Evidence rows come separately, so nothing is counted twice. The weight may be negative
    (an origin lowered what it had given); no total goes below zero. A claim a person forgot
    here takes the bundle's evidence and stays forgotten (``memory.insights``)."""
    details = {"from": update.origin, "support": update.weight, "refute": refute}
    current = insights.find(update.subject, update.goal, update.where)
    if current is None:
        forgotten = insights.find_forgotten(update.subject, update.goal, update.where)
        if forgotten is not None:
            return _merge_into_forgotten(insights, forgotten, update, refute, details)
        created = insights.insert(
            update, support=max(0.0, update.weight), refute=max(0.0, refute), evidence=False
        )
        assert created.id is not None
        insights.log(Op.IMPORT, created.id, update.origin, {**details, "text": created.text})
        return created.id
    assert current.id is not None
    if current.relation.positive == update.relation.positive:
        support, refuted = current.support + update.weight, current.refute + refute
        insights.update(current.id, {"support": max(0.0, support), "refute": max(0.0, refuted)})
        insights.log(Op.IMPORT, current.id, update.origin, {**details, "text": current.text})
        return current.id
    contrary = replace(
        current,
        support=max(0.0, current.support + refute),
        refute=max(0.0, current.refute + update.weight),
    )
    insights.update(current.id, {"support": contrary.support, "refute": contrary.refute})
    insights.log(Op.IMPORT, current.id, update.origin, {**details, "contrary": True})
    if contrary.confidence >= 0.5 or current.pinned:
        return current.id
    successor = insights.supersede(
        current, update, support=contrary.refute, refute=contrary.support, evidence=False
    )
    insights.log(Op.SUPERSEDE, current.id, update.origin, {"successor": successor.id})
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
        {
            "support": max(0.0, forgotten.support + support),
            "refute": max(0.0, forgotten.refute + refute),
        },
    )
    details = {**details, "text": forgotten.text, "forgotten": True}
    insights.log(Op.IMPORT, forgotten.id, update.origin, details)
    return forgotten.id
