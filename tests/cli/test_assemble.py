"""One run configuration and one builder for every entry point: what a run plays follows from
its ``RunConfig`` alone, decided in one place, and every entry point closes its run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.acting.state import Turn
from agent.running.config import Mode, PolicyName, ReflectorName, RunConfig
from cli.build import build_agent
from memory.embedding import HashEmbedder
from memory.store import Store
from tests.fakes import ScriptedLLM
from tests.llm.servers import ScriptedHTTPServer, completion_body
from tests.support.cli import cairn

DEFAULTS = ["relevance", "instruction", "template", "dead_end", "needs", "explore"]
MEMORY = ["insight", "exemplar", "procedure", "chain", "kind", "place"]
ROOT = Path(__file__).parents[2]


def test_memory_on_adds_the_memory_scorers_to_the_same_policy() -> None:
    for memory, names in ((True, DEFAULTS + MEMORY), (False, DEFAULTS)):
        config = RunConfig(policy=PolicyName.evidence, memory=memory)
        agent = build_agent(config, None, HashEmbedder())
        assert [scorer.name for scorer in agent.policy.scorers] == names


@pytest.mark.parametrize(
    ("llm", "policy", "reflector", "memory", "reflects"),
    [
        ("embedded", PolicyName.llm, ReflectorName.auto, True, False),  # a small model: no
        ("openai:m", PolicyName.llm, ReflectorName.auto, True, True),  # a strong one: yes
        ("openai:m", PolicyName.evidence, ReflectorName.auto, True, False),  # it does not play
        ("openai:m", PolicyName.evidence, ReflectorName.llm, True, True),  # asked to
        ("embedded", PolicyName.random, ReflectorName.llm, True, True),
        ("openai:m", PolicyName.llm, ReflectorName.evidence, True, False),
        ("openai:m", PolicyName.llm, ReflectorName.llm, False, False),  # nothing is learned
    ],
)
def test_whether_the_model_reflects_is_one_decision_of_the_config(
    llm: str, policy: PolicyName, reflector: ReflectorName, memory: bool, reflects: bool
) -> None:
    config = RunConfig(llm=llm, policy=policy, reflector=reflector, memory=memory)
    assert config.reflects_with_model is reflects
    assert config.uses_model is (reflects or policy is PolicyName.llm)
    assert config.record([])["llm"] == (llm if config.uses_model else None)


def test_the_model_policy_weighs_no_memory_and_takes_the_models_action() -> None:
    config = RunConfig(llm="openai:m", policy=PolicyName.model)
    llm = ScriptedLLM()
    agent = build_agent(config, llm, HashEmbedder())
    assert [scorer.name for scorer in agent.policy.scorers] == DEFAULTS[:-1]  # no explore
    assert config.acts_with_model and config.reflects_with_model
    valid = ("look around", "focus on red box", "go north")
    turn = Turn("Find the key.", "A hall.", valid, irreversible_actions=frozenset(valid[1:2]))
    llm.enqueue("Action: focus on red box")  # what the dead-end guard holds back
    assert agent.act(turn).action == "focus on red box"


@pytest.mark.slow
def test_with_the_model_policy_memory_reaches_the_model_only_in_its_prompt(
    tmp_path: Path, cache_root: Path
) -> None:
    """CLIN's design against a real server: every step is what the model wrote, though the
    evidence would rather explore than check the inventory three times; the second trial's
    prompt shows what the first taught."""
    server = ScriptedHTTPServer([(200, completion_body("Action: inventory"))] * 6)
    home = tmp_path / "home"
    try:
        result = cairn(
            "run", "toy:fetch@3", "--trials", "2", "--max-steps", "3", "--policy", "model",
            "--reflector", "evidence", "--llm", "openai:m", "--base-url", server.url,
            "--home", str(home), cache=cache_root,
        )  # fmt: skip
    finally:
        server.close()
    assert result.returncode == 0, result.stderr
    store = Store.in_home(home)
    steps = store.db.execute("select action, grounding from steps order by id").fetchall()
    assert steps == [("inventory", "exact")] * 6
    prompts = [json.dumps(request["messages"]) for request in server.requests]
    assert "What you learned before" not in prompts[0]
    assert "What you learned before" in prompts[3] and "inventory" in prompts[3]
    store.close()


def test_auto_mode_gives_embedded_models_a_menu() -> None:
    assert RunConfig(llm="embedded:smollm2-135m").decider_mode is Mode.menu
    assert RunConfig(llm="openai:m").decider_mode is Mode.free
    assert RunConfig(llm="openai:m", mode=Mode.menu).decider_mode is Mode.menu


@pytest.mark.slow
def test_a_run_here_reflects_with_the_model_it_was_asked_to(
    tmp_path: Path, cache_root: Path
) -> None:
    """``--reflector llm`` with ``--policy evidence``: the model plays no step but reflects
    after each trial (a run here ignored it; one on workers did not)."""
    reflection = "open door SHOULD BE NECESSARY to win fetch"
    server = ScriptedHTTPServer([(200, completion_body(reflection))] * 2)
    home = tmp_path / "home"
    try:
        result = cairn(
            "run",
            "toy:fetch@3",
            "--trials",
            "2",
            "--max-steps",
            "5",
            "--policy",
            "evidence",
            "--reflector",
            "llm",
            "--llm",
            "openai:m",
            "--base-url",
            server.url,
            "--home",
            str(home),
            cache=cache_root,
        )
    finally:
        server.close()
    assert result.returncode == 0, result.stderr
    assert len(server.requests) == 2  # one reflection per trial, no step asked the model
    store = Store.in_home(home)
    calls = list(store.llm_calls())
    assert [(c["step"], c["response"]) for c in calls] == [(None, reflection)] * 2
    (run,) = store.runs()
    assert run["config"]["llm"] == "openai:m" and run["config"]["reflector"] == "llm"
    store.close()


@pytest.mark.slow
def test_the_baseline_script_closes_its_runs(tmp_path: Path, cache_root: Path) -> None:
    suite = tmp_path / "baseline.toml"
    suite.write_text('[toy]\nmax_steps = 6\nenvs = ["toy:fetch@3", "toy:maze@2,rooms=6"]\n')
    workdir = tmp_path / "baseline"
    script = [sys.executable, str(ROOT / "bench" / "baseline.py"), "--agent", "evidence"]
    done = subprocess.run(
        [*script, "--suite", str(suite), "--workdir", str(workdir)],
        capture_output=True,
        text=True,
        env={**os.environ, "CAIRN_CACHE": str(cache_root)},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    runs = json.loads(
        cairn(
            "logs", "runs", "--home", str(workdir / "evidence"), "--json", cache=cache_root
        ).stdout
    )
    assert [(r["status"], r["config"]["memory"]) for r in runs] == [("done", False)]
    assert runs[0]["config"]["max_steps"] == 6


@pytest.mark.slow
def test_each_batch_of_cairn_bench_records_the_config_it_played(
    tmp_path: Path, cache_root: Path
) -> None:
    bench_suite = tmp_path / "suite.toml"
    bench_suite.write_text(
        'name = "tiny"\ntrials = 2\ntrain_trials = 1\n[toy]\nmax_steps = 6\n'
        'adapt = ["toy:fetch@3"]\n'
    )
    homes = tmp_path / "homes"
    result = cairn(
        "bench",
        str(bench_suite),
        "--policy",
        "evidence",
        "--workdir",
        str(homes),
        cache=cache_root,
    )
    assert result.returncode == 0, result.stderr
    for agent, memory in (("memory", True), ("no-memory", False)):
        home = homes / f"adapt-toy-{agent}-0"
        (run,) = json.loads(
            cairn("logs", "runs", "--home", str(home), "--json", cache=cache_root).stdout
        )
        assert run["status"] == "done" and run["command"] == "cairn bench"
        config = run["config"]
        assert (config["memory"], config["trials"], config["max_steps"]) == (memory, 2, 6)
        assert config["envs"] == ["toy:fetch@3"] and config["policy"] == "evidence"
