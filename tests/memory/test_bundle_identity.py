"""Evidence and exemplars carry an identity (the home and row they were made in), so the same
evidence counts once in a home however many bundles bring it, and by whatever way."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.learning.carried import TaskRoles
from agent.learning.procedures import procedure_of
from memory.bundle import Filters, read_bundle
from memory.bundle_import import import_bundle
from memory.errors import BundleError
from memory.knowledge import InsightUpdate, Relation
from memory.store import Store
from tests.memory.bundle_homes import BOIL, add_exemplar, export, learned, promoted, rewrite

FORMAT_1 = Path(__file__).parent / "data" / "format-1.cairn.zip"  # written by cairn 0.1
# Written at bcc8986 by a home that played toy:fetch@1 and @2 twice each (before roles).
FORMAT_4 = Path(__file__).parent / "data" / "format-4.cairn.zip"
# format 4's, imported at e6a8bd7 (`cairn import`), with a person's procedure and a kind
# said, exported again (`cairn export`)
FORMAT_5 = Path(__file__).parent / "data" / "format-5.cairn.zip"


@pytest.fixture
def homes(tmp_path: Path) -> Iterator[dict[str, Store]]:
    opened = {name: Store.in_home(tmp_path / name) for name in ("origin", "b", "once")}
    yield opened
    for store in opened.values():
        store.close()


def state(store: Store) -> tuple[dict[str, tuple[float, float, int]], int]:
    """What a home holds: each active claim's support, refutation and evidence rows; and how
    many exemplars."""
    claims = {
        f"{i.subject} @ {i.where}": (i.support, i.refute, len(store.insights.evidence(i.id or 0)))
        for i in store.insights.active()
    }
    return claims, store.exemplars.count()


def taught(origin: Store) -> None:
    """The origin's memory: evidence rows, an exemplar, a promoted insight (support set
    directly, beyond its rows) and a person's edit."""
    learned(origin)
    promoted(origin, 4.0)
    promoted(origin, 6.0)
    heat_pot = origin.insights.find("heat pot", "win", BOIL)
    assert heat_pot is not None
    origin.edits.edit(heat_pot.id or 0, support=5.0)


def test_two_exports_of_one_home_count_once(homes: dict[str, Store], tmp_path: Path) -> None:
    origin, twice, once = homes["origin"], homes["b"], homes["once"]
    taught(origin)
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    export(origin, a)
    export(origin, b, Filters(env="scienceworld"))  # the same memory, other bytes
    assert a.read_bytes() != b.read_bytes()

    import_bundle(once, read_bundle(a))
    import_bundle(twice, read_bundle(a))
    report = import_bundle(twice, read_bundle(b))

    assert state(twice) == state(once) == state(origin)
    assert report.new == {
        "insights": 0,
        "evidence": 0,
        "exemplars": 0,
        "archives": 0,
        "procedures": 0,
        "kinds_said": 0,
        "places_said": 0,
    }
    assert report.already_here == {
        "insights": 4,
        "evidence": 4,
        "exemplars": 1,
        "archives": 0,
        "procedures": 0,
        "kinds_said": 0,
        "places_said": 0,
    }
    assert report.insight_ids == [] and report.exemplar_ids == []


def test_what_the_origin_learned_since_is_all_a_new_export_adds(
    homes: dict[str, Store], tmp_path: Path
) -> None:
    origin, other = homes["origin"], homes["b"]
    taught(origin)
    export(origin, tmp_path / "a.zip")
    import_bundle(other, read_bundle(tmp_path / "a.zip"))

    origin.insights.apply(
        InsightUpdate("heat pot", Relation.NECESSARY, "win", BOIL, 1.5, trial_id=2, steps=(3,))
    )
    promoted(origin, 7.5)
    cupboard = origin.insights.find("open cupboard", "win", BOIL)
    assert cupboard is not None
    origin.edits.edit(cupboard.id or 0, refute=0.5)
    add_exemplar(origin, trial_id=2, score=90)
    export(origin, tmp_path / "c.zip")
    report = import_bundle(other, read_bundle(tmp_path / "c.zip"))

    assert state(other) == state(origin)  # each claim once: as the origin holds it now
    assert report.new == {
        "insights": 3,
        "evidence": 1,
        "exemplars": 1,
        "archives": 0,
        "procedures": 0,
        "kinds_said": 0,
        "places_said": 0,
    }
    assert report.already_here == {
        "insights": 1,
        "evidence": 4,
        "exemplars": 1,
        "archives": 0,
        "procedures": 0,
        "kinds_said": 0,
        "places_said": 0,
    }


def test_a_round_trip_adds_nothing_and_brings_back_only_what_the_other_home_learned(
    homes: dict[str, Store], tmp_path: Path
) -> None:
    origin, other = homes["origin"], homes["b"]
    taught(origin)
    before = state(origin)
    export(origin, tmp_path / "a.zip")
    import_bundle(other, read_bundle(tmp_path / "a.zip"))
    export(other, tmp_path / "back.zip")

    report = import_bundle(origin, read_bundle(tmp_path / "back.zip"))
    assert state(origin) == before
    assert report.new == {
        "insights": 0,
        "evidence": 0,
        "exemplars": 0,
        "archives": 0,
        "procedures": 0,
        "kinds_said": 0,
        "places_said": 0,
    }

    other.insights.apply(
        InsightUpdate("heat pot", Relation.NECESSARY, "win", BOIL, 1.0, trial_id=7, steps=(1,))
    )
    add_exemplar(other, trial_id=None, score=50)
    export(other, tmp_path / "back2.zip")
    report = import_bundle(origin, read_bundle(tmp_path / "back2.zip"))
    claims, exemplars = state(origin)
    support, refute, rows = before[0]["heat pot @ scienceworld/boil"]
    assert claims["heat pot @ scienceworld/boil"] == (support + 1.0, refute, rows + 1)
    assert {k: v for k, v in claims.items() if k != "heat pot @ scienceworld/boil"} == {
        k: v for k, v in before[0].items() if k != "heat pot @ scienceworld/boil"
    }
    assert exemplars == before[1] + 1
    assert report.new == {
        "insights": 1,
        "evidence": 1,
        "exemplars": 1,
        "archives": 0,
        "procedures": 0,
        "kinds_said": 0,
        "places_said": 0,
    }


def test_a_format_1_bundle_still_imports_and_its_rows_get_this_homes_identity(
    homes: dict[str, Store], tmp_path: Path
) -> None:
    other = homes["b"]
    report = import_bundle(other, read_bundle(FORMAT_1))
    claims, exemplars = state(other)
    assert claims == {
        "open cupboard @ scienceworld/boil": (2.0, 0.0, 1),
        "heat pot @ scienceworld/boil": (3.0, 0.0, 1),
        "go to kitchen @ scienceworld/melt": (1.0, 0.0, 1),
    }
    assert exemplars == 1 and report.new["evidence"] == 3
    # Re-exported, what it took in is this home's: a third home counts it once.
    export(other, tmp_path / "again.zip")
    export(other, tmp_path / "again2.zip", Filters(env="scienceworld"))
    third = homes["once"]
    import_bundle(third, read_bundle(tmp_path / "again.zip"))
    import_bundle(third, read_bundle(tmp_path / "again2.zip"))
    assert state(third) == state(other)


def test_a_format_4_bundle_imports_and_the_task_knowledge_is_derived_here(
    homes: dict[str, Store],
) -> None:
    bundle = read_bundle(FORMAT_4)
    assert bundle.manifest.format_version == 4 and bundle.tasks == []
    other = homes["b"]
    report = import_bundle(other, bundle)
    assert report.new["exemplars"] == 4 and report.new["archives"] == 2
    assert report.new["procedures"] == report.new["kinds_said"] == 0
    roles = TaskRoles.of(other, "toy", "fetch")
    ways = other.exemplars.won_ways("toy", "fetch", 50)
    assert procedure_of(ways, roles).lines()[-2:] == [
        "8. take {1} [raised the score]",
        "9. focus on {1} [raised the score]",
    ]


def test_a_format_5_bundle_brings_what_a_person_wrote_but_no_places_said(
    homes: dict[str, Store],
) -> None:
    bundle = read_bundle(FORMAT_5)
    assert bundle.manifest.format_version == 5 and bundle.tasks[0].places_said == []
    other = homes["b"]
    report = import_bundle(other, bundle)
    assert report.new["procedures"] == report.new["kinds_said"] == 1
    assert report.new["places_said"] == 0
    assert other.procedures.written("toy", "fetch") == [
        "go to {1} room",
        "take {1}",
        "focus on {1}",
    ]
    assert other.person_kinds.said("toy", "fetch", "find the thing") == {"brass key": True}


def test_a_bundle_that_repeats_an_identity_is_refused(
    homes: dict[str, Store], tmp_path: Path
) -> None:
    learned(homes["origin"])
    bundle = tmp_path / "a.zip"
    export(homes["origin"], bundle)
    with zipfile.ZipFile(bundle) as archive:
        rows = archive.read("evidence.jsonl").splitlines()
    data = b"\n".join([*rows, rows[0]]) + b"\n"
    bad = rewrite(
        bundle, tmp_path / "bad.zip", member="evidence.jsonl", data=data, fix_manifest=True
    )
    with pytest.raises(BundleError, match="repeats"):
        read_bundle(bad)


def test_a_bundle_cannot_take_identities_this_home_gives_its_own_rows(
    homes: dict[str, Store], tmp_path: Path
) -> None:
    """A forged bundle naming the next evidence row of the importing home is not taken in
    under that name: the home's own next row still gets it."""
    origin, other = homes["origin"], homes["b"]
    learned(origin)
    export(origin, tmp_path / "a.zip")
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        rows = [json.loads(line) for line in archive.read("evidence.jsonl").splitlines()]
    rows[0]["uid"] = f"{other.home_id()}:evidence:1"
    data = "".join(json.dumps(row) + "\n" for row in rows).encode()
    forged = rewrite(
        tmp_path / "a.zip",
        tmp_path / "f.zip",
        member="evidence.jsonl",
        data=data,
        fix_manifest=True,
    )
    import_bundle(other, read_bundle(forged))
    other.insights.apply(InsightUpdate("stir", Relation.NECESSARY, "win", BOIL, 1.0))
    uids = [row["uid"] for row in other.db.table("insight_evidence").rows]
    assert len(uids) == len(set(uids)) == 3


def test_a_claim_the_origin_superseded_since_is_not_counted_again_as_its_successor(
    homes: dict[str, Store], tmp_path: Path
) -> None:
    """The superseding claim carries the old one's weight over: the other home took that in
    as the old claim's evidence already, and ends up believing what the origin believes."""
    origin, other = homes["origin"], homes["b"]
    origin.insights.apply(InsightUpdate("stir", Relation.NECESSARY, "win", BOIL, 3.0, trial_id=1))
    export(origin, tmp_path / "a.zip")
    import_bundle(other, read_bundle(tmp_path / "a.zip"))
    ops = origin.insights.apply(
        InsightUpdate("stir", Relation.DOES_NOT_CONTRIBUTE, "win", BOIL, 4.0, trial_id=2)
    )
    assert "supersede" in [op.op for op in ops]
    export(origin, tmp_path / "b.zip")

    import_bundle(other, read_bundle(tmp_path / "b.zip"))

    (held,) = other.insights.active()
    (believed,) = origin.insights.active()
    assert (held.text, held.support, held.refute) == (
        believed.text,
        believed.support,
        believed.refute,
    )
    # and a home that never saw the old claim gets the same from the new bundle alone
    import_bundle(homes["once"], read_bundle(tmp_path / "b.zip"))
    (fresh,) = homes["once"].insights.active()
    assert (fresh.text, fresh.support, fresh.refute) == (held.text, held.support, held.refute)
