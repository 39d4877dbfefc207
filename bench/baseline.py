"""The no-memory baseline: mean score and per-step timings of agents on a fixed env set.

    python bench/baseline.py                      # embedded default model + random agent
    python bench/baseline.py --agent embedded:gemma3-270m --agent evidence --agent random
    python bench/baseline.py --agent embedded/free   # the model writes actions

Each agent plays every env of the suite (one trial each by default) with a fresh home, memory
off (kept in `--workdir DIR/AGENT` if given; each group of the suite is one run there).
Prints a score table and, per agent, the median and p95 per step of: environment time,
model time, and everything else (scoring, prompt, grounding, the SQLite write, progress).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import tomllib
from dataclasses import replace
from pathlib import Path

from agent.environments import parse
from agent.running.config import Mode, PolicyName, RunConfig
from cli.assemble import LocalPlayer
from memory.records import Step, TrialOutcome
from memory.store import Store

HERE = Path(__file__).parent


class Timer:
    """Observer that measures the wall time between steps, to get 'everything else'."""

    def __init__(self) -> None:
        self.rows: list[tuple[float, float, float]] = []  # env, llm, other
        self._last = 0.0

    def trial_started(self, spec: str, trial: int, max_steps: int) -> None:
        self._last = 0.0

    def step_taken(self, step: Step) -> None:
        now = time.perf_counter()
        if self._last:  # the first step also includes the reset: skip it
            wall = now - self._last
            other = wall - step.env_seconds - step.llm_seconds
            self.rows.append((step.env_seconds, step.llm_seconds, other))
        self._last = now

    def trial_finished(self, spec: str, trial: int, outcome: TrialOutcome) -> None:
        print(
            f"  {spec} trial: score {outcome.score:.1f} won {outcome.won} "
            f"steps {outcome.steps} {outcome.seconds:.0f}s {outcome.error or ''}",
            flush=True,
        )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def play(agent_name: str, suite: dict, trials: int, seed: int, workdir: Path | None) -> dict:
    name, _, mode = agent_name.partition("/")
    policies = {"random": PolicyName.random, "evidence": PolicyName.evidence}
    policy = policies.get(name, PolicyName.llm)
    timer = Timer()
    scores: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        home = workdir / agent_name.replace("/", "-") if workdir else Path(scratch)
        config = RunConfig(
            trials=trials,
            seed=seed,
            llm=name if policy is PolicyName.llm else RunConfig.llm,
            policy=policy,
            mode=Mode(mode or "auto"),
            memory=False,
            home=home,
        )
        store = Store.in_home(config.home)
        with LocalPlayer(config) as player:
            for _group, spec in suite.items():
                specs = [parse(e) for e in spec["envs"]]
                group = replace(config, max_steps=spec["max_steps"])
                _, results = player.play(group, specs, store, "bench/baseline.py", timer)
                for result in results:
                    scores[result.env] = [o.score for o in result.outcomes]
        store.close()
    timing = {
        name: {"p50_ms": 1000 * statistics.median(col), "p95_ms": 1000 * percentile(col, 0.95)}
        for name, col in zip(("env", "llm", "other"), zip(*timer.rows, strict=True), strict=True)
    }
    return {"agent": agent_name, "scores": scores, "timing": timing, "steps": len(timer.rows)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--agent",
        action="append",
        help="MODEL[/MODE] (embedded, embedded:gemma3-270m, openai:M; mode menu|free), "
        "evidence (no model) or random",
    )
    parser.add_argument("--suite", type=Path, default=HERE / "suites" / "baseline.toml")
    parser.add_argument("--trials", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--workdir", type=Path, help="Keep each agent's home here.")
    args = parser.parse_args()
    suite = tomllib.loads(args.suite.read_text())
    results = []
    for name in args.agent or ["embedded", "random"]:
        print(f"== {name}", flush=True)
        results.append(play(name, suite, args.trials, args.seed, args.workdir))
    print()
    for result in results:
        by_group = {}
        for group, spec in suite.items():
            values = [s for e in spec["envs"] for s in result["scores"][str(parse(e))]]
            by_group[group] = statistics.mean(values)
        overall = statistics.mean(s for v in result["scores"].values() for s in v)
        groups = "  ".join(f"{g} {v:5.1f}" for g, v in by_group.items())
        print(f"{result['agent']:<24} mean score: {groups}  all {overall:5.1f}")
        for name, t in result["timing"].items():
            print(f"    per step {name:<6} p50 {t['p50_ms']:8.1f} ms   p95 {t['p95_ms']:8.1f} ms")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    sys.exit(0)


if __name__ == "__main__":
    main()
