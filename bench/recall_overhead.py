"""Overhead of memory per step and per trial, with 10k and 100k insights in the store.

    python bench/recall_overhead.py                 # 10k and 100k, embedded index
    python bench/recall_overhead.py --sizes 1000000
    python bench/recall_overhead.py --memory-url http://127.0.0.1:8000   # on a server

The store is filled with synthetic insights spread over 30 tasks x 100 variations (plus task-
and environment-scope ones), and 8 exemplars of 50 steps for the task under test. It then
times, on a ScienceWorld-sized turn (400 valid actions):

  recall     Recaller.recall for one variation (once per trial): SQL + exemplar lookup
  scoring    all scorers of the memory agent over the 400 actions (every step)
  search     semantic search of the insights (top 10 by meaning, as `cairn memory search`
             and the MCP tool do), against the vector index on disk or on a Chroma server

Vectors come from the hash embedder, so the numbers are the stores' and not MiniLM's (which
adds ~5 ms per query).

and prints median and p95 of each.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from agent.memory_scorers import memory_scorers
from agent.policy import Policy, default_scorers
from agent.recall import RecallBox, Recaller
from agent.state import Turn
from memory.embedding import HashEmbedder
from memory.insight_reads import now
from memory.knowledge import Exemplar, ExemplarStep, Relation, Scope, normalise
from memory.memory import Memory
from memory.store import Store
from memory.vectors import VectorIndex

VERBS = ["open", "close", "pick up", "move", "focus on", "look at", "activate", "go to"]
OBJECTS = [f"object {i}" for i in range(60)]


def fill(store: Store, count: int, rng: random.Random) -> None:
    rows = []
    for i in range(count):
        scope = rng.choices(list(Scope), weights=[90, 8, 1.5, 0.5])[0]
        subject = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        relation = rng.choice(list(Relation))
        task = f"task-{rng.randrange(30)}"
        rows.append(
            {
                "subject": subject,
                "subject_key": normalise(subject),
                "relation": relation.value,
                "goal": f"goal {i % 997}",
                "goal_key": f"goal {i % 997}",
                "scope": scope.value,
                "env": None if scope is Scope.GLOBAL else "scienceworld",
                "task": task if scope in (Scope.VARIATION, Scope.TASK) else None,
                "variation": rng.randrange(100) if scope is Scope.VARIATION else None,
                "where_key": f"{scope.value}-{i}",
                "support": rng.randrange(1, 5),
                "refute": rng.randrange(0, 3),
                "status": "active",
                "origin": "bench",
                "pinned": 0,
                "ord": rng.random(),
                "created_at": now(),
                "updated_at": now(),
            }
        )
    store.db.table("insights").insert_all(rows, batch_size=5000)


def turn(rng: random.Random, steps: int) -> Turn:
    valid = tuple(sorted({f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}" for _ in range(700)}))[:400]
    from memory.records import Step

    history = tuple(
        Step(i, rng.choice(valid), f"observation {i}", 0.0, 0.0, False, False, False)
        for i in range(1, steps + 1)
    )
    return Turn("Your task is to do task 7.", "A room with things.", valid, history)


def measure(size: int, repeats: int, url: str | None) -> dict[str, list[float]]:
    rng = random.Random(size)
    with tempfile.TemporaryDirectory() as home:
        store = Store.in_home(Path(home))
        fill(store, size, rng)
        if url:
            index = VectorIndex(HashEmbedder(), url=url, namespace=f"bench-{size}")
        else:
            index = VectorIndex(HashEmbedder(), Path(home) / "chroma")
        memory = Memory(store, index)
        started = time.perf_counter()
        memory.rebuild_index()
        print(f"  {size:>9,} insights indexed in {time.perf_counter() - started:.0f} s")
        sample = turn(rng, 20)
        for n in range(8):
            steps = tuple(
                ExemplarStep(
                    rng.choice(sample.valid_actions),
                    "obs",
                    0,
                    n,
                    sample.state_key,
                    credit=rng.random() * 10,
                    useful=rng.random() < 0.5,
                )
                for _ in range(50)
            )
            memory.remember(
                Exemplar(
                    "scienceworld",
                    "task-7",
                    3,
                    "s",
                    "Your task is to do task 7.",
                    10.0 * n,
                    False,
                    steps,
                )
            )
        recaller, box = Recaller(memory), RecallBox()
        policy = Policy(default_scorers() + memory_scorers(box, HashEmbedder()), seed=0)
        timings: dict[str, list[float]] = {"recall": [], "scoring": [], "search": []}
        for _ in range(repeats):
            started = time.perf_counter()
            box.recollection = recaller.recall("scienceworld", "task-7", 3, sample.task)
            timings["recall"].append(time.perf_counter() - started)
            for _ in range(5):
                started = time.perf_counter()
                policy.choose(sample, policy.evidence(sample))
                timings["scoring"].append(time.perf_counter() - started)
            started = time.perf_counter()
            memory.similar_insights(f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}", 10)
            timings["search"].append(time.perf_counter() - started)
        recalled = len(box.recollection.insights)
        if url:
            index.reset()  # leave the shared server as it was
        store.close()
    print(f"  {size:>9,} insights: {recalled} recalled for the variation")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--memory-url", help="A Chroma server (cairn serve) instead of disk.")
    args = parser.parse_args()
    print(f"vector index: {args.memory_url or 'embedded, on disk'}")
    for size in args.sizes:
        timings = measure(size, args.repeats, args.memory_url)
        for name, values in timings.items():
            values.sort()
            p95 = values[int(0.95 * (len(values) - 1))]
            p50 = statistics.median(values)
            print(f"    {name:<8} p50 {1000 * p50:7.2f} ms   p95 {1000 * p95:7.2f} ms")


if __name__ == "__main__":
    main()
