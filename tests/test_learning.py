"""Learning across trials, end to end: real TextWorld games, real SQLite and Chroma."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.acting import Agent
from agent.demonstrations import play_oracle
from agent.environments import Environments, parse
from agent.learning import MemoryLearner, load_graph, rebuild_graph
from agent.memory_scorers import memory_scorers
from agent.policy import Policy, default_scorers
from agent.recall import Recaller
from agent.trials import TrialLoop
from knowledge_graph.graph import KnowledgeGraph
from memory.embedding import HashEmbedder
from memory.knowledge import InsightUpdate, Relation, Scope, Where
from memory.memory import Memory
from memory.store import Store
from memory.vectors import VectorIndex
from tests.test_trials import DyingEnv

pytestmark = pytest.mark.slow
GAME = "textworld:simple@103"  # 7 rewarded steps; a first trial of 30 steps gets some of them


def learning_loop(environments: Environments, home: Path, trials: int) -> tuple[TrialLoop, Store]:
    store = Store.in_home(home)
    memory = Memory(store, VectorIndex(HashEmbedder(), home / "chroma"))
    agent = Agent(Policy(default_scorers() + memory_scorers(), seed=0))
    learner = MemoryLearner(memory, graph_path=home / "graph.json")
    run_id = store.start_run("test", {}, "test")
    return TrialLoop(environments, agent, store, run_id, trials, 30, learner=learner), store


def steps_to_reach(store: Store, trial_id: int, score: float) -> int:
    return next(s["idx"] for s in store.steps(trial_id) if s["score"] >= score)


def test_the_second_trial_reaches_the_first_ones_score_faster(
    environments: Environments, tmp_path: Path
) -> None:
    loop, store = learning_loop(environments, tmp_path, trials=3)
    (result,) = loop.run([parse(GAME)])
    first, *later = result.outcomes
    assert 0 < first.score < 100, "the game should be neither lost nor won in trial 1"
    assert max(o.score for o in later) >= first.score
    trials = store.trials()
    assert steps_to_reach(store, trials[1]["id"], first.score) < steps_to_reach(
        store, trials[0]["id"], first.score
    )
    # What was learned, and where it went.
    assert store.exemplars.count() == 3
    assert store.insights.count() > 0
    assert {op["op"] for op in store.insights.operations()} >= {"add", "support"}
    graph = KnowledgeGraph.load(tmp_path / "graph.json")
    assert graph.graph.number_of_nodes() > 0
    # Decisions of trial 2 name the memories behind them.
    memories = [
        m for s in store.steps(trials[1]["id"]) for c in s["candidates"] for m in c["memories"]
    ]
    assert any(m.startswith("exemplar:") for m in memories)
    assert any(m.startswith("insight:") for m in memories)


def test_a_failed_trial_teaches_nothing(environments: Environments, tmp_path: Path) -> None:
    loop, store = learning_loop(environments, tmp_path, trials=1)
    dying = DyingEnv(environments.open(parse(GAME)))
    outcome = loop.run_trial(dying, 1)
    assert outcome.status == "failed"
    assert store.exemplars.count() == 0 and store.insights.count() == 0


def test_a_graph_saved_before_a_crash_is_rebuilt_from_sqlite(tmp_path: Path) -> None:
    store = Store.in_home(tmp_path)
    memory = Memory(store, VectorIndex(HashEmbedder(), tmp_path / "chroma"))
    path = tmp_path / "graph.json"
    where = Where(Scope.TASK, "scienceworld", "boil")
    memory.learn([InsightUpdate("open cupboard", Relation.NECESSARY, "boil water", where)])
    rebuild_graph(memory, path)
    assert load_graph(memory, path).preconditions("boil water") == ["open cupboard"]
    # committed to SQLite, then killed before the graph was saved:
    memory.learn([InsightUpdate("heat pot", Relation.NECESSARY, "boil water", where)])
    assert KnowledgeGraph.load(path).preconditions("boil water") == ["open cupboard"]
    assert set(load_graph(memory, path).preconditions("boil water")) == {
        "open cupboard",
        "heat pot",
    }


def test_a_claim_a_person_forgot_is_not_learned_again(
    environments: Environments, tmp_path: Path
) -> None:
    store = Store.in_home(tmp_path)
    learner = MemoryLearner(
        Memory(store, VectorIndex(HashEmbedder(), tmp_path / "chroma")),
        graph_path=tmp_path / "graph.json",
    )
    trajectory = play_oracle(environments.open(parse("textworld:treasure_hunter@3,level=8")))
    learner.learn_from(trajectory)
    (take_bug,) = [i for i in store.insights.active() if i.subject == "take bug"]
    store.edits.forget(take_bug.id or 0)

    learner.learn_from(trajectory)  # the same evidence again
    learner.finish()
    assert "take bug" not in {i.subject for i in store.insights.select()}  # `memory list`
    recalled = Recaller(learner.memory, load_graph(learner.memory, tmp_path / "graph.json"))
    recollection = recalled.recall("textworld", "treasure_hunter", 3, trajectory.task_description)
    assert "take bug" not in {i.subject for i in recollection.insights}
    assert load_graph(learner.memory, None).preconditions(take_bug.goal) == ["go north", "go east"]
    forgotten = store.insights.require(take_bug.id or 0)
    assert forgotten.status.value == "forgotten" and forgotten.support == 2 * take_bug.support
    assert [op["op"] for op in store.insights.operations(take_bug.id)] == [
        "add",
        "forget",
        "support",
    ]
