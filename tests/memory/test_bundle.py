"""Bundles across the trust boundary: a round trip that merges, and bad bundles that change
nothing and say why."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from agent.environments import parse
from agent.environments.toy import ToyWorld
from memory.archive import Archive
from memory.bundle import Filters, read_bundle
from memory.bundle_import import import_bundle
from memory.errors import BundleError
from memory.knowledge import InsightUpdate, Relation
from memory.store import Store
from reflection.archiving import fold_trial
from tests.memory.bundle_homes import BOIL, export, learned, rewrite
from tests.support.play import play


@pytest.fixture
def bundle_path(store: Store, tmp_path: Path) -> Path:
    learned(store)
    path = tmp_path / "learned.cairn.zip"
    counts = export(store, path)
    assert counts == {
        "insights": 3,
        "evidence": 3,
        "exemplars": 1,
        "operations": 3,
        "archives": 0,
        "tasks": 0,
    }
    return path


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Store]:
    database = Store.in_home(tmp_path / "other")
    yield database
    database.close()


def snapshot(store: Store) -> dict[str, list[dict[str, object]]]:
    tables = ("insights", "insight_evidence", "insight_ops", "exemplars", "imports")
    return {t: list(store.db.table(t).rows) for t in tables}


def test_a_bundle_carries_insights_evidence_and_trajectories_to_another_home(
    bundle_path: Path, other: Store
) -> None:
    bundle = read_bundle(bundle_path)
    assert bundle.manifest.format == "cairn-bundle" and bundle.manifest.embedding_model == "hash"
    assert "look around" not in {i.subject for i in bundle.insights}  # forgotten stays home
    other.insights.apply(InsightUpdate("heat pot", Relation.NECESSARY, "win", BOIL, 1.0))

    report = import_bundle(other, bundle)

    imported = {i.subject: i for i in other.insights.active()}
    assert set(imported) == {"open cupboard", "heat pot", "go to kitchen"}
    assert imported["heat pot"].support == 4.0  # the same claim adds up its evidence
    assert imported["open cupboard"].origin == "imported:learned.cairn.zip"
    assert len(set(report.insight_ids)) == 3
    reasons = [e["reason"] for e in other.insights.evidence(imported["open cupboard"].id or 0)]
    assert any("learned.cairn.zip" in r for r in reasons)
    (exemplar,) = other.exemplars.by_ids(report.exemplar_ids)
    assert exemplar.useful_actions() == ["open cupboard", "heat pot"]
    assert exemplar.origin.startswith("imported:learned.cairn.zip")


def test_a_bundle_is_taken_in_once(bundle_path: Path, other: Store) -> None:
    import_bundle(other, read_bundle(bundle_path))
    before = snapshot(other)
    with pytest.raises(BundleError, match="imported into this home already"):
        import_bundle(other, read_bundle(bundle_path))
    assert snapshot(other) == before


def test_a_claim_forgotten_here_takes_the_bundles_evidence_and_stays_forgotten(
    bundle_path: Path, other: Store
) -> None:
    (local,) = other.insights.apply(InsightUpdate("heat pot", Relation.NECESSARY, "win", BOIL))
    other.edits.forget(local.insight_id or 0)
    insight_ids = import_bundle(other, read_bundle(bundle_path)).insight_ids
    assert local.insight_id in insight_ids  # its evidence rows went to the forgotten one
    assert {i.subject for i in other.insights.active()} == {"open cupboard", "go to kitchen"}
    forgotten = other.insights.require(local.insight_id or 0)
    assert (forgotten.status.value, forgotten.support) == ("forgotten", 4.0)
    assert other.insights.operations(local.insight_id)[-1]["details"]["forgotten"] is True
    assert len(other.insights.evidence(local.insight_id or 0)) == 2


def test_filters_choose_what_is_exported(store: Store, tmp_path: Path) -> None:
    learned(store)
    counts = export(store, tmp_path / "melt.zip", Filters(task="melt"))
    assert (counts["insights"], counts["exemplars"]) == (1, 0)
    assert [i.subject for i in read_bundle(tmp_path / "melt.zip").insights] == ["go to kitchen"]


def insight_line(bundle_path: Path, **changes: object) -> bytes:
    with zipfile.ZipFile(bundle_path) as archive:
        first = json.loads(archive.read("insights.jsonl").splitlines()[0])
    return (json.dumps({**first, **changes}) + "\n").encode()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("tampered", "does not match its checksum"),
        ("truncated", "not the"),
        ("unknown relation", "relation"),
        ("extra field", "Extra inputs are not permitted"),
        ("huge subject", "subject"),
        ("path traversal", "unexpected files"),
        ("newer format", "upgrade cairn"),
        ("dangling evidence", "evidence refers to insights not in the bundle"),
        ("not a zip", "not a readable zip"),
    ],
)
def test_a_bad_bundle_changes_nothing_and_says_why(
    bundle_path: Path, other: Store, tmp_path: Path, damage: str, message: str
) -> None:
    bad = tmp_path / "bad.zip"
    if damage == "tampered":
        with zipfile.ZipFile(bundle_path) as archive:
            data = archive.read("insights.jsonl").replace(b"2.0", b"9.0", 1)  # same size
        rewrite(bundle_path, bad, member="insights.jsonl", data=data, fix_manifest=False)
    elif damage == "truncated":
        rewrite(bundle_path, bad, member="insights.jsonl", data=b"{}\n", fix_manifest=False)
    elif damage == "unknown relation":
        line = insight_line(bundle_path, relation="RUN rm -rf /")
        rewrite(bundle_path, bad, member="insights.jsonl", data=line, fix_manifest=True)
    elif damage == "extra field":
        line = insight_line(bundle_path, command="import os")
        rewrite(bundle_path, bad, member="insights.jsonl", data=line, fix_manifest=True)
    elif damage == "huge subject":
        line = insight_line(bundle_path, subject="x" * 5000)
        rewrite(bundle_path, bad, member="insights.jsonl", data=line, fix_manifest=True)
    elif damage == "path traversal":
        rewrite(bundle_path, bad, member="../../escape.txt", data=b"hi", fix_manifest=False)
    elif damage == "newer format":
        with zipfile.ZipFile(bundle_path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
        manifest["format_version"] = 99
        data = json.dumps(manifest).encode()
        rewrite(bundle_path, bad, member="manifest.json", data=data, fix_manifest=False)
    elif damage == "dangling evidence":
        line = json.dumps({"insight": 999, "weight": 1.0, "kind": "support"}).encode() + b"\n"
        rewrite(bundle_path, bad, member="evidence.jsonl", data=line, fix_manifest=True)
    else:
        bad.write_bytes(b"PK\x03\x04 not really a zip")
    before = snapshot(other)
    with pytest.raises(BundleError, match=message):
        import_bundle(other, read_bundle(bad))
    assert snapshot(other) == before
    assert not (tmp_path.parent / "escape.txt").exists()


def test_a_member_name_flagged_utf8_that_is_not_is_a_bundle_error(
    bundle_path: Path, tmp_path: Path
) -> None:
    """Found by fuzzing: zipfile raised UnicodeDecodeError for such a name."""
    data = bytearray(bundle_path.read_bytes())
    directory = data.rfind(b"PK\x01\x02")  # the last central-directory entry
    flags = int.from_bytes(data[directory + 8 : directory + 10], "little") | 0x800
    data[directory + 8 : directory + 10] = flags.to_bytes(2, "little")
    data[directory + 46] = 0x94  # the first byte of its name, not UTF-8
    bad = tmp_path / "bad-name.zip"
    bad.write_bytes(bytes(data))
    with pytest.raises(BundleError, match=r"not a readable zip|damaged"):
        read_bundle(bad)


def test_a_bundle_carries_each_games_archive_and_taking_it_again_changes_nothing(
    store: Store, other: Store, tmp_path: Path
) -> None:
    env = ToyWorld(parse("toy:maze@2,rooms=6"))
    start, steps = play(env, env.oracle_actions() or [])
    archive, _ = fold_trial(Archive("toy", "maze", "2,rooms=6"), start, steps, trial_id=7)
    home = archive.cells[start.situation.cell]  # a step that led elsewhere once (format 4)
    varied = (replace(home.tried[0], varied=True), *home.tried[1:])
    archive = replace(archive, cells={**archive.cells, home.key: replace(home, tried=varied)})
    store.archives.save(archive)
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    assert export(store, first)["archives"] == 1
    # The same archive in another bundle; its filter makes it another file, as two exports
    # in one millisecond would otherwise be the same bundle, which is rightly refused.
    export(store, second, Filters(env="toy"))

    report = import_bundle(other, read_bundle(first))
    taken = other.archives.load("toy", "maze", "2,rooms=6")
    local = {c.key: replace(c, first_trial=None, last_trial=None) for c in archive.cells.values()}
    assert taken == replace(archive, cells=local)  # whole, but for this home's trial numbers
    assert report.new["archives"] == 1
    again = import_bundle(other, read_bundle(second))
    assert again.already_here["archives"] == 1 and again.new["archives"] == 0
    assert other.archives.load("toy", "maze", "2,rooms=6") == taken
