"""How many trials a second the memory service absorbs, and how long a worker waits for it.

    python bench/service_throughput.py                          # 10k and 100k insights
    python bench/service_throughput.py --sizes 1000000 --workdir /tmp/t   # keep, reuse the store
    python bench/service_throughput.py --workers 16 --trials 200 --in-process

The home is filled as ``bench/recall_overhead.py`` fills it (synthetic insights over 30 tasks x
100 variations), and then simulated workers (threads of this process: no model, no engine)
replay recorded trials into one memory service, each as a trial worker does: recall, start the
trial, send its 30 steps (a few per call), finish it, and hand it back to be learned (with
what learning reads of its recollection). The service is
the real one (``agent.running.distributed.Service``) as a Ray actor that serves every
worker's calls at once, as ``cairn run --workers`` starts it, or with ``--in-process`` the
same class called from the threads directly (the service's cost without Ray's calls). Each
worker plays its own variation of one of the 30 tasks (a new one each replay), so learning
touches what a cluster's trials would. Vectors come from the hash embedder: the numbers are
the stores'.

Prints trials absorbed per second (over the whole replay) and the p50/p95 of the time a worker
waits for the service per trial (every call of the trial summed) and for learning alone.
"""

from __future__ import annotations

import argparse
import multiprocessing
import pickle
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from recall_overhead import fill

from agent.environments.spec import EnvSpec, Variation
from agent.running.config import PolicyName, RunConfig
from agent.running.service import RemoteRecorder, Service
from agent.running.trials import TrialContext
from cli.distributed import MemoryServiceFactory
from memory.embedding import HashEmbedder
from memory.memory import Memory
from memory.records import Situation, Start, Step, TrialOutcome
from memory.store import Store
from memory.vectors import VectorIndex

ROOMS = [f"room {i}" for i in range(10)]
ACTIONS = [f"{verb} object {i}" for verb in ("open", "pick up", "look at") for i in range(30)]
STEPS = 30
PER_CALL = RemoteRecorder.STEPS_PER_CALL


def service_factory(home: Path) -> MemoryServiceFactory:
    """The memory service's factory, as ``cairn run --workers`` builds it, for the home."""
    return MemoryServiceFactory(RunConfig(policy=PolicyName.evidence, home=home))


def prepare(home: Path, size: int) -> None:
    """Fill and index ``home`` once (a kept ``--workdir`` is reused), in a child process: the
    embedded index is held by the process that opens it until it exits, and the service
    must open it next."""
    if (home / "cairn.db").exists():
        print(f"  {size:>9,} insights: reusing {home}")
        return
    child = multiprocessing.get_context("spawn").Process(target=_fill_home, args=(home, size))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"filling {home} failed (exit {child.exitcode})")


def _fill_home(home: Path, size: int) -> None:
    home.mkdir(parents=True, exist_ok=True)
    store = Store.in_home(home)
    store.set_setting("embedder", HashEmbedder.name)  # the service opens the home with it
    fill(store, size, random.Random(size))
    memory = Memory(store, VectorIndex(HashEmbedder(), home / "chroma"))
    started = time.perf_counter()
    memory.rebuild_index()
    print(f"  {size:>9,} insights indexed in {time.perf_counter() - started:.0f} s")
    store.close()


def recorded_trial(rng: random.Random) -> tuple[Start, list[Step]]:
    """A 30-step trial over 10 rooms that raises the score now and then."""
    place, score, steps = ROOMS[0], 0.0, []
    start = Start(Situation(place), place, tuple(ACTIONS))
    for i in range(1, STEPS + 1):
        action = rng.choice([*ACTIONS, *(f"go to {room}" for room in ROOMS)])
        place = action.removeprefix("go to ") if action.startswith("go to") else place
        reward = 10.0 if rng.random() < 0.1 else 0.0
        score += reward
        steps.append(
            Step(
                i,
                action,
                f"obs {i}",
                reward,
                score,
                False,
                False,
                False,
                state_key=f"{place}|{score}",
                location=place,
                choices=tuple(ACTIONS),
            )
        )
    return start, steps


Call = Callable[..., Any]


def replay(
    call: Call, worker: int, trials: int, run_id: int, waits: dict[str, list[float]]
) -> None:
    """One simulated worker: ``trials`` trials of its own variation, each as a worker plays
    it, timing how long each call to the service keeps it waiting."""
    rng = random.Random(worker)
    # A variation no earlier replay played: a kept home's archives do not grow from one
    # replay to the next, so replays of one home stay comparable.
    spec = EnvSpec("scienceworld", f"task-{worker % 30}", Variation(1000 * run_id + worker))
    variation = str(spec.variation)
    for trial in range(1, trials + 1):
        start, steps = recorded_trial(rng)
        waited = time.perf_counter()
        trial_id = call("start_trial", run_id, str(spec), trial)
        context = TrialContext(
            run_id, trial_id, spec, trial, variation, "Your task is to do it.", "a room", start
        )
        recollection = pickle.loads(call("recall", context))
        for first in range(0, len(steps), PER_CALL):  # as a worker sends them
            call("add_steps", run_id, trial_id, tuple(steps[first : first + PER_CALL]))
        outcome = TrialOutcome(steps[-1].score, False, len(steps), 1.0)
        call("finish_trial", trial_id, outcome)
        learning = time.perf_counter()
        call("after_trial", context, recollection.for_learning(), tuple(steps), outcome)
        done = time.perf_counter()
        waits["trial"].append(done - waited)
        waits["learning"].append(done - learning)


def callers(home: Path, in_process: bool) -> tuple[Call, Callable[[], None]]:
    """Calls into one memory service, and how to stop it."""
    if in_process:
        here = Service(service_factory(home))

        def call_here(method: str, *args: Any) -> Any:
            return getattr(here, method)(*args)

        return call_here, lambda: call_here("finish")
    import ray

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    service: Any = ray.remote(Service)  # as the workers' service is started
    actor = service.options(num_cpus=0, max_concurrency=64).remote(service_factory(home))

    def call_ray(method: str, *args: Any) -> Any:
        return ray.get(getattr(actor, method).remote(*args))

    def stop() -> None:
        call_ray("finish")
        ray.shutdown()

    return call_ray, stop


def measure(home: Path, workers: int, trials: int, in_process: bool) -> None:
    store = Store.in_home(home)
    run_id = store.start_run("bench/service_throughput.py", {}, "bench")
    store.close()
    call, stop = callers(home, in_process)
    # One trial first, untimed: the service's first learning catches up on every subject
    # (edits and imports made between runs), once per start.
    replay(call, 10_000, 1, run_id, {"trial": [], "learning": []})
    waits: dict[str, list[float]] = {"trial": [], "learning": []}
    each = max(1, trials // workers)
    threads = [
        threading.Thread(target=replay, args=(call, w, each, run_id, waits)) for w in range(workers)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    stop()
    absorbed = len(waits["trial"])
    print(f"    {absorbed} trials from {workers} workers in {seconds:.1f} s: "
          f"{absorbed / seconds:.1f} trials/s")  # fmt: skip
    for name, values in waits.items():
        values.sort()
        p95 = values[int(0.95 * (len(values) - 1))]
        print(f"    wait per trial, {name:<8} p50 {1000 * statistics.median(values):7.1f} ms"
              f"   p95 {1000 * p95:7.1f} ms")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, default=8, help="Simulated workers (threads).")
    parser.add_argument("--trials", type=int, default=80, help="Trials replayed in all.")
    parser.add_argument(
        "--in-process", action="store_true", help="No Ray: the threads call the service directly."
    )
    parser.add_argument("--workdir", type=Path, help="Keep the filled stores here, reuse them.")
    args = parser.parse_args()
    where = "in this process" if args.in_process else "a Ray actor"
    print(f"memory service: {where}; {args.workers} simulated workers, {STEPS}-step trials")
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.sizes:
            home = (args.workdir or Path(scratch)) / f"home-{size}"
            prepare(home, size)
            measure(home, args.workers, args.trials, args.in_process)


if __name__ == "__main__":
    main()
