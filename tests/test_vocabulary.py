"""The words a home stores are the enums' values (``Op``, ``Origin``, ``Grounding``,
``RunStatus``): trials learned from by both reflectors, a demonstration, a person's edits and
an import leave no op, actor, origin, grounding or status outside them. Real SQLite and
Chroma, toy worlds, a scripted model."""

from __future__ import annotations

from pathlib import Path

from agent.acting.agent import Agent
from agent.acting.policy import Policy, default_scorers
from agent.environments import Environments, parse
from agent.learning.demonstrations import demonstrate
from agent.learning.learner import MemoryLearner
from agent.learning.scorers import memory_scorers
from agent.running.trials import TrialLoop
from memory.bundle import Filters, export_bundle, read_bundle
from memory.bundle_import import import_bundle
from memory.embedding import HashEmbedder
from memory.insights import Op
from memory.knowledge import InsightUpdate, Origin, Relation, Scope, Where
from memory.memory import Memory
from memory.records import Grounding, RunStatus
from memory.store import Store
from memory.vectors import VectorIndex
from reflection.llm import LLMReflector
from tests.fakes import ScriptedLLM

GAMES = ("toy:fetch@3", "toy:fetch@4")  # two variations of a task: promotion
REFLECTION = (
    "take silver coin SHOULD BE NECESSARY to find the silver coin\n"
    "- looking around may contribute to finding the coin\n"  # repaired
    "The coin is probably important.\n"  # dropped
)


def learned_home(environments: Environments, home: Path) -> Store:
    store = Store.in_home(home)
    memory = Memory(store, VectorIndex(HashEmbedder(), home / "chroma"))
    model = ScriptedLLM()
    for _ in range(10):
        model.enqueue(REFLECTION)
    learner = MemoryLearner(
        memory, graph_path=home / "graph.json", llm_reflector=LLMReflector(model)
    )
    agent = Agent(Policy(default_scorers() + memory_scorers(), seed=0))
    run_id = store.start_run("test", {}, "test")
    loop = TrialLoop(environments, agent, store, run_id, 2, 30, learner=learner)
    loop.run([parse(game) for game in GAMES])
    store.finish_run(run_id, RunStatus.DONE)
    demonstrate(environments.open(parse("toy:fetch@5")), learner)
    learner.finish()
    where = Where(Scope.TASK, "toy", "fetch")
    (added, *_) = store.edits.add(InsightUpdate("go south", Relation.NECESSARY, "win", where))
    insight_id = added.insight_id or 0
    store.edits.set_pinned(insight_id, True)
    store.edits.set_pinned(insight_id, False)
    store.edits.edit(insight_id, support=3.0)
    store.edits.forget(insight_id)
    store.edits.restore(insight_id)
    return store


def words(store: Store, *queries: str) -> set[str]:
    return {row[0] for q in queries for row in store.db.execute(q).fetchall() if row[0]}


def kind(origin: str) -> str:
    """An origin's kind: ``imported:boil.cairn.zip`` is ``imported``."""
    return origin.split(":", 1)[0]


def test_every_word_a_home_stores_is_a_value_of_its_enum(
    environments: Environments, tmp_path: Path
) -> None:
    store = learned_home(environments, tmp_path / "home")
    bundle = tmp_path / "all.cairn.zip"
    export_bundle(store, bundle, filters=Filters(), cairn_version="t", embedding_model="hash")
    other = Store.in_home(tmp_path / "other")
    import_bundle(other, read_bundle(bundle))

    for home in (store, other):
        ops = words(home, "select op from insight_ops")
        assert ops <= set(Op)
        origins = words(
            home,
            "select origin from insights",
            "select origin from insight_evidence",
            "select origin from exemplars",
            "select actor from insight_ops",
        )
        assert {kind(o) for o in origins} <= set(Origin)
        composed = {o for o in origins if ":" in o}
        assert {kind(o) for o in composed} <= {Origin.IMPORTED, Origin.DEMONSTRATION}
        assert words(home, "select edited_by from insights") <= {Origin.PERSON}
    assert words(store, "select grounding from steps") <= set(Grounding)
    assert words(store, "select status from runs", "select status from trials") == {"done"}
    assert words(store, "select op from insight_ops") >= {
        Op.ADD,
        Op.SUPPORT,
        Op.PROMOTE,
        Op.DROP,
        Op.REPAIR,
        Op.EDIT,
        Op.PIN,
        Op.UNPIN,
        Op.FORGET,
        Op.RESTORE,
    }
    assert Op.IMPORT in words(other, "select op from insight_ops")
    assert "demonstration:oracle" in words(store, "select origin from exemplars")
