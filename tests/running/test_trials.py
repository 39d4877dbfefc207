"""The episode runner and the trial loop on the toy world and a real store (and on
ScienceWorld, for a JVM that dies)."""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from pathlib import Path

import pytest

from agent.acting.agent import Agent
from agent.acting.decide import MenuDecider
from agent.acting.episode import Episode
from agent.acting.policy import Policy, RandomPolicy
from agent.environments import Environments, parse
from agent.running.trials import TrialLoop
from memory.store import Store
from tests.fakes import ScriptedLLM
from tests.support.envs import DyingEnv

GAME = "toy:maze@3,rooms=8"  # the coin is five moves away


def test_an_episode_yields_immutable_steps_until_it_ends(environments: Environments) -> None:
    env = environments.open(parse(GAME))
    episode = Episode(env, Agent(RandomPolicy(seed=1)), max_steps=4)
    observation, info = episode.reset()
    steps = list(episode.steps())
    assert 1 <= len(steps) <= 4
    assert [s.index for s in steps] == list(range(1, len(steps) + 1))
    assert steps[-1].done and all(not s.done for s in steps[:-1])
    with pytest.raises(dataclasses.FrozenInstanceError):
        steps[0].action = "x"  # type: ignore[misc]
    assert episode.task == info["task"] and episode.initial_observation == observation


def test_the_step_limit_truncates(environments: Environments) -> None:
    env = environments.open(parse(GAME))
    episode = Episode(env, Agent(RandomPolicy(seed=0)), max_steps=2)
    episode.reset()
    steps = list(episode.steps())
    assert len(steps) == 2 and steps[-1].truncated


def test_the_loop_records_runs_trials_steps_and_calls(
    environments: Environments, store: Store
) -> None:
    model = ScriptedLLM()  # a real backend, answering "1" with certainty at every step
    for _ in range(6):
        model.enqueue("1", {"1": 0.0})
    agent = Agent(Policy(seed=0), MenuDecider(model))
    run_id = store.start_run("test", {}, "test")
    loop = TrialLoop(environments, agent, store, run_id, trials=2, max_steps=3)
    (result,) = loop.run([parse(GAME)])
    assert len(result.outcomes) == 2
    trials = store.trials(run_id)
    assert [(t["trial"], t["status"]) for t in trials] == [(1, "done"), (2, "done")]
    for trial, outcome in zip(trials, result.outcomes, strict=True):
        steps = store.steps(trial["id"])
        assert len(steps) == outcome.steps == trial["steps"] == 3
        calls = list(store.llm_calls(trial_id=trial["id"]))
        assert [c["step"] for c in calls] == [s["idx"] for s in steps]
        assert all(c["model"] == "scripted" and c["messages"] for c in calls)
        assert trial["task_description"] and trial["initial_observation"]
        assert trial["variation"] == "3,rooms=8"


def test_an_environment_failure_fails_the_trial_and_the_run_goes_on(
    environments: Environments, store: Store
) -> None:
    run_id = store.start_run("test", {}, "test")
    loop = TrialLoop(environments, Agent(RandomPolicy(seed=0)), store, run_id, 2, 5)
    dying = DyingEnv(environments.open(parse(GAME)))
    first = loop.run_trial(dying, 1)
    second = loop.run_trial(dying, 2)
    assert (first.status, first.error, first.steps) == ("failed", "the engine died", 1)
    assert second.status == "done"
    statuses = [t["status"] for t in store.trials(run_id)]
    assert statuses == ["failed", "done"]


class KillTheJVM:
    """An observer that kills ScienceWorld's JVM (SIGKILL, as the OOM killer would) after a
    given step of the first trial."""

    def __init__(self, after_step: int) -> None:
        self.after_step = after_step
        self.trial = 0

    def trial_started(self, env: str, trial: int, max_steps: int) -> None:
        self.trial = trial

    def step_taken(self, step: object) -> None:
        self.count = getattr(self, "count", 0) + 1
        if self.trial == 1 and self.count == self.after_step:
            for pid in java_children():
                os.kill(pid, signal.SIGKILL)
                while (
                    Path(f"/proc/{pid}/status").exists()
                    and "zombie" not in Path(f"/proc/{pid}/status").read_text()
                ):
                    time.sleep(0.05)

    def trial_finished(self, env: str, trial: int, outcome: object) -> None:
        pass


def java_children() -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines())
            cmdline = (status.parent / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if int(fields.get("PPid", "0").strip()) == os.getpid() and b"scienceworld" in cmdline:
            found.append(int(status.parent.name))
    return found


@pytest.mark.slow
def test_a_dead_jvm_fails_its_trial_and_the_next_trial_gets_a_new_one(
    tmp_path: Path, store: Store
) -> None:
    run_id = store.start_run("test", {}, "test")
    with Environments(tmp_path / "games") as environments:
        env = environments.open(parse("scienceworld:boil@train:0"))
        loop = TrialLoop(
            environments,
            Agent(RandomPolicy(seed=0)),
            store,
            run_id,
            2,
            6,
            observer=KillTheJVM(after_step=2),
        )
        killed, next_trial = loop.run_env(env).outcomes
    assert (killed.status, killed.steps) == ("failed", 2)
    assert killed.error is not None and "JVM exited" in killed.error
    # A new JVM plays the next trial (to its 6 steps, or sooner if its random moves end it).
    assert next_trial.status == "done" and 1 <= next_trial.steps <= 6
    assert [t["status"] for t in store.trials(run_id)] == ["failed", "done"]
    assert len(store.steps(store.trials(run_id)[0]["id"])) == 2  # what was done is kept
