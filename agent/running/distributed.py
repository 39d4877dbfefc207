"""Trials on Ray workers, with one memory service as the single writer.

    driver (cairn run --workers N)
      ├── MemoryService   one actor: owns the store and memory; records every trial and
      │                   step, recalls before a trial (the recollection is its answer to
      │                   the worker, like any other result) and reflects after it (given
      │                   the recollection back). Workers call it at once; one lock
      │                   serialises every use of the store, so there is one writer by
      │                   design (Chroma's embedded index is not process-safe; SQLite
      │                   has one writer), and trials handed back while it learns are
      │                   learned together, in one transaction (group commit)
      └── TrialWorker ×N  one actor each: its own environments (one JVM) and model; plays
                          all the trials of one environment spec with a fresh trial loop
                          (and agent), then takes the next (a WorkerPool keeps workers
                          across runs)

The trials of one spec stay in order on one worker (trial 2 learns from trial 1); specs run
in parallel. A worker that dies has its running trial and the spec's remaining trials marked
failed with the reason; a new worker takes its place and the run goes on. ``ray.init`` starts
a local instance, or joins a cluster at ``address``.

What the actors need is built by factories (``make_service``, ``make_loop``) that the caller
passes in: they are pickled by reference and called inside the actor's process. The run's
``RunConfig`` travels with the ``Plan`` to every worker.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.environments import Environments
from agent.environments.spec import EnvSpec
from agent.errors import DistributedError
from agent.running.config import RunConfig
from agent.running.service import MakeService, RemoteLearner, RemoteRecorder, Service
from agent.running.trials import (
    EnvResult,
    Learner,
    Recorder,
    TrialLoop,
    interruption_reason,
)

# A worker's trial loop for a run: (config, environments, recorder, learner, run id) -> loop
MakeLoop = Callable[[RunConfig, Environments, Recorder, Learner, int], TrialLoop]


class Worker:
    """A trial worker's body: its own environments (one JVM), kept from run to run; each
    spec is played by a fresh loop and agent (the factory may reuse a loaded model), so a
    result does not depend on which worker played it, or what it played before."""

    def __init__(self, make_loop: MakeLoop, games_dir: Path, asked_at: float) -> None:
        self.make_loop = make_loop
        self.environments = Environments(games_dir)
        self.asked_at = asked_at  # when the driver asked Ray for this worker (wall clock)
        self.started = time.time() - asked_at  # until its process could take a call

    def warm(self, config: RunConfig, warm_up: WarmUp) -> StartUp:
        """Load what the run's trials use (the model) before the first: how long it took
        this worker to be ready, from the moment it was asked for."""
        loading = time.time()
        warm_up(config)
        now = time.time()
        return StartUp(self.started, now - loading, now - self.asked_at)

    def play(self, service: Any, spec: EnvSpec, run_id: int, config: RunConfig) -> EnvResult:
        recorder, learner = RemoteRecorder(service), RemoteLearner(service)
        loop = self.make_loop(config, self.environments, recorder, learner, run_id)
        (result,) = loop.run([spec])
        return result


@dataclass(frozen=True)
class StartUp:
    """A worker's start-up, in seconds: its process (Ray's scheduling, Python, imports),
    then loading what it uses (the model), and the two from when it was asked for."""

    process: float
    loading: float
    ready: float


# Loads what a worker's trials will use (e.g. the model), once per worker process.
WarmUp = Callable[[RunConfig], None]


@dataclass(frozen=True)
class Plan:
    """One run on the workers: its specs, its record and what it is asked to do."""

    specs: tuple[EnvSpec, ...]
    run_id: int
    config: RunConfig
    games_dir: Path


def _ray_token_available() -> bool:
    token_file = os.environ.get("RAY_AUTH_TOKEN_PATH") or Path.home() / ".ray" / "auth_token"
    return bool(os.environ.get("RAY_AUTH_TOKEN")) or Path(token_file).is_file()


def start_ray(address: str | None, workers: int) -> None:
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    if address and "RAY_AUTH_MODE" not in os.environ and _ray_token_available():
        # `ray start` turns token auth on when a token exists, but ray.init(address=...)
        # does not, and then retries for a minute with "InvalidAuthToken". Ray reads the
        # mode when it is imported: set it first.
        os.environ["RAY_AUTH_MODE"] = "token"
    import ray

    if ray.is_initialized():
        return
    # ray.init makes SIGTERM exit the driver at once; the caller's handler (the CLI's ends a
    # run like Ctrl-C, closing its records) is put back.
    on_sigterm = signal.getsignal(signal.SIGTERM)
    try:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:  # a new local instance sized for the workers and the service
            ray.init(
                address="local",  # not whatever cluster happens to run on this machine
                num_cpus=workers + 1,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise DistributedError(
            f"cannot start or reach Ray ({address or 'local'}): {error}"
        ) from None
    finally:
        if on_sigterm is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, on_sigterm)


class WorkerPool:
    """Trial workers kept from one run to the next (a benchmark plays many short batches):
    starting a worker — its process, model and JVM — can cost more than its trials."""

    def __init__(
        self,
        make_loop: MakeLoop,
        games_dir: Path,
        size: int,
        address: str | None = None,
        warm_up: WarmUp = lambda config: None,
    ) -> None:
        with contextlib.redirect_stdout(sys.stderr):  # Ray's messages; stdout is the caller's
            start_ray(address, size)  # first: it sets what Ray reads on import
        import ray

        self.size, self.warm_up = size, warm_up
        self._new = lambda: ray.remote(num_cpus=1, max_restarts=0)(Worker).remote(
            make_loop, games_dir, time.time()
        )
        self.idle: list[Any] = []
        self._starting: list[Any] = []  # the new workers' start-ups, not yet read
        self.startups: list[StartUp] = []  # of every worker started, in order

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        import ray

        for worker in self.idle:
            ray.kill(worker)
        self.idle = []

    def _worker(self, config: RunConfig) -> Any:
        """An idle worker, or a new one that loads what ``config``'s trials use first (all
        new workers at once: each in its own process)."""
        if self.idle:
            return self.idle.pop()
        worker: Any = self._new()
        self._starting.append(worker.warm.remote(config, self.warm_up))
        return worker

    def _read_startups(self) -> None:
        import ray

        ready, self._starting = ray.wait(self._starting, num_returns=len(self._starting))[0], []
        for future in ready:
            with contextlib.suppress(Exception):  # a worker that died did not start
                self.startups.append(ray.get(future))

    def run(
        self,
        plan: Plan,
        make_service: MakeService,
        on_progress: Callable[[int], None] = lambda done: None,
    ) -> list[EnvResult]:
        """Play the plan's specs, ``self.size`` at a time, with one memory service (a new one
        for each run: each run may write another home)."""
        with contextlib.redirect_stdout(sys.stderr):
            return self._run(plan, make_service, on_progress)

    def _run(
        self, plan: Plan, make_service: MakeService, on_progress: Callable[[int], None]
    ) -> list[EnvResult]:
        import ray
        from ray.exceptions import ActorDiedError, ActorUnavailableError, RayActorError

        # Calls come at once from every worker (the service serialises its store itself).
        threads = self.size + 4
        actor: Any = ray.remote(Service)
        service = actor.options(num_cpus=0, max_concurrency=threads).remote(make_service)
        queue = list(enumerate(plan.specs))
        results: dict[int, EnvResult] = {}
        playing: dict[Any, tuple[int, EnvSpec, Any]] = {}
        try:
            while queue or playing:
                while queue and len(playing) < self.size:
                    index, spec = queue.pop(0)
                    worker = self._worker(plan.config)
                    future = worker.play.remote(service, spec, plan.run_id, plan.config)
                    playing[future] = (index, spec, worker)
                done, _ = ray.wait(list(playing), num_returns=1, timeout=0.5)
                on_progress(ray.get(service.progress.remote()))
                for future in done:
                    index, spec, worker = playing.pop(future)
                    try:
                        results[index] = ray.get(future)
                        self.idle.append(worker)
                    except (RayActorError, ActorDiedError, ActorUnavailableError) as error:
                        # The run goes on; the next spec gets a fresh worker.
                        reason = f"the worker died: {type(error).__name__}"
                        results[index] = ray.get(
                            service.fail_rest.remote(
                                plan.run_id, str(spec), plan.config.trials, reason
                            )
                        )
            on_progress(ray.get(service.progress.remote()))
            self._read_startups()
        except KeyboardInterrupt as stop:
            self._interrupt(service, [w for _, _, w in playing.values()], interruption_reason(stop))
            raise
        finally:
            for handle in [*(w for _, _, w in playing.values()), service]:
                ray.kill(handle)  # an interrupted run's workers are in an unknown state
        return [results[i] for i in range(len(plan.specs))]

    @staticmethod
    def _interrupt(service: Any, workers: list[Any], reason: str) -> None:
        """Stop the workers (so none starts another trial), then have the service close the
        trials they were playing — within a bound: it may be busy learning."""
        import ray
        from ray.exceptions import GetTimeoutError

        for worker in workers:
            ray.kill(worker)
        with contextlib.suppress(GetTimeoutError):
            ray.get(service.interrupt.remote(reason), timeout=30)
