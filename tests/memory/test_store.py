from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from memory.errors import HomeError
from memory.knowledge import Exemplar, ExemplarStep, InsightUpdate, Relation, Scope, Where
from memory.migrations import MIGRATIONS
from memory.records import Candidate, LLMCall, Step, TrialOutcome
from memory.store import Store, open_home


def a_step(index: int, calls: tuple[LLMCall, ...] = ()) -> Step:
    return Step(
        index=index,
        action="open door",
        observation="The door is now open.",
        reward=1.0,
        score=10.0,
        won=False,
        terminated=False,
        truncated=False,
        proposal="2",
        grounding="label",
        candidates=(Candidate("open door", 1.5, {"llm": -0.1, "novelty": 0.3}),),
        llm_calls=calls,
        env_seconds=0.1,
        llm_seconds=0.2,
        agent_seconds=0.001,
    )


def test_a_trial_round_trips_with_its_steps_and_calls(store: Store) -> None:
    run_id = store.start_run("cairn run x", {"trials": 1}, "0.1.0")
    trial_id = store.start_trial(run_id, "textworld:simple@1", 1, seed=0)
    store.describe_trial(
        trial_id, task="simple", variation="1", description="Win.", observation="Hi"
    )
    call = LLMCall(
        "scripted", ({"role": "user", "content": "hi"},), {"max_tokens": 1}, "2", 10, 1, 0.2
    )
    store.add_step(run_id, trial_id, a_step(1, (call,)))
    store.add_step(run_id, trial_id, a_step(2))
    store.finish_trial(trial_id, TrialOutcome(10.0, False, 2, 1.5))
    store.finish_run(run_id, "done")

    (trial,) = store.trials(run_id)
    assert (trial["status"], trial["score"], trial["steps"], trial["task_description"]) == (
        "done",
        10.0,
        2,
        "Win.",
    )
    steps = store.steps(trial_id)
    assert [s["idx"] for s in steps] == [1, 2]
    assert steps[0]["candidates"] == [
        {
            "action": "open door",
            "score": 1.5,
            "evidence": {"llm": -0.1, "novelty": 0.3},
            "memories": [],
        }
    ]
    (logged,) = store.llm_calls(trial_id=trial_id)
    assert (logged["step"], logged["model"], logged["response"]) == (1, "scripted", "2")
    assert logged["messages"] == [{"role": "user", "content": "hi"}]
    assert store.runs()[0]["status"] == "done"


def test_a_step_cannot_be_recorded_twice(store: Store) -> None:
    run_id = store.start_run("c", {}, "v")
    trial_id = store.start_trial(run_id, "e", 1)
    store.add_step(run_id, trial_id, a_step(1))
    with pytest.raises(sqlite3.IntegrityError):
        store.add_step(run_id, trial_id, a_step(1))
    assert len(store.steps(trial_id)) == 1


def test_database_is_in_wal_mode_and_migrations_apply_once(tmp_path: Path) -> None:
    first = Store.in_home(tmp_path)
    first.close()
    again = Store.in_home(tmp_path)
    assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    applied = [m.name for m in MIGRATIONS.applied(again.db)]
    assert applied == [
        "m0001_runs_trials_steps_llm_calls",
        "m0002_insights_exemplars",
        "m0003_search_and_person_edits",
        "m0004_imports",
        "m0005_settings",
        "m0006_recall_index",
        "m0007_variation_identity",
        "m0008_evidence_identity",
        "m0009_run_errors",
        "m0010_archive",
        "m0011_procedures",
        "m0012_person_places",
    ]
    assert MIGRATIONS.pending(again.db) == []


def test_a_home_that_is_a_file_is_one_clear_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder")
    with pytest.raises(HomeError, match="is a file, not a directory"):
        open_home(home)


def test_a_home_that_cannot_be_created_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(HomeError, match="not writable"):
        open_home(tmp_path / "file" / "home")


def test_a_corrupt_database_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "cairn.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(HomeError, match="cannot open database"):
        Store.in_home(tmp_path)


def exemplar(task: str, score: float) -> Exemplar:
    steps = (ExemplarStep("look around", "A room.", 0.0, score, "s1", 1.0, True),)
    return Exemplar(
        "toy", task, "1", f"toy:{task}@1", f"Your task is to {task}.", score, False, steps
    )


def test_exemplars_read_are_kept_but_not_one_read_in_a_transaction_rolled_back(
    store: Store,
) -> None:
    kept = store.exemplars.add(exemplar("fetch", 5.0))
    (read,) = store.exemplars.for_task("toy", "fetch")
    assert store.exemplars.for_task("toy", "fetch")[0] is read  # its steps not read again
    with pytest.raises(RuntimeError), store.db.atomic():
        rolled_back = store.exemplars.add(exemplar("fetch", 9.0))
        assert [e.score for e in store.exemplars.by_ids([rolled_back, kept])] == [9.0, 5.0]
        raise RuntimeError("learning failed")
    again = store.exemplars.add(exemplar("fetch", 1.0))  # SQLite may give it the same id
    assert [e.score for e in store.exemplars.by_ids([again, kept])] == [1.0, 5.0]


def test_a_write_outside_a_transaction_is_committed_as_it_is_made(tmp_path: Path) -> None:
    writer, reader = Store.in_home(tmp_path), Store.in_home(tmp_path)
    where = Where(Scope.TASK, "toy", "maze")
    (added,) = writer.insights.apply(InsightUpdate("go north", Relation.NECESSARY, "win", where))
    writer.insights.update(added.insight_id or 0, {"support": 3.0})  # in no transaction
    assert not writer.db.conn.in_transaction  # nothing left open, to be lost at close
    assert reader.insights.require(added.insight_id or 0).support == 3.0
