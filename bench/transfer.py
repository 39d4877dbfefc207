"""Does what one agent learned help another? Learn, export, import into a fresh home, play.

    python bench/transfer.py                       # the 5 dev-suite ScienceWorld tasks
    python bench/transfer.py --tasks melt,boil --test dev:1 --test dev:2 --json out.json
    python bench/transfer.py --policy evidence     # no model: minutes, not an hour
    python bench/transfer.py --policy evidence --bundle kept.zip --without insight
                                                   # what was learned once, played without a voice
    python bench/transfer.py --policy evidence --seeds 3   # the first trials with 3 seeds
    python bench/transfer.py --policy evidence --playbook handed.md   # and what B is handed

Everything goes through the `cairn` command, as a user would run it:

1. home A learns: `cairn run` on train variations of each task (2 trials each), or with
   `--learn demos` from their gold paths (`cairn memory demo`);
2. `cairn export` A's ScienceWorld knowledge to a bundle; `cairn import` it into fresh home B;
3. first trial on new (dev) variations of the same tasks, by B (imported knowledge), by a
   fresh home C (knows nothing) and by A itself (what the bundle could at best carry), each
   with `--frozen`: no variation learns from the one played before it.

Prints the mean first-trial score of each, per task and overall, and the gain of B over C;
with ``--seeds N``, step 3 is played N times (policy seeds 0..N-1, fresh copies of A, B and
C each time) and the gain is given with its standard deviation over the seeds.
Train and dev variations only: test-split variations are reserved for evaluation.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

TASKS = "find-living-thing,find-plant,melt,test-conductivity,lifespan-longest-lived"


Scores = dict[str, float]  # env spec -> first-trial score


def cairn(*args: str) -> str:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "cli", *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"`cairn {' '.join(args)}` failed:\n{result.stderr[-2000:]}")
    print(f"  cairn {' '.join(args[:2])} ... {time.perf_counter() - started:.0f}s", flush=True)
    return result.stdout


def first_trials(home: Path, specs: list[str], args: argparse.Namespace, seed: int) -> Scores:
    """Each spec's first trial, all from the memory ``home`` holds now (``--frozen``): a new
    variation sees what was transferred, not what its neighbours in the run taught."""
    steps = str(args.max_steps)
    report = json.loads(
        cairn(
            "run",
            *specs,
            "--trials",
            "1",
            "--max-steps",
            steps,
            "--policy",
            args.policy,
            "--seed",
            str(seed),
            "--without",
            args.without,
            "--frozen",
            "--home",
            str(home),
            "--json",
            "-",
        )
    )
    return {run["env"]: run["trials"][0]["score"] for run in report["runs"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", default=TASKS, help="ScienceWorld tasks, comma-separated.")
    parser.add_argument(
        "--train", action="append", help="Train variations (default train:0, train:1)."
    )
    parser.add_argument("--test", action="append", help="New variations (default dev:1..dev:3).")
    parser.add_argument("--train-trials", type=int, default=2)
    parser.add_argument("--learn", choices=["trials", "demos"], default="trials")
    parser.add_argument("--max-steps", type=int, default=50)
    parser.add_argument("--policy", choices=["llm", "evidence"], default="llm")
    parser.add_argument("--seeds", type=int, default=1, help="Play the first trials N times.")
    parser.add_argument("--workdir", type=Path, help="Keep the homes and bundle here.")
    parser.add_argument(
        "--bundle", type=Path, help="Import this bundle instead of learning (no source A)."
    )
    parser.add_argument(
        "--without", default="", help="Voices switched off in the first trials (cairn run)."
    )
    parser.add_argument("--json", type=Path, help="Write every score as JSON.")
    parser.add_argument(
        "--playbook", type=Path, help="Write the playbook of what B is handed (Markdown)."
    )
    args = parser.parse_args()
    tasks = args.tasks.split(",")
    train = [f"scienceworld:{t}@{v}" for t in tasks for v in args.train or ["train:0", "train:1"]]
    test = [
        f"scienceworld:{t}@{v}" for t in tasks for v in args.test or ["dev:1", "dev:2", "dev:3"]
    ]
    if any("test:" in spec for spec in train + test):
        sys.exit("test-split variations are reserved for evaluation: use train or dev")

    with tempfile.TemporaryDirectory() as scratch:
        root = args.workdir or Path(scratch)
        source = root / "A-learned"
        bundle = args.bundle or root / "scienceworld.cairn.zip"
        if args.bundle:
            print(f"1-2. import {bundle} into fresh homes", flush=True)
            counts = read_counts(bundle)
        else:
            print(f"1. home A learns ({args.learn}) on {len(train)} train variations", flush=True)
            learn(source, train, args)
            print("2. export A, to import into fresh homes B", flush=True)
            command = ("export", str(bundle), "--env", "scienceworld", "--home", str(source))
            counts = json.loads(cairn(*command, "--json"))["counts"]
        runs = []
        for seed in range(args.seeds):
            print(f"3. first trials on {len(test)} new variations, seed {seed}: B, C, A")
            runs.append(play_first_trials(root / f"seed-{seed}", test, bundle, source, args, seed))
        if args.playbook:
            handed = root / "playbook-home"
            cairn("import", str(bundle), "--home", str(handed), "--json")
            cairn("export", str(args.playbook), "--force", "--home", str(handed), "--json")

    print(f"\nbundle: {counts}")
    report(tasks, test, runs)
    if args.json:
        result: dict[str, Any] = {
            "train": [] if args.bundle else train,
            "bundle_file": str(args.bundle) if args.bundle else None,
            "without": args.without,
            "test": test,
            "bundle": counts,
            "scores": runs[0],
            "seeds": runs,
        }
        args.json.write_text(json.dumps(result, indent=2))


def play_first_trials(
    root: Path, test: list[str], bundle: Path, source: Path, args: argparse.Namespace, seed: int
) -> dict[str, Scores]:
    """One seed's first trials: B (the bundle imported into a fresh home), C (a fresh
    home) and A (a copy of the home that learned; without one, A's column is B's)."""
    imported, fresh, learned = root / "B-imported", root / "C-fresh", root / "A-learned"
    cairn("import", str(bundle), "--home", str(imported), "--json")
    scores = {
        "imported": first_trials(imported, test, args, seed),
        "fresh": first_trials(fresh, test, args, seed),
    }
    if args.bundle:
        scores["source"] = scores["imported"]
    else:
        shutil.copytree(source, learned)
        scores["source"] = first_trials(learned, test, args, seed)
    return scores


def report(tasks: list[str], test: list[str], runs: list[dict[str, Scores]]) -> None:
    """Mean first-trial scores per task and overall (over variations and seeds), the gain of
    B over C, and with several seeds its standard deviation over them."""

    def mean(scores: Scores, task: str | None) -> float:
        chosen = [s for env, s in scores.items() if task is None or f":{task}@" in env]
        return statistics.fmean(chosen)

    print(f"{'task':28} {'fresh C':>8} {'imported B':>11} {'source A':>9} {'B - C':>13}")
    for task in [*tasks, None]:
        row = [statistics.fmean(mean(r[w], task) for r in runs) for w in WHO]
        gains = [mean(r["imported"], task) - mean(r["fresh"], task) for r in runs]
        spread = f" ±{statistics.stdev(gains):4.1f}" if len(runs) > 1 else ""
        print(
            f"{task or 'all':28} {row[0]:8.1f} {row[1]:11.1f} {row[2]:9.1f} "
            f"{row[1] - row[0]:+7.1f}{spread}"
        )
    wins = sum(r["imported"][e] > r["fresh"][e] for r in runs for e in test)
    losses = sum(r["imported"][e] < r["fresh"][e] for r in runs for e in test)
    total = len(test) * len(runs)
    print(f"B better than C on {wins} of {total} first trials, worse on {losses}")


WHO = ("fresh", "imported", "source")


def learn(home: Path, train: list[str], args: argparse.Namespace) -> None:
    """Home A learns on the train variations: by playing them, or from their gold paths."""
    if args.learn == "demos":
        cairn("memory", "demo", *train, "--home", str(home))
        return
    trials, steps = str(args.train_trials), str(args.max_steps)
    cairn(
        "run",
        *train,
        "--trials",
        trials,
        "--max-steps",
        steps,
        "--policy",
        args.policy,
        "--home",
        str(home),
    )


def read_counts(bundle: Path) -> dict[str, int]:
    """What a bundle holds, from its manifest."""
    with zipfile.ZipFile(bundle) as archive:
        counts: dict[str, int] = json.loads(archive.read("manifest.json"))["counts"]
    return counts


if __name__ == "__main__":
    main()
