"""Does what one agent learned help another? Learn, export, import into a fresh home, play.

    python bench/transfer.py                       # the 5 dev-suite ScienceWorld tasks
    python bench/transfer.py --tasks melt,boil --test dev:1 --test dev:2 --json out.json
    python bench/transfer.py --policy evidence     # no model: minutes, not an hour
    python bench/transfer.py --policy evidence --bundle kept.zip --without insight
                                                   # what was learned once, played without a voice

Everything goes through the `cairn` command, as a user would run it:

1. home A learns: `cairn run` on train variations of each task (2 trials each), or with
   `--learn demos` from their gold paths (`cairn memory demo`);
2. `cairn export` A's ScienceWorld knowledge to a bundle; `cairn import` it into fresh home B;
3. first trial on new (dev) variations of the same tasks, by B (imported knowledge), by a
   fresh home C (knows nothing) and by A itself (what the bundle could at best carry).

Prints the mean first-trial score of each, per task and overall, and the gain of B over C.
Train and dev variations only: test-split variations are reserved for evaluation.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

TASKS = "find-living-thing,find-plant,melt,test-conductivity,lifespan-longest-lived"


def cairn(*args: str) -> str:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "cli", *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"`cairn {' '.join(args)}` failed:\n{result.stderr[-2000:]}")
    print(f"  cairn {' '.join(args[:2])} ... {time.perf_counter() - started:.0f}s", flush=True)
    return result.stdout


def first_trials(
    home: Path, specs: list[str], max_steps: int, policy: str, without: str
) -> dict[str, float]:
    report = json.loads(
        cairn(
            "run",
            *specs,
            "--trials",
            "1",
            "--max-steps",
            str(max_steps),
            "--policy",
            policy,
            "--without",
            without,
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
    parser.add_argument("--workdir", type=Path, help="Keep the homes and bundle here.")
    parser.add_argument(
        "--bundle", type=Path, help="Import this bundle instead of learning (no source A)."
    )
    parser.add_argument(
        "--without", default="", help="Voices switched off in the first trials (cairn run)."
    )
    parser.add_argument("--json", type=Path, help="Write every score as JSON.")
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
        source, imported, fresh = root / "A-learned", root / "B-imported", root / "C-fresh"
        bundle = args.bundle or root / "scienceworld.cairn.zip"
        if args.bundle:
            print(f"1-2. import {bundle} into fresh home B", flush=True)
            exported = {"counts": read_counts(bundle)}
        else:
            print(f"1. home A learns ({args.learn}) on {len(train)} train variations", flush=True)
            learn(source, train, args)
            print("2. export A, import into fresh home B", flush=True)
            exported = json.loads(
                cairn(
                    "export", str(bundle), "--env", "scienceworld", "--home", str(source), "--json"
                )
            )
        taken = json.loads(cairn("import", str(bundle), "--home", str(imported), "--json"))
        print(f"3. first trials on {len(test)} new variations: B, C, A", flush=True)
        play = (test, args.max_steps, args.policy, args.without)
        scores = {
            "imported": first_trials(imported, *play),
            "fresh": first_trials(fresh, *play),
        }
        # Without a source home, A's column is B's: the bundle is all there is.
        scores["source"] = scores["imported"] if args.bundle else first_trials(source, *play)

    def mean(who: str, task: str | None = None) -> float:
        chosen = [s for env, s in scores[who].items() if task is None or f":{task}@" in env]
        return statistics.fmean(chosen)

    print(
        f"\nbundle: {exported['counts']}; imported {taken['insights']} insights, "
        f"{taken['exemplars']} exemplars"
    )
    print(f"{'task':28} {'fresh C':>8} {'imported B':>11} {'source A':>9} {'B - C':>7}")
    for task in [*tasks, None]:
        row = [mean(w, task) for w in ("fresh", "imported", "source")]
        print(
            f"{task or 'all':28} {row[0]:8.1f} {row[1]:11.1f} {row[2]:9.1f} {row[1] - row[0]:+7.1f}"
        )
    wins = sum(scores["imported"][e] > scores["fresh"][e] for e in test)
    losses = sum(scores["imported"][e] < scores["fresh"][e] for e in test)
    print(f"B better than C on {wins} of {len(test)} variations, worse on {losses}")
    if args.json:
        result: dict[str, Any] = {
            "train": [] if args.bundle else train,
            "bundle_file": str(args.bundle) if args.bundle else None,
            "without": args.without,
            "test": test,
            "bundle": exported["counts"],
            "scores": scores,
        }
        args.json.write_text(json.dumps(result, indent=2))


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
