"""``Memory``: insights and exemplars in the store, kept in step with the vector index.

The one object higher layers learn into and recall from. Writes go to SQLite first; the index
follows, and can always be rebuilt from SQLite (``rebuild_index``). Inside ``transaction()``
(what one trial teaches) the SQLite writes commit together and the index follows the commit.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from memory.embedding import cosine
from memory.insights import Operation
from memory.knowledge import Exemplar, Insight, InsightUpdate, Origin, Status, claim
from memory.store import Store
from memory.vectors import EXEMPLARS, INSIGHTS, VectorIndex

OVER_FETCH = 4  # nearest exemplars fetched per one wanted (the index does not filter)

# MiniLM on whole claims: rewordings 0.94-0.96, same claim about another object 0.81-0.87.
DUPLICATE_SIMILARITY = 0.92


@dataclass
class _Deferred:
    """Index writes waiting for the transaction under way to commit."""

    insights: set[int] = field(default_factory=set)
    exemplars: list[Exemplar] = field(default_factory=list)


class Memory:
    """``lag``: how many seconds what is derived or broad may trail SQLite. 0 (the
    default): nothing does. The memory service, which learns a cluster's trials, gives it a
    few seconds, and then:

    - the index is written for many commits at once (a write costs ~25 ms however few
      entries it has); a crash leaves it behind, and ``repair`` catches it up;
    - the environment- and global-scope insights recall reads (up to 2,000 rows, the same
      for every task) are read again once they are that old; a variation's and its task's
      own insights are always read fresh, so trial 2 still learns from trial 1.
    """

    MAX_LAGGING = 256  # entries: written then, whatever their age

    def __init__(self, store: Store, index: VectorIndex | None = None, *, lag: float = 0.0) -> None:
        self.store = store
        self.index = index
        self.lag = lag
        self._deferred: _Deferred | None = None
        self._lagging, self._lagging_since = _Deferred(), 0.0
        self._broad: dict[str, tuple[float, list[Insight]]] = {}  # env -> (read at, insights)
        if index is not None and not index.matches_embedder():
            self.rebuild_index()  # built by another embedding model: re-embed from SQLite

    # --- learning ------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Learn all or nothing: the SQLite writes inside are one transaction, so a crash,
        an interrupt or an error keeps every one of them or none. The index is written once
        they are committed — before, it could keep what SQLite rolled back (whose ids SQLite
        then gives to other rows); a crash after the commit leaves it behind, and ``repair``
        catches it up. Nested blocks join the outer one."""
        if self._deferred is not None:
            yield
            return
        self._deferred = deferred = _Deferred()
        try:
            with self.store.db.atomic():
                yield
        finally:
            self._deferred = None
        self._write_index(deferred)

    def _write_index(self, entries: _Deferred) -> None:
        """Committed entries to the index: now, or with the others lagging (``lag``)."""
        if self.index is None:
            return
        if not self.lag:
            self._index_now(entries)
            return
        lagging = self._lagging
        if not (lagging.insights or lagging.exemplars):
            self._lagging_since = time.monotonic()
        lagging.insights |= entries.insights
        lagging.exemplars += entries.exemplars
        old = time.monotonic() - self._lagging_since >= self.lag
        if old or len(lagging.insights) + len(lagging.exemplars) >= self.MAX_LAGGING:
            self.flush_index()

    def flush_index(self) -> None:
        """Write what the index lags behind SQLite (``lag``)."""
        lagging, self._lagging = self._lagging, _Deferred()
        self._index_now(lagging)

    def _index_now(self, entries: _Deferred) -> None:
        assert self.index is not None
        if entries.insights:
            changed = [self.store.insights.get(i) for i in sorted(entries.insights)]
            self.index.add_insights([i for i in changed if i is not None])
        if entries.exemplars:
            self.index.add_exemplars(entries.exemplars)

    def learn(self, updates: Iterable[InsightUpdate], actor: str | None = None) -> list[Operation]:
        ops: list[Operation] = []
        for update in updates:
            ops += self.store.insights.apply(self.canonical(update), actor)
        self.reindex(changed_claims(ops))
        return ops

    def canonical(self, update: InsightUpdate) -> InsightUpdate:
        """Write a reworded claim onto the insight it duplicates (same scope, same polarity).

        Evidence reflectors write exact action strings; model-written insights vary their
        wording, and would otherwise split one belief's evidence in two.
        """
        if self.index is None or update.origin != Origin.LLM:
            return update
        insights = self.store.insights
        if insights.find(update.subject, update.goal, update.where) is not None:
            return update
        if insights.find_forgotten(update.subject, update.goal, update.where) is not None:
            return update  # recorded against the forgotten claim, not moved onto another
        text = claim(update.subject, update.relation, update.goal)
        for existing, similarity in self._similar_claims(text):
            if (
                similarity >= DUPLICATE_SIMILARITY
                and existing.where == update.where
                and existing.relation.positive == update.relation.positive
            ):
                return replace(update, subject=existing.subject, goal=existing.goal)
        return update

    def _similar_claims(self, text: str) -> list[tuple[Insight, float]]:
        """Active insights near ``text``, with their similarity: the index's, and those the
        transaction under way changed (which the index has not seen yet)."""
        assert self.index is not None
        found = []
        # Over-fetch rather than filter in Chroma (see ``exemplars_for``); the inactive
        # ones are dropped below.
        for hit in self.index.similar(INSIGHTS, text, k=OVER_FETCH * 5):
            found.append((self.store.insights.get(hit.id), hit.similarity))
        pending = sorted(
            self._lagging.insights | (self._deferred.insights if self._deferred else set())
        )
        changed = [i for i in map(self.store.insights.get, pending) if i is not None]
        if changed:
            query, *vectors = self.index.embedder.embed([text, *(i.text for i in changed)])
            found += [(i, cosine(query, v)) for i, v in zip(changed, vectors, strict=True)]
        return [(i, s) for i, s in found if i is not None and i.status is Status.ACTIVE]

    def remember(self, exemplar: Exemplar) -> Exemplar:
        stored = replace(exemplar, id=self.store.exemplars.add(exemplar))
        if self._deferred is not None:
            self._deferred.exemplars.append(stored)
        else:
            self._write_index(_Deferred(exemplars=[stored]))
        return stored

    def reindex(self, insight_ids: set[int]) -> None:
        """Bring these insights' entries in the vector index up to date with SQLite (within
        a ``transaction``, once it commits)."""
        if self._deferred is not None:
            self._deferred.insights |= insight_ids
        elif insight_ids:
            self._write_index(_Deferred(insights=set(insight_ids)))

    def stamp(self) -> dict[str, int]:
        """Where SQLite is now; a derived index saved with another stamp is stale."""
        return {
            "last_operation": self.store.insights.last_operation_id(),
            "last_exemplar": self.store.exemplars.last_id(),
        }

    def drift(self) -> dict[str, dict[str, int]]:
        """How far the vector index is from SQLite: entries missing from it, and entries it
        has that SQLite does not (both 0 when they match)."""
        return _sizes(self._differences())

    def repair(self) -> dict[str, dict[str, int]]:
        """Bring the index level with SQLite — a crash between the SQLite commit and the
        index write leaves entries out — and return the drift that was repaired."""
        if self.index is None:
            return {}
        found = self._differences()
        missing, extra = found[INSIGHTS]
        self.index.add_insights([i for i in map(self.store.insights.get, sorted(missing)) if i])
        self.index.delete(INSIGHTS, extra)
        missing, extra = found[EXEMPLARS]
        self.index.add_exemplars(self.store.exemplars.by_ids(sorted(missing)))
        self.index.delete(EXEMPLARS, extra)
        return _sizes(found)

    def _differences(self) -> dict[str, tuple[set[int], set[int]]]:
        if self.index is None:
            return {}
        truth = {INSIGHTS: self.store.insights.ids(), EXEMPLARS: self.store.exemplars.ids()}
        found = {}
        for name, ids in truth.items():
            indexed = self.index.ids(name)
            found[name] = (ids - indexed, indexed - ids)
        return found

    def rebuild_index(self) -> None:
        if self.index is None:
            return
        self.index.reset()
        self.index.add_insights(list(self.store.insights.all()))
        self.index.add_exemplars(self.store.exemplars.all())

    # --- recalling -----------------------------------------------------------------------

    def insights_for(self, env_name: str, task: str, variation: str | None) -> list[Insight]:
        """What holds for the variation, narrowest scope first (broad ones up to ``lag`` old)."""
        insights = self.store.insights
        if not self.lag:
            return insights.for_task(env_name, task, variation)
        read_at, broad = self._broad.get(env_name, (-math.inf, []))  # never read: read now
        if time.monotonic() - read_at >= self.lag:
            read_at, broad = time.monotonic(), insights.broad(env_name)
            self._broad[env_name] = (read_at, broad)
        return insights.narrow(env_name, task, variation) + broad

    def exemplars_for(
        self, env_name: str, task: str, variation: str | None, description: str, limit: int = 5
    ) -> list[Exemplar]:
        """Best trajectories to learn from: this variation's, then this task's, then (by
        similarity of the task description) other tasks' — best-scoring first in each."""
        chosen: dict[int, Exemplar] = {}
        for exemplar in self.store.exemplars.for_task(env_name, task, variation, limit):
            chosen.setdefault(exemplar.id or 0, exemplar)
        for exemplar in self.store.exemplars.for_task(env_name, task, None, limit):
            chosen.setdefault(exemplar.id or 0, exemplar)
        if self.index is not None and len(chosen) < limit:
            # No metadata filter in Chroma: with a million insights in its store, a `where`
            # took 0.6 s against ~5 ms without. Over-fetch and keep this environment's.
            hits = self.index.similar(EXEMPLARS, description, k=OVER_FETCH * limit)
            ids = [h.id for h in hits if h.metadata.get("env") == env_name][:limit]
            for exemplar in self.store.exemplars.by_ids(ids):
                chosen.setdefault(exemplar.id or 0, exemplar)
        return list(chosen.values())[:limit]

    def similar_insights(self, text: str, k: int = 10) -> list[Insight]:
        return [insight for insight, _ in self.similar_insights_scored(text, k)]

    def similar_insights_scored(self, text: str, k: int = 10) -> list[tuple[Insight, float]]:
        """Active insights closest in meaning to ``text``, with their cosine similarity."""
        if self.index is None:
            return []
        # No metadata filter in Chroma (a `where` costs ~250 ms at 100k insights against ~5 ms
        # without): over-fetch and let SQLite, which decides, drop the inactive ones.
        hits = self.index.similar(INSIGHTS, text, k=3 * k)
        found = [(self.store.insights.get(h.id), h.similarity) for h in hits]
        return [(i, s) for i, s in found if i is not None and i.status is Status.ACTIVE][:k]


def changed_claims(ops: Iterable[Operation]) -> set[int]:
    """The insights whose entries in the index these operations made stale."""
    return {insight_id for op in ops for insight_id in op.changed_claims}


def _sizes(differences: dict[str, tuple[set[int], set[int]]]) -> dict[str, dict[str, int]]:
    return {
        name: {"missing": len(missing), "extra": len(extra)}
        for name, (missing, extra) in differences.items()
    }
