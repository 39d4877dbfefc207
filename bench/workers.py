"""Trials per hour with 1, 2 and 4 Ray workers (and in-process, for reference).

    python bench/workers.py                        # 8 TextWorld games x 2 trials, embedded model
    python bench/workers.py --workers 0 1 2 4 --games 8 --trials 2 --policy llm
    python bench/workers.py --specs scienceworld:melt@dev:0 scienceworld:boil@dev:0 ...

Each configuration is one `cairn run ... --workers N` in a fresh home, timed from the command's
start to its end (Ray's start-up included), so the number is what a user gets; "ready s" is
the slowest worker's start-up, from when it was asked for to its model loaded. TextWorld
seeds < 10000 only (seeds >= 10000 are reserved for evaluation).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 1, 2, 4])
    parser.add_argument("--games", type=int, default=8)
    parser.add_argument("--trials", type=int, default=2)
    parser.add_argument("--max-steps", type=int, default=30)
    parser.add_argument("--policy", default="llm", help="llm (embedded Gemma) | evidence")
    parser.add_argument("--specs", nargs="+", help="Play these instead (train/dev only).")
    args = parser.parse_args()
    games = args.specs or [
        f"textworld:treasure_hunter@{seed},level=5" for seed in range(1, args.games + 1)
    ]
    total = len(games) * args.trials
    print(
        f"{total} trials: {len(games)} games x {args.trials}, policy {args.policy}, "
        f"{os.cpu_count()} cores"
    )
    with tempfile.TemporaryDirectory() as home:  # untimed: generate and cache the games first
        warm = [
            sys.executable,
            "-m",
            "cli",
            "run",
            *games,
            "--trials",
            "1",
            "--max-steps",
            "1",
            "--policy",
            "random",
            "--no-memory",
            "--home",
            home,
        ]
        subprocess.run(warm, capture_output=True, check=True)
    print(
        f"{'workers':>8} {'wall s':>8} {'trials/hour':>12} {'mean score':>11} {'failed':>7} "
        f"{'ready s':>8}"
    )
    for workers in args.workers:
        with tempfile.TemporaryDirectory() as home:
            command = [
                sys.executable,
                "-m",
                "cli",
                "run",
                *games,
                "--trials",
                str(args.trials),
                "--max-steps",
                str(args.max_steps),
                "--policy",
                args.policy,
                "--workers",
                str(workers),
                "--home",
                home,
                "--json",
                "-",
            ]
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            wall = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"workers={workers} failed:\n{done.stderr[-2000:]}")
        report = json.loads(done.stdout)
        trials = [t for run in report["runs"] for t in run["trials"]]
        failed = sum(t["status"] == "failed" for t in trials)
        mean = sum(t["score"] for t in trials) / len(trials)
        ready = max((w["ready"] for w in report.get("workers", [])), default=None)
        print(
            f"{workers or 'here':>8} {wall:8.0f} {total / wall * 3600:12.0f} {mean:11.1f} "
            f"{failed:7d} {'-' if ready is None else f'{ready:.1f}':>8}",
            flush=True,
        )


if __name__ == "__main__":
    main()
