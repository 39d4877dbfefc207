"""The vector index over insights and exemplars: Chroma, with embeddings computed by us.

Chroma is an index, never the source of truth: ``rebuild`` recreates it from SQLite, and
everything still works (minus similarity search) without it. We never let Chroma embed
(its default function downloads a model): vectors come from our ``Embedder``. This is the
only module that imports ``chromadb``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from memory.embedding import Embedder
from memory.errors import IndexUnavailable, IndexWriteFailed
from memory.knowledge import Exemplar, Insight
from memory.lock import briefly, hold

INSIGHTS = "insights"
EXEMPLARS = "exemplars"


@dataclass(frozen=True)
class Hit:
    id: int
    similarity: float  # cosine similarity, 1 = same direction
    metadata: dict[str, Any]


def insight_metadata(insight: Insight) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "scope": insight.where.scope.value,
        "status": insight.status.value,
        "relation": insight.relation.value,
    }
    for key in ("env", "task", "variation"):
        value = getattr(insight.where, key)
        if value is not None:
            meta[key] = value
    return meta


class VectorIndex:
    """Two Chroma collections, ``insights`` (by their text) and ``exemplars`` (by task)."""

    def __init__(
        self,
        embedder: Embedder,
        path: Path | None = None,
        *,
        url: str | None = None,
        namespace: str = "",
        client: Any = None,
    ) -> None:
        """On disk at ``path`` (embedded: one process at a time), or on the Chroma server at
        ``url`` (any number of processes), where ``namespace`` keeps homes apart; or on a
        Chroma ``client`` opened by the caller (``held_briefly``)."""
        self.embedder = embedder
        self.namespace = namespace
        self.path = None if url else path
        if client is None:
            client = _server_client(url) if url else _disk_client(path)
        self.client = client
        self._collections: dict[str, Any] = {}

    @classmethod
    @contextlib.contextmanager
    def held_briefly(cls, embedder: Embedder, path: Path) -> Iterator[VectorIndex]:
        """The embedded index at ``path`` for the length of the block: its lock is taken
        when the block starts (``HomeInUse`` if another process holds it) and dropped, with
        the files, when it ends — so a long-lived reader never keeps the home from others,
        and each block reads what the last writer left."""
        with briefly(path):
            client = _persistent_client(path)
            try:
                yield cls(embedder, client=client)
            finally:
                client.close()  # Chroma shares one client per path: drop it, state and all

    def _name(self, name: str) -> str:
        return f"{self.namespace}-{name}" if self.namespace else name

    def collection(self, name: str) -> Any:
        if name not in self._collections:
            self._collections[name] = self.client.get_or_create_collection(
                self._name(name),
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata=self._signature(),
            )
        return self._collections[name]

    def _signature(self) -> dict[str, Any]:
        return {"embedder": self.embedder.name, "dimension": self.embedder.dimension}

    def matches_embedder(self) -> bool:
        """False if a collection was built by another embedder (its vectors are useless to
        this one, and may not even have the same dimension): the index must be rebuilt."""
        existing = {c.name for c in self.client.list_collections()}
        for name in map(self._name, (INSIGHTS, EXEMPLARS)):
            if name in existing:
                metadata = self.client.get_collection(name).metadata or {}
                if {k: metadata.get(k) for k in ("embedder", "dimension")} != self._signature():
                    return False
        return True

    def add_insights(self, insights: Sequence[Insight]) -> None:
        insights = [i for i in insights if i.id is not None]
        for batch in self._batches(insights):
            with self._writing():
                self.collection(INSIGHTS).upsert(
                    ids=[str(i.id) for i in batch],
                    embeddings=self.embedder.embed([i.text for i in batch]),
                    documents=[i.text for i in batch],
                    metadatas=[insight_metadata(i) for i in batch],
                )

    def _batches(self, items: Sequence[Any]) -> list[Sequence[Any]]:
        """Chroma refuses writes above its maximum batch size (~5k): rebuilding a large
        store goes in slices."""
        size = min(self.client.get_max_batch_size(), 2048)
        return [items[start : start + size] for start in range(0, len(items), size)]

    def add_exemplars(self, exemplars: Sequence[Exemplar]) -> None:
        exemplars = [e for e in exemplars if e.id is not None]
        for batch in self._batches(exemplars):
            metadatas = []
            for e in batch:
                meta: dict[str, Any] = {"env": e.env, "task": e.task, "score": e.score}
                if e.variation is not None:
                    meta["variation"] = e.variation
                metadatas.append(meta)
            with self._writing():
                self.collection(EXEMPLARS).upsert(
                    ids=[str(e.id) for e in batch],
                    embeddings=self.embedder.embed([e.task_description or e.spec for e in batch]),
                    documents=[e.task_description or e.spec for e in batch],
                    metadatas=metadatas,
                )

    def similar(
        self, name: str, text: str, k: int = 10, where: dict[str, Any] | None = None
    ) -> list[Hit]:
        collection = self.collection(name)
        if collection.count() == 0:
            return []
        result = collection.query(
            query_embeddings=self.embedder.embed([text]),
            n_results=min(k, collection.count()),
            where=where,
            include=["distances", "metadatas"],
        )
        return [
            Hit(int(i), 1.0 - float(d), dict(m or {}))
            for i, d, m in zip(
                result["ids"][0], result["distances"][0], result["metadatas"][0], strict=True
            )
        ]

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """A write Chroma refuses on disk is one line: it says a full disk only as "Error in
        compaction", and the index is derived — SQLite, committed first, has everything."""
        import chromadb.errors

        try:
            yield
        except chromadb.errors.ChromaError as error:
            if self.path is None:
                raise
            raise IndexWriteFailed(
                f"cannot write to the cairn home's vector index in {self.path} ({error}): "
                "free some space if the disk is full; what was learned is saved in SQLite "
                "and the index catches up on the next run"
            ) from error

    def count(self, name: str) -> int:
        return int(self.collection(name).count())

    def ids(self, name: str) -> set[int]:
        return {int(i) for i in self.collection(name).get(include=[])["ids"]}

    def delete(self, name: str, ids: set[int]) -> None:
        for batch in self._batches(sorted(ids)):
            with self._writing():
                self.collection(name).delete(ids=[str(i) for i in batch])

    def reset(self) -> None:
        """Drop both collections (``rebuild`` fills them again from SQLite)."""
        for name in map(self._name, (INSIGHTS, EXEMPLARS)):
            if name in {c.name for c in self.client.list_collections()}:
                self.client.delete_collection(name)
        self._collections.clear()


def _disk_client(path: Path | None) -> Any:
    if path is None:
        raise ValueError("a vector index needs a path or a server url")
    hold(path)  # one process at a time: fail fast rather than lose vectors
    return _persistent_client(path)


def _persistent_client(path: Path) -> Any:
    import chromadb

    # Always on disk: Chroma's in-memory clients share one state per process.
    settings = chromadb.Settings(anonymized_telemetry=False)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def _server_client(url: str) -> Any:
    import chromadb

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise IndexUnavailable(f"bad memory url {url!r}: write http://HOST:PORT")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 8000)
        return chromadb.HttpClient(
            host=parts.hostname,
            port=port,
            ssl=parts.scheme == "https",
            settings=chromadb.Settings(anonymized_telemetry=False),
        )
    except ValueError as error:
        raise IndexUnavailable(
            f"no Chroma server answers at {url} ({error}): start one with `cairn serve`"
        ) from None
