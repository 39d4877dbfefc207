"""Fuzzing import, the trust boundary: damaged archives and hostile member contents.

A bundle either imports or raises ``BundleError``; when it raises, the store is unchanged.
``CAIRN_FUZZ_EXAMPLES`` inputs per property (10,000 by default, fewer in the fast tier).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memory.bundle import FORMAT_VERSION, Filters, export_bundle, read_bundle
from memory.bundle import members as members_of
from memory.bundle_import import import_bundle
from memory.errors import BundleError
from memory.knowledge import InsightUpdate, Relation, Scope, Where
from memory.store import Store
from tests.support.fuzz import fuzz

TABLES = ("insights", "insight_evidence", "insight_ops", "exemplars", "imports")


@pytest.fixture(scope="module")
def valid(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The members of a real bundle exported from a real store."""
    folder = tmp_path_factory.mktemp("valid")
    source = Store.in_home(folder / "home")
    for subject in ("open cupboard", "heat pot"):
        source.insights.apply(
            InsightUpdate(
                subject,
                Relation.NECESSARY,
                "boil water",
                Where(Scope.TASK, "sw", "boil"),
                2.0,
                trial_id=1,
                steps=(1, 2),
            )
        )
    export_bundle(
        source, folder / "b.zip", filters=Filters(), cairn_version="t", embedding_model="hash"
    )
    source.close()
    with zipfile.ZipFile(folder / "b.zip") as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store.in_home(tmp_path_factory.mktemp("target"))


def snapshot(store: Store) -> list[list[dict[str, object]]]:
    return [list(store.db.table(t).rows) for t in TABLES]


def pack(members: dict[str, bytes], fix_manifest: bool) -> bytes:
    members = dict(members)
    if fix_manifest:
        manifest = json.loads(members["manifest.json"])
        for name in members_of(FORMAT_VERSION):
            data = members.get(name, b"")
            manifest["files"][name] = {
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
            }
        members["manifest.json"] = json.dumps(manifest).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def import_or_refuse(store: Store, data: bytes, path: Path) -> None:
    path.write_bytes(data)
    before = snapshot(store)
    try:
        bundle = read_bundle(path)
        import_bundle(store, bundle)
    except BundleError as error:
        assert str(error)
        assert snapshot(store) == before
        return
    # It imported: everything it holds passed the schema, and the store took it whole.
    assert len(snapshot(store)[0]) >= len(before[0])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "id",
    "subject",
    "relation",
    "goal",
    "scope",
    "env",
    "task",
    "variation",
    "support",
    "refute",
    "origin",
    "pinned",
    "order",
    "insight",
    "weight",
    "kind",
    "steps",
    "score",
    "uid",
    "residuals",
    "home_id",
    "format_version",
]


def hostile_line(valid_line: dict[str, object]) -> st.SearchStrategy[bytes]:
    """A valid record with fields changed, removed or added — or plain junk."""
    changed = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=3).map(
        lambda changes: (json.dumps({**valid_line, **changes}) + "\n").encode()
    )
    return changed | st.binary(max_size=200) | st.text(max_size=200).map(str.encode)


@fuzz
@given(data=st.data())
def test_hostile_member_contents_import_whole_or_change_nothing(
    valid: dict[str, bytes],
    target: Store,
    tmp_path_factory: pytest.TempPathFactory,
    data: st.DataObject,
) -> None:
    member = data.draw(
        st.sampled_from(
            [
                "insights.jsonl",
                "evidence.jsonl",
                "operations.jsonl",
                "exemplars.jsonl",
                "manifest.json",
            ]
        )
    )
    if member == "manifest.json":
        record = json.loads(valid[member])
    else:
        record = json.loads(valid[member].splitlines()[0]) if valid[member].strip() else {}
    line = data.draw(hostile_line(record))
    members = {**valid, member: line if member == "manifest.json" else valid[member] + line}
    path = tmp_path_factory.getbasetemp() / "hostile.zip"
    import_or_refuse(target, pack(members, fix_manifest=member != "manifest.json"), path)


@fuzz
@given(data=st.data())
def test_damaged_archives_are_refused_and_change_nothing(
    valid: dict[str, bytes],
    target: Store,
    tmp_path_factory: pytest.TempPathFactory,
    data: st.DataObject,
) -> None:
    archive = bytearray(pack(valid, fix_manifest=False))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(archive) - 1))
        archive[at : at + 4] = data.draw(st.binary(min_size=0, max_size=8))
    extra = data.draw(st.sampled_from(["", "../escape", "/etc/passwd", "manifest.json/../x"]))
    if extra:
        members = {**valid, extra: b"x"}
        archive = bytearray(pack(members, fix_manifest=False))
    path = tmp_path_factory.getbasetemp() / "damaged.zip"
    import_or_refuse(target, bytes(archive), path)
