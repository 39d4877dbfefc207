"""Overhead of memory per step, per trial and per run, with 10k and 100k insights stored.

    python bench/recall_overhead.py                 # 10k and 100k, embedded index
    python bench/recall_overhead.py --sizes 1000000 --memory-url http://127.0.0.1:8000
    python bench/recall_overhead.py --sizes 1000000 --workdir /tmp/b   # keep (and reuse) it

The store is filled with synthetic insights spread over 30 tasks x 100 variations (plus task-
and environment-scope ones), 8 exemplars of 50 steps for the task under test, and its game's
archive of cells and map: 20 trials of 50 steps over 10 rooms, 400 actions seen in each cell;
49 other variations of that task (``--others``) with an archive of 5 trials each, which a
recall reads for the task's kinds and places.
It then times, on a ScienceWorld-sized turn (400 valid actions, 20 steps into the episode):

  recall     Recaller.recall for one variation (once per trial): SQL + exemplar lookup,
             the archive loaded and the trial's plan chosen from it, the other
             variations' archives read for the task's kinds and places
  scoring    all scorers of the memory agent over the 400 actions (every step), the
             explorer reading the archive and the map
  search     semantic search of the insights (top 10 by meaning, as `cairn memory search`
             and the MCP tool do), against the vector index on disk or on a Chroma server
  learning   everything after a trial (once per trial): reflection on a 30-step trajectory,
             insight updates in SQLite and the index, the exemplar, promotion, the graph

and, once, opening the knowledge graph at the start of a run (rebuilt from SQLite the first
time, loaded from graph.json after). Vectors come from the hash embedder, so the numbers are
the stores' and not MiniLM's (which adds ~5 ms per query). Prints median, p95 and p99 of each.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from agent.acting.state import Turn, state_key
from agent.learning.learner import GRAPH_FILE, MemoryLearner
from agent.learning.recall import Recaller, Recollection
from agent.running.config import PolicyName, RunConfig
from cli.build import build_agent
from memory.archive import Archive
from memory.clock import now
from memory.embedding import HashEmbedder
from memory.knowledge import Exemplar, ExemplarStep, Relation, Scope, normalise
from memory.memory import Memory
from memory.records import Situation, Start, Step
from memory.store import Store
from memory.vectors import VectorIndex
from reflection.archiving import fold_trial
from reflection.trajectory import Trajectory

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
                "variation": str(rng.randrange(100)) if scope is Scope.VARIATION else None,
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
    history = tuple(
        Step(i, rng.choice(valid), f"observation {i}", 0.0, 0.0, False, False, False)
        for i in range(1, steps + 1)
    )
    return Turn("Your task is to do task 7.", "A room with things.", valid, history)


def measure(
    size: int, repeats: int, url: str | None, workdir: Path, keep: bool, others: int
) -> dict[str, list[float]]:
    rng = random.Random(size)
    home = workdir / f"home-{size}"
    reuse = (home / "cairn.db").exists()
    home.mkdir(parents=True, exist_ok=True)
    store = Store.in_home(home)
    if url:
        index = VectorIndex(HashEmbedder(), url=url, namespace=f"bench-{size}")
    else:
        index = VectorIndex(HashEmbedder(), home / "chroma")
    memory = Memory(store, index)
    sample = turn(rng, 20)
    if not reuse:
        fill(store, size, rng)
        started = time.perf_counter()
        memory.rebuild_index()
        print(f"  {size:>9,} insights indexed in {time.perf_counter() - started:.0f} s")
        remember_exemplars(memory, sample, rng)
        other_variations(memory, sample, rng, others)
        explore(store, sample, rng)
    else:
        print(f"  {size:>9,} insights: reusing {home}")
    started = time.perf_counter()
    learner = MemoryLearner(memory, graph_path=home / GRAPH_FILE)
    print(f"  graph opened at the start of a run in {time.perf_counter() - started:.1f} s")
    recaller = Recaller(memory)
    # The memory agent's own policy (every scorer a run with memory has), without a model.
    config = RunConfig(policy=PolicyName.evidence, home=home)
    policy = build_agent(config, None, HashEmbedder()).policy
    recollection = Recollection()
    timings: dict[str, list[float]] = {"recall": [], "scoring": [], "search": [], "learning": []}
    for _ in range(repeats):
        started = time.perf_counter()
        recollection = recaller.recall("scienceworld", "task-7", "3", sample.task)
        timings["recall"].append(time.perf_counter() - started)
        recalled = replace(sample, recollection=recollection, max_steps=50)
        for _ in range(5):
            started = time.perf_counter()
            policy.choose(recalled, policy.evidence(recalled))
            timings["scoring"].append(time.perf_counter() - started)
        started = time.perf_counter()
        memory.similar_insights(f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}", 10)
        timings["search"].append(time.perf_counter() - started)
        started = time.perf_counter()
        learner.learn_from(trajectory(sample, rng))
        timings["learning"].append(time.perf_counter() - started)
    started = time.perf_counter()
    learner.finish()
    print(f"  graph saved at the end of the run in {time.perf_counter() - started:.1f} s")
    if url and not keep:
        index.reset()  # leave the shared server as it was
    store.close()
    print(f"  {size:>9,} insights: {len(recollection.insights)} recalled for the variation")
    cells = len(recollection.archive.cells) if recollection.archive else 0
    print(f"  archive of {cells} cells recalled; plan: {recollection.plan.target or 'none'}")
    return timings


def remember_exemplars(memory: Memory, sample: Turn, rng: random.Random) -> None:
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
            Exemplar("scienceworld", "task-7", "3", "s", sample.task, 10.0 * n, False, steps)
        )


ROOMS = [f"room {i}" for i in range(10)]


def other_variations(memory: Memory, sample: Turn, rng: random.Random, count: int) -> None:
    """The task's other variations: each played 5 trials (its archive) and remembered by
    one trajectory (its description, which names another thing): what a recall reads for
    the task's kinds and places."""
    for n in range(count):
        variation = str(100 + n)
        description = f"{sample.task} Use the {rng.choice(OBJECTS)}."
        memory.remember(
            Exemplar("scienceworld", "task-7", variation, "s", description, 0.0, False, ())
        )
        explore(memory.store, sample, rng, trials=5, variation=variation)


def explore(
    store: Store, sample: Turn, rng: random.Random, trials: int = 20, variation: str = "3"
) -> None:
    """The archive 20 trials of 50 steps would leave: random walks over 10 rooms, picking
    things up now and then, 400 actions valid everywhere."""
    archive = Archive("scienceworld", "task-7", variation)
    choices = sample.valid_actions
    for trial in range(1, trials + 1):
        place, score, steps = ROOMS[0], 0.0, []
        held: tuple[str, ...] = ()
        start = Start(Situation(place), state_key(choices, Situation(place)), choices)
        for i in range(1, 51):
            action = rng.choice(choices)
            if action.startswith("go to"):
                place = rng.choice(ROOMS)
            elif action.startswith("pick up") and len(held) < 3:
                held = (*held, action.removeprefix("pick up "))
            score += 5.0 if rng.random() < 0.03 else 0.0
            here = Situation(place, held, score)
            state = state_key(choices, here)
            steps.append(
                Step(
                    i,
                    action,
                    "obs",
                    0.0,
                    score,
                    False,
                    False,
                    False,
                    state_key=state,
                    location=place,
                    inventory=held,
                    choices=choices,
                )
            )
        archive, _ = fold_trial(archive, start, steps, trial_id=trial)
    store.archives.save(archive)


def trajectory(sample: Turn, rng: random.Random) -> Trajectory:
    """A 30-step trial of task 7 that raises the score now and then."""
    steps, score = [], 0.0
    for i in range(1, 31):
        reward = 10.0 if rng.random() < 0.2 else 0.0
        score += reward
        action = rng.choice(sample.valid_actions)
        steps.append(Step(i, action, f"obs {i}", reward, score, False, False, False))
    return Trajectory(
        "scienceworld", "task-7", "3", "scienceworld:task-7@3", sample.task, "a room", tuple(steps)
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument(
        "--others",
        type=int,
        default=49,
        help="Other variations of the task under test with an archive (5 trials each).",
    )
    parser.add_argument("--memory-url", help="A Chroma server (cairn serve) instead of disk.")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="Keep the filled stores (and their collections on the server) here; a later run "
        "with the same --workdir reuses them instead of filling and indexing again.",
    )
    args = parser.parse_args()
    print(f"vector index: {args.memory_url or 'embedded, on disk'}")
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.sizes:
            workdir = args.workdir or Path(scratch)
            keep = args.workdir is not None
            timings = measure(size, args.repeats, args.memory_url, workdir, keep, args.others)
            for name, values in timings.items():
                values.sort()
                p95 = values[int(0.95 * (len(values) - 1))]
                p99 = values[int(0.99 * (len(values) - 1))]
                p50 = statistics.median(values)
                print(
                    f"    {name:<8} p50 {1000 * p50:7.2f} ms   p95 {1000 * p95:7.2f} ms   "
                    f"p99 {1000 * p99:7.2f} ms"
                )


if __name__ == "__main__":
    main()
