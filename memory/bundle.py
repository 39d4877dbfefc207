"""Knowledge bundles: what one home learned, packed so another home can take it in.

A bundle is a zip of JSON-lines files and a manifest::

    manifest.json     format and version, cairn version, the exporting home's id (home_id),
                      embedding model, filters, counts, and the size and SHA-256 of every
                      other file
    insights.jsonl    insights (with a bundle-local id), each with its residuals: the
                      support and refutation it holds beyond its evidence rows, named
                      ``<home>:insight:<id>`` by the home that holds them (memory.residuals)
    evidence.jsonl    their evidence (which trial and steps, in the exporting home), each row
                      named by the home it was made in: ``uid`` = ``<home>:evidence:<row>``
    exemplars.jsonl   exemplar trajectories, named ``<home>:trial:<trial>`` (or
                      ``<home>:exemplar:<row>`` without a trial)
    operations.jsonl  the operation log of the exported insights
    archives.jsonl    each game's archive of cells: the ways found, what was tried where and
                      what lost (``memory.bundle_archives``; from format 3)
    tasks.jsonl       what carries to a new variation of each task: its description with
                      its roles numbered, the procedure, what its variations agree on, where
                      things were found (``agent.learning.tasks``; from format 5)
    graph.json        the knowledge graph (informational: the importer rebuilds its own)

Format 2 added the names (``uid``, ``residuals``, ``home_id``): with them the importer
counts each piece of evidence once, whichever bundle brings it (``memory.bundle_import``).
Format 1 bundles still import, but name nothing, so only a byte-identical one is known again.
Format 3 added the archives; bundles of formats 1 and 2 import without them. Format 4 marks
the outcomes that led to different states from the same state (``varied``); older archives
import as if none did. Format 5 added ``tasks.jsonl`` and each insight's role form
(``role_subject``, ``role_goal``): a reader's view, derived again by the importing home from
the trajectories, but for a procedure a person wrote, which is imported. Format 6 adds, in
``tasks.jsonl``, where a person said a task's things are (``places_said``), imported too;
format 5 bundles import without it.

Embeddings are not in it: the importing home embeds with its own model. Import is a trust
boundary: every file is checked (names, sizes, checksums, schema) before anything is written,
and the writing is one transaction — a bad bundle changes nothing. Bundle text is data; it is
never executed, and only the listed members are read (no path leaves the archive).
This module writes and reads bundles; ``memory.bundle_import`` takes a read one in.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from memory.bundle_archives import archive_record
from memory.bundle_evidence import ExportedEvidence
from memory.bundle_schema import (
    MAX_MEMBER_BYTES,
    ArchiveRecord,
    EvidenceRecord,
    ExemplarRecord,
    InsightRecord,
    Manifest,
    OperationRecord,
    TaskRecord,
)
from memory.clock import now
from memory.errors import BundleError
from memory.files import write_atomically
from memory.knowledge import Insight, Scope
from memory.store import Store

FORMAT = "cairn-bundle"
FORMAT_VERSION = 6
MEMBERS = ("insights.jsonl", "evidence.jsonl", "exemplars.jsonl", "operations.jsonl", "graph.json")
# The members a later format added, and the format they came with.
ADDED = {"archives.jsonl": 3, "tasks.jsonl": 5}


def members(version: int) -> tuple[str, ...]:
    """The files a bundle of this format holds besides its manifest."""
    return (*MEMBERS, *(name for name, since in ADDED.items() if version >= since))


# --- export ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    scope: Scope | None = None
    env: str | None = None
    task: str | None = None

    def admits(self, insight: Insight) -> bool:
        where = insight.where
        return (
            (self.scope is None or where.scope is self.scope)
            and (self.env is None or where.env == self.env)
            and (self.task is None or where.task == self.task)
        )


def _jsonl(records: Iterable[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, sort_keys=True, default=str) + "\n" for r in records).encode()


def export_bundle(
    store: Store,
    path: Path,
    *,
    filters: Filters,
    cairn_version: str,
    embedding_model: str,
    graph: dict[str, Any] | None = None,
    role_form: Callable[[Insight], tuple[str, str] | None] = lambda insight: None,
    tasks: Sequence[dict[str, Any]] = (),
) -> dict[str, int]:
    """Write the active insights (and their evidence and history) and the exemplars that
    ``filters`` admit to a bundle at ``path``; return the counts. ``role_form`` gives an
    insight's subject and goal in its task's roles, ``tasks`` what carries to each task's
    new variations (``agent.learning.tasks``): the agent's views, handed down to be kept."""
    insights = [i for i in store.insights.active() if filters.admits(i)]
    records, evidence = ExportedEvidence(store).records(insights)
    for insight, record in zip(insights, records, strict=True):
        form = role_form(insight)
        if form is not None:
            record["role_subject"], record["role_goal"] = form
    ids = {i.id for i in insights}
    operations = [
        {"insight": op["insight_id"], **{k: op[k] for k in ("op", "actor", "details", "at")}}
        for op in store.insights.operations()
        if op["insight_id"] in ids
    ]
    exemplars = [
        {k: v for k, v in asdict(e).items() if k not in ("id", "trial_id")}
        for e in store.exemplars.all()
        if (filters.env is None or e.env == filters.env)
        and (filters.task is None or e.task == filters.task)
    ]
    archives = [
        archive_record(a)
        for a in store.archives.all()
        if (filters.env is None or a.env == filters.env)
        and (filters.task is None or a.task == filters.task)
    ]
    files = {
        "insights.jsonl": _jsonl(records),
        "evidence.jsonl": _jsonl(evidence),
        "exemplars.jsonl": _jsonl(exemplars),
        "operations.jsonl": _jsonl(operations),
        "archives.jsonl": _jsonl(archives),
        "tasks.jsonl": _jsonl(tasks),
        "graph.json": json.dumps(graph or {}).encode(),
    }
    counts = {
        "insights": len(insights),
        "evidence": len(evidence),
        "exemplars": len(exemplars),
        "operations": len(operations),
        "archives": len(archives),
        "tasks": len(tasks),
    }
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "cairn_version": cairn_version,
        "created_at": now(),
        "home_id": store.home_id(),
        "embedding_model": embedding_model,
        "filters": {
            k: (v.value if isinstance(v, Scope) else v) for k, v in asdict(filters).items()
        },
        "counts": counts,
        "files": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for name, data in files.items()
        },
    }
    _write(path, manifest, files)
    return counts


def _write(path: Path, manifest: dict[str, Any], files: dict[str, bytes]) -> None:
    packed = io.BytesIO()  # the members are in memory already; so is their zip, briefly
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        for name, data in files.items():
            archive.writestr(name, data)
    try:
        write_atomically(path, packed.getvalue())
    except OSError as error:
        raise BundleError(f"cannot write {path}: {error.strerror}") from None


# --- import ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bundle:
    name: str
    sha256: str
    manifest: Manifest
    insights: list[InsightRecord]
    evidence: list[EvidenceRecord]
    exemplars: list[ExemplarRecord]
    operations: list[OperationRecord]
    archives: list[ArchiveRecord]
    tasks: list[TaskRecord]


def read_bundle(path: Path) -> Bundle:
    """Open and check everything in a bundle; raise ``BundleError`` with the first problem."""
    try:
        raw = path.read_bytes()
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BundleError(f"no bundle at {path}") from None
    except (OSError, ValueError, NotImplementedError, zipfile.BadZipFile) as error:
        # NotImplementedError: a directory that claims a zip version this Python cannot read
        raise BundleError(f"{path} is not a cairn bundle (not a readable zip: {error})") from None
    try:
        with archive:
            manifest, contents = _checked_members(path, archive)
    except (
        zipfile.BadZipFile,
        NotImplementedError,
        RuntimeError,
        EOFError,
        OSError,
        ValueError,  # e.g. a member name flagged UTF-8 that is not
        zlib.error,
    ) as error:  # what a damaged archive raises while its members are read
        raise BundleError(f"{path} is damaged: {error}") from None
    bundle = Bundle(
        name=path.name,
        sha256=hashlib.sha256(raw).hexdigest(),
        manifest=manifest,
        insights=_lines(InsightRecord, contents["insights.jsonl"], "insights.jsonl"),
        evidence=_lines(EvidenceRecord, contents["evidence.jsonl"], "evidence.jsonl"),
        exemplars=_lines(ExemplarRecord, contents["exemplars.jsonl"], "exemplars.jsonl"),
        operations=_lines(OperationRecord, contents["operations.jsonl"], "operations.jsonl"),
        archives=_lines(ArchiveRecord, contents.get("archives.jsonl", b""), "archives.jsonl"),
        tasks=_lines(TaskRecord, contents.get("tasks.jsonl", b""), "tasks.jsonl"),
    )
    ids = {i.id for i in bundle.insights}
    if len(ids) != len(bundle.insights):
        raise BundleError(f"{path}: insights.jsonl repeats an id")
    dangling = {e.insight for e in bundle.evidence} - ids
    if dangling:
        raise BundleError(
            f"{path}: evidence refers to insights not in the bundle "
            f"(ids {', '.join(str(i) for i in sorted(dangling)[:3])})"
        )
    if manifest.format_version >= 2:
        _check_identities(path, bundle)
    return bundle


def _check_identities(path: Path, bundle: Bundle) -> None:
    """From format 2 every evidence row and exemplar is named, each name once: what the
    importer counts once (format 1 named nothing)."""
    if bundle.manifest.home_id is None:
        raise BundleError(f"{path}: the manifest does not say which home wrote it (home_id)")
    named: dict[str, list[str | None]] = {
        "evidence.jsonl": [e.uid for e in bundle.evidence],
        "exemplars.jsonl": [e.uid for e in bundle.exemplars],
        "insights.jsonl": [r.uid for i in bundle.insights for r in i.residuals],
    }
    for member, uids in named.items():
        seen: set[str] = set()
        for uid in uids:
            if uid is None:
                raise BundleError(f"{path}: {member} has a record without a uid (format 2)")
            if uid in seen:
                raise BundleError(f"{path}: {member} repeats the uid {uid}")
            seen.add(uid)


def _checked_members(path: Path, archive: zipfile.ZipFile) -> tuple[Manifest, dict[str, bytes]]:
    """The manifest and every listed member, each checked against it (names, sizes, sums)."""
    names = set(archive.namelist())
    unexpected = names - {"manifest.json", *members(FORMAT_VERSION)}
    if unexpected:
        shown = ", ".join(repr(name) for name in sorted(unexpected)[:3])  # names are untrusted
        raise BundleError(f"{path}: unexpected files {shown}: not a cairn bundle")
    if "manifest.json" not in names:
        raise BundleError(f"{path}: manifest.json is missing: not a whole cairn bundle")
    manifest = _model(Manifest, _member(archive, "manifest.json"), "manifest.json")
    if manifest.format_version > FORMAT_VERSION:
        raise BundleError(
            f"{path} is format {manifest.format_version}; this cairn reads up to "
            f"{FORMAT_VERSION}: upgrade cairn"
        )
    expected = members(manifest.format_version)
    missing = set(expected) - names
    if missing:
        raise BundleError(f"{path}: {sorted(missing)[0]} is missing: not a whole cairn bundle")
    contents = {}
    for name in expected:
        entry = manifest.files.get(name)
        if entry is None:
            raise BundleError(f"{path}: the manifest does not list {name}")
        data = _member(archive, name, entry.bytes)
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            raise BundleError(f"{path}: {name} does not match its checksum (damaged or altered)")
        contents[name] = data
    return manifest, contents


def _member(archive: zipfile.ZipFile, name: str, expected: int | None = None) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_MEMBER_BYTES or (expected is not None and info.file_size != expected):
        raise BundleError(
            f"{name} is {info.file_size} bytes, not the {expected} the manifest says (damaged)"
        )
    with archive.open(info) as member:
        data = member.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise BundleError(f"{name} is larger than {MAX_MEMBER_BYTES} bytes")
    return data


def _model(model: type[Any], data: bytes, where: str) -> Any:
    try:
        return model.model_validate_json(data)
    except ValidationError as error:
        first = error.errors()[0]
        place = ".".join(str(p) for p in first["loc"])
        raise BundleError(f"{where}: {place}: {first['msg']}") from None


def _lines(model: type[Any], data: bytes, where: str) -> list[Any]:
    try:
        text = data.decode()
    except UnicodeDecodeError:
        raise BundleError(f"{where} is not UTF-8 text") from None
    return [
        _model(model, line.encode(), f"{where} line {n}")
        for n, line in enumerate(text.splitlines(), 1)
        if line.strip()
    ]
