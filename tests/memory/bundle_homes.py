"""Homes that have learned something, their bundles, and bundles with one member rewritten:
shared by the bundle tests."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from memory.bundle import Filters, export_bundle
from memory.knowledge import Exemplar, ExemplarStep, InsightUpdate, Relation, Scope, Where
from memory.store import Store

BOIL = Where(Scope.TASK, "scienceworld", "boil")
MELT = Where(Scope.TASK, "scienceworld", "melt")
SCIENCEWORLD = Where(Scope.ENVIRONMENT, "scienceworld")


def learned(store: Store) -> None:
    """What a home knows after a few trials: insights with evidence, one forgotten, one
    exemplar trajectory."""
    for subject, where, weight in (
        ("open cupboard", BOIL, 2.0),
        ("heat pot", BOIL, 3.0),
        ("go to kitchen", MELT, 1.0),
    ):
        store.insights.apply(
            InsightUpdate(subject, Relation.NECESSARY, "win", where, weight, trial_id=1, steps=(2,))
        )
    (forgotten,) = store.insights.apply(
        InsightUpdate("look around", Relation.DOES_NOT_CONTRIBUTE, "win", BOIL)
    )
    store.edits.forget(forgotten.insight_id or 0)
    add_exemplar(store, trial_id=None)


def add_exemplar(store: Store, trial_id: int | None, score: float = 100) -> int:
    steps = (
        ExemplarStep("open cupboard", "The cupboard is now open.", 0, 10, "s1", 5.0, True),
        ExemplarStep("heat pot", "The water boils.", 90, score, "s2", 90.0, True),
    )
    return store.exemplars.add(
        Exemplar(
            "scienceworld",
            "boil",
            "0",
            "scienceworld:boil@0",
            "Boil water.",
            score,
            True,
            steps,
            trial_id=trial_id,
        )
    )


def promoted(store: Store, support: float) -> None:
    """An environment-scope insight whose support promotion sets directly (not the sum of
    its evidence rows), as ``reflection.promotion`` does."""
    store.insights.promote(
        "heat pot", Relation.NECESSARY, "win", SCIENCEWORLD, support, 0.0, sources=(2,)
    )


def export(store: Store, path: Path, filters: Filters | None = None) -> dict[str, int]:
    return export_bundle(
        store,
        path,
        filters=filters or Filters(),
        cairn_version="test",
        embedding_model="hash",
        graph={"nodes": []},
    )


def rewrite(path: Path, target: Path, *, member: str, data: bytes, fix_manifest: bool) -> Path:
    """A copy of the bundle with one member replaced (and, if asked, a manifest that agrees)."""
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members[member] = data
    if fix_manifest and member != "manifest.json":
        manifest = json.loads(members["manifest.json"])
        manifest["files"][member] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(target, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return target
