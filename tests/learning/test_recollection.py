"""What a trial recalls flows forward as a value: the learner returns it, every turn of the
trial carries it (to the scorers and a strong model's prompt), and the learner gets it back.
On the toy world, with a real store (and for the memory learner, a real Chroma index)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from agent.acting.agent import Agent, Decision
from agent.acting.decide import FreeDecider
from agent.acting.policy import Policy, RandomPolicy, default_scorers
from agent.acting.state import Turn
from agent.environments import Environments, parse
from agent.environments.toy import ToyWorld
from agent.learning.learner import MemoryLearner
from agent.learning.plans import choose_plan
from agent.learning.recall import Recollection
from agent.learning.scorers import memory_scorers
from agent.running.trials import NoLearning, TrialContext, TrialLoop
from memory.archive import Archive
from memory.embedding import HashEmbedder
from memory.knowledge import Insight, Relation, Scope, Where
from memory.memory import Memory
from memory.records import Step, TrialOutcome
from memory.store import Store
from memory.vectors import VectorIndex
from reflection.archiving import fold_trial
from tests.fakes import ScriptedLLM
from tests.support.play import play

GAME = "toy:fetch@3"


class WatchingAgent(Agent):
    """A real agent that keeps the recollection each of its turns carried."""

    def __init__(self, policy: Policy) -> None:
        super().__init__(policy)
        self.seen: list[Recollection] = []

    def act(self, turn: Turn) -> Decision:
        self.seen.append(turn.recollection)
        return super().act(turn)


class NumberedRecall:
    """A learner whose recollection names its trial; it keeps what it gets back."""

    def __init__(self) -> None:
        self.given: list[Recollection] = []
        self.returned: list[tuple[int, Recollection, int]] = []

    def before_trial(self, context: TrialContext) -> Recollection:
        recollection = Recollection(goal=f"trial {context.trial}", chain=("look around",))
        self.given.append(recollection)
        return recollection

    def after_trial(
        self,
        context: TrialContext,
        recollection: Recollection,
        steps: Sequence[Step],
        outcome: TrialOutcome,
    ) -> None:
        self.returned.append((context.trial, recollection, len(steps)))

    def finish(self) -> None:
        pass


def test_every_turn_carries_what_the_learner_recalled_and_the_learner_gets_it_back(
    tmp_path: Path, store: Store
) -> None:
    learner, agent = NumberedRecall(), WatchingAgent(RandomPolicy(seed=0))
    with Environments(tmp_path / "games") as environments:
        run_id = store.start_run("test", {}, "test")
        loop = TrialLoop(environments, agent, store, run_id, 2, 4, learner=learner)
        (result,) = loop.run([parse(GAME)])
    first, second = learner.given
    assert [r.goal for r in (first, second)] == ["trial 1", "trial 2"]
    steps = [outcome.steps for outcome in result.outcomes]
    expected = [first] * steps[0] + [second] * steps[1]  # the same value, every turn
    assert len(agent.seen) == len(expected)
    assert all(seen is given for seen, given in zip(agent.seen, expected, strict=True))
    assert [(trial, length) for trial, _, length in learner.returned] == [
        (1, steps[0]),
        (2, steps[1]),
    ]
    back = [recollection for _, recollection, _ in learner.returned]
    assert all(r is g for r, g in zip(back, learner.given, strict=True))  # given back as given


def test_without_memory_every_turn_recalls_nothing(tmp_path: Path, store: Store) -> None:
    agent = WatchingAgent(RandomPolicy(seed=0))
    with Environments(tmp_path / "games") as environments:
        run_id = store.start_run("test", {}, "test")
        TrialLoop(environments, agent, store, run_id, 1, 3, learner=NoLearning()).run([parse(GAME)])
    assert agent.seen and all(r == Recollection() for r in agent.seen)


def test_the_memory_learner_recalls_the_last_trial_for_the_next(tmp_path: Path) -> None:
    store = Store.in_home(tmp_path)
    memory = Memory(store, VectorIndex(HashEmbedder(), tmp_path / "chroma"))
    learner = MemoryLearner(memory, graph_path=tmp_path / "graph.json")
    agent = WatchingAgent(Policy(default_scorers() + memory_scorers(), seed=0))
    with Environments(tmp_path / "games") as environments:
        run_id = store.start_run("test", {}, "test")
        TrialLoop(environments, agent, store, run_id, 2, 30, learner=learner).run([parse(GAME)])
    trial_ids = [t["id"] for t in store.trials(run_id)]
    first, *_, last = agent.seen
    assert first.exemplars == () and first.env == "toy"  # nothing learned yet
    assert [e.trial_id for e in last.exemplars] == trial_ids[:1]  # trial 1, for trial 2
    assert last.insights and last.experience
    store.close()


def test_a_strong_model_reads_the_recollection_its_turn_carries() -> None:
    task = Where(Scope.TASK, "toy", "fetch")
    insight = Insight("open door", Relation.NECESSARY, "win fetch", task, 3, 0, id=5)
    llm = ScriptedLLM()
    llm.enqueue("Thought: [I5] says so.\nAction: open door")
    agent = Agent(Policy(seed=0), FreeDecider(llm), menu_size=3)
    valid = ("open door", "look around", "go north")
    recalled = Turn(
        "Fetch the key.", "A hall.", valid, recollection=Recollection(insights=(insight,))
    )
    decision = agent.act(recalled)
    assert "[I5] open door" in llm.requests[0].messages[-1]["content"]
    assert decision.cited == (5,)
    llm.enqueue("Action: look around")
    agent.act(Turn("Fetch the key.", "A hall.", valid))  # memory off: nothing to read
    assert "[I5]" not in llm.requests[1].messages[-1]["content"]


def test_a_strong_model_sees_the_map_and_the_cell_being_explored() -> None:
    """Places, exits, ways not yet taken and things seen, and what the trial sets out to do."""
    env = ToyWorld(parse("toy:fetch@3,rooms=6"))
    oracle = env.oracle_actions() or []
    start, steps = play(env, oracle[:2])  # part of the way, not won
    archive, _ = fold_trial(Archive("toy", "fetch", "3,rooms=6"), start, steps, trial_id=1)
    plan = choose_plan(archive, env.task)
    assert plan.target and not plan.won
    llm = ScriptedLLM()
    llm.enqueue("Action: look around")
    agent = Agent(Policy(seed=0), FreeDecider(llm), menu_size=3)
    env.reset()
    turn = Turn(
        env.task,
        "",
        tuple(env.valid_actions()),
        recollection=Recollection(archive=archive, plan=plan),
    )
    agent.act(turn)
    prompt = llm.requests[0].messages[-1]["content"]
    first_room = start.situation.location
    assert f"Map: {first_room}: {oracle[0]} -> " in prompt  # an exit, and where it leads
    assert "not yet taken:" in prompt  # a way on no trial took
    assert f"Go back to where the best score was reached ({plan.target}) by: " in prompt
