"""The Chroma index: embeddings are ours, it is rebuildable, and it merges rewordings."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from memory.embedding import HashEmbedder, MiniLMEmbedder
from memory.knowledge import (
    Exemplar,
    ExemplarStep,
    Insight,
    InsightUpdate,
    Relation,
    Scope,
    Where,
)
from memory.memory import Memory, changed_claims
from memory.store import Store
from memory.vectors import EXEMPLARS, INSIGHTS, VectorIndex

HERE = Where(Scope.VARIATION, "scienceworld", "boil", "3")


def exemplar(task: str, description: str, score: float) -> Exemplar:
    steps = (ExemplarStep("look around", "A room.", 0.0, score, "s1", 1.0, True),)
    return Exemplar(
        "scienceworld", task, "0", f"scienceworld:{task}@0", description, score, False, steps
    )


def test_index_follows_sqlite_and_rebuilds_from_it(store: Store, tmp_path: Path) -> None:
    memory = Memory(store, VectorIndex(HashEmbedder(), tmp_path / "chroma"))
    memory.learn([InsightUpdate("open cupboard", Relation.NECESSARY, "boil water", HERE)])
    memory.learn([InsightUpdate("go to kitchen", Relation.MAY_BE_NECESSARY, "boil water", HERE)])
    memory.remember(exemplar("boil", "Your task is to boil water.", 50.0))
    assert memory.index is not None
    assert (memory.index.count(INSIGHTS), memory.index.count(EXEMPLARS)) == (2, 1)
    memory.index.reset()
    assert memory.index.count(INSIGHTS) == 0
    memory.rebuild_index()
    assert (memory.index.count(INSIGHTS), memory.index.count(EXEMPLARS)) == (2, 1)
    reopened = VectorIndex(HashEmbedder(), tmp_path / "chroma")  # persisted on disk
    assert reopened.count(INSIGHTS) == 2


def test_a_lagging_index_writes_many_commits_at_once_and_when_flushed(
    store: Store, tmp_path: Path
) -> None:
    memory = Memory(store, VectorIndex(HashEmbedder(), tmp_path / "chroma"), lag=3600)
    for subject in ("open cupboard", "go to kitchen"):
        with memory.transaction():
            memory.learn([InsightUpdate(subject, Relation.NECESSARY, "boil water", HERE)])
    memory.remember(exemplar("boil", "Your task is to boil water.", 50.0))
    assert memory.index is not None
    assert (memory.index.count(INSIGHTS), memory.index.count(EXEMPLARS)) == (0, 0)  # trailing
    assert [i.subject for i in memory.insights_for("scienceworld", "boil", "3")] == [
        "open cupboard",
        "go to kitchen",
    ]  # recall reads SQLite, which is never behind
    memory.flush_index()
    assert (memory.index.count(INSIGHTS), memory.index.count(EXEMPLARS)) == (2, 1)
    memory.MAX_LAGGING = 1  # a lag that is full is written whatever its age
    memory.learn([InsightUpdate("heat pot", Relation.NECESSARY, "boil water", HERE)])
    assert memory.index.count(INSIGHTS) == 3


def test_a_lagging_memory_reads_broad_insights_again_only_once_they_are_old(
    store: Store,
) -> None:
    memory = Memory(store, lag=3600)
    broad = Where(Scope.ENVIRONMENT, "scienceworld")
    memory.learn([InsightUpdate("look around", Relation.NECESSARY, "win", broad)])
    assert [i.subject for i in memory.insights_for("scienceworld", "boil", "3")] == ["look around"]
    memory.learn([InsightUpdate("wait", Relation.NECESSARY, "win", broad)])
    memory.learn([InsightUpdate("open cupboard", Relation.NECESSARY, "boil water", HERE)])
    recalled = [i.subject for i in memory.insights_for("scienceworld", "boil", "3")]
    assert recalled == ["open cupboard", "look around"]  # the variation's fresh, broad ones kept
    memory.lag = 1e-9
    recalled = [i.subject for i in memory.insights_for("scienceworld", "boil", "3")]
    assert recalled[0] == "open cupboard" and set(recalled[1:]) == {"look around", "wait"}


def test_repair_brings_an_index_a_crash_left_behind_level_with_sqlite(
    store: Store, tmp_path: Path
) -> None:
    memory = Memory(store, VectorIndex(HashEmbedder(), tmp_path / "chroma"))
    for subject in ("open cupboard", "go to kitchen", "heat pot"):
        memory.learn([InsightUpdate(subject, Relation.NECESSARY, "boil water", HERE)])
    memory.remember(exemplar("boil", "Your task is to boil water.", 50.0))
    assert memory.drift() == {
        "insights": {"missing": 0, "extra": 0},
        "exemplars": {"missing": 0, "extra": 0},
    }
    assert memory.index is not None
    memory.index.delete(INSIGHTS, {1, 2})  # as if killed before the index write
    memory.index.delete(EXEMPLARS, {1})
    memory.index.add_insights(  # and an entry SQLite never committed
        [Insight("ghost", Relation.NECESSARY, "boil water", HERE, id=99)]
    )
    assert memory.drift()["insights"] == {"missing": 2, "extra": 1}

    repaired = memory.repair()

    assert repaired["insights"] == {"missing": 2, "extra": 1}
    assert repaired["exemplars"] == {"missing": 1, "extra": 0}
    assert all(n == 0 for counts in memory.drift().values() for n in counts.values())
    assert [i.subject for i in memory.similar_insights("open cupboard", 1)] == ["open cupboard"]


def test_exemplars_of_the_variation_come_first_then_similar_tasks(
    store: Store, tmp_path: Path
) -> None:
    memory = Memory(store, VectorIndex(HashEmbedder(), tmp_path / "chroma"))
    memory.remember(exemplar("melt", "Your task is to melt ice.", 90.0))
    memory.remember(exemplar("boil", "Your task is to boil water.", 20.0))
    memory.remember(exemplar("boil", "Your task is to boil water.", 60.0))
    found = memory.exemplars_for("scienceworld", "boil", 0, "Your task is to boil milk.")
    assert [(e.task, e.score) for e in found] == [("boil", 60.0), ("boil", 20.0), ("melt", 90.0)]


@pytest.mark.slow
def test_a_reworded_model_insight_merges_into_the_one_it_duplicates(
    store: Store, tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    memory = Memory(store, VectorIndex(minilm, tmp_path / "chroma"))
    memory.learn(
        [InsightUpdate("open the cupboard", Relation.NECESSARY, "boil water", HERE, origin="llm")]
    )
    memory.learn(
        [
            InsightUpdate(
                "opening the cupboard", Relation.NECESSARY, "boil water", HERE, origin="llm"
            )
        ]
    )
    memory.learn(
        [InsightUpdate("activate the stove", Relation.NECESSARY, "boil water", HERE, origin="llm")]
    )
    subjects = sorted((i.subject, i.support) for i in store.insights.active())
    assert subjects == [("activate the stove", 1.0), ("open the cupboard", 2.0)]


def test_an_index_built_by_another_embedder_is_rebuilt_from_sqlite(
    store: Store, tmp_path: Path
) -> None:
    memory = Memory(store, VectorIndex(HashEmbedder(256), tmp_path / "chroma"))
    memory.learn([InsightUpdate("open cupboard", Relation.NECESSARY, "boil water", HERE)])
    memory.remember(exemplar("boil", "Your task is to boil water.", 50.0))
    other = VectorIndex(HashEmbedder(64), tmp_path / "chroma")
    assert not other.matches_embedder()
    switched = Memory(store, other)  # a different model: vectors re-made from SQLite
    assert other.matches_embedder()
    assert (other.count(INSIGHTS), other.count(EXEMPLARS)) == (1, 1)
    assert switched.similar_insights("open the cupboard")[0].subject == "open cupboard"


def test_a_store_larger_than_a_chroma_batch_rebuilds(store: Store, tmp_path: Path) -> None:
    memory = Memory(store, VectorIndex(HashEmbedder(), tmp_path / "chroma"))
    with store.db.atomic():
        for n in range(6000):  # Chroma takes at most ~5.4k per write
            store.insights.apply(
                InsightUpdate(f"open door {n}", Relation.NECESSARY, "boil water", HERE)
            )
    memory.rebuild_index()
    assert memory.index is not None and memory.index.count(INSIGHTS) == 6000
    assert memory.drift()["insights"] == {"missing": 0, "extra": 0}


def test_a_transaction_keeps_all_or_nothing_and_indexes_after_its_commit(
    store: Store, tmp_path: Path
) -> None:
    memory = Memory(store, VectorIndex(HashEmbedder(), tmp_path / "chroma"))
    assert memory.index is not None
    with pytest.raises(RuntimeError), memory.transaction():
        memory.learn([InsightUpdate("open cupboard", Relation.NECESSARY, "boil water", HERE)])
        memory.remember(exemplar("boil", "Your task is to boil water.", 50.0))
        raise RuntimeError("killed mid-learning")
    assert store.insights.count() == 0 and store.exemplars.count() == 0
    assert (memory.index.count(INSIGHTS), memory.index.count(EXEMPLARS)) == (0, 0)
    with memory.transaction():
        memory.learn([InsightUpdate("open cupboard", Relation.NECESSARY, "boil water", HERE)])
        memory.remember(exemplar("boil", "Your task is to boil water.", 50.0))
        assert memory.index.count(INSIGHTS) == 0  # not before the commit
    assert (memory.index.count(INSIGHTS), memory.index.count(EXEMPLARS)) == (1, 1)
    assert memory.drift()["insights"] == {"missing": 0, "extra": 0}


@pytest.mark.slow
def test_rewordings_merge_within_one_transaction(store: Store, tmp_path: Path) -> None:
    """The index sees a trial's new insights only after the commit: a rewording of one
    written earlier in the same trial is found among the transaction's own."""
    memory = Memory(store, VectorIndex(MiniLMEmbedder(), tmp_path / "chroma"))
    with memory.transaction():
        for subject in ("open the cupboard", "opening the cupboard"):
            memory.learn(
                [InsightUpdate(subject, Relation.NECESSARY, "boil water", HERE, origin="llm")]
            )
    assert [(i.subject, i.support) for i in store.insights.active()] == [("open the cupboard", 2.0)]


def test_only_ops_that_change_a_claim_rewrite_its_entry_in_the_index(
    store: Store, tmp_path: Path
) -> None:
    memory = Memory(store, VectorIndex(HashEmbedder(), tmp_path / "chroma"))
    claim = InsightUpdate("open cupboard", Relation.MAY_CONTRIBUTE, "boil water", HERE)
    added = memory.learn([claim])
    first = added[0].insight_id
    assert changed_claims(added) == {first}
    assert changed_claims(memory.learn([claim])) == set()  # evidence: counts only
    stronger = memory.learn([replace(claim, relation=Relation.NECESSARY)])
    assert changed_claims(stronger) == {first}  # the claim's relation changed
    contrary = replace(claim, relation=Relation.DOES_NOT_CONTRIBUTE, weight=10.0)
    superseded = memory.learn([contrary])
    successor = store.insights.find("open cupboard", "boil water", HERE)
    assert successor is not None and successor.id != first
    assert changed_claims(superseded) == {first, successor.id}  # retired, and its successor
    assert memory.index is not None
    assert memory.index.ids(INSIGHTS) == {first, successor.id}
