"""One place that assembles and plays a run, from its ``RunConfig``.

Every entry point plays through a player: ``cairn run`` (here, or on Ray workers),
``cairn bench`` (each batch of a suite is a run) and the bench scripts; the Ray workers build
their loops with the same builder (``cli.build.trial_loop``, from ``cli.distributed``).

    LocalPlayer   runs in this process, one after another: one set of environments (one
                  JVM) and one model for every run it plays
    RayPlayer     runs on ``config.workers`` Ray workers, started at the first run and kept
                  for the next, with one memory service per run writing its home

``play`` opens the run's record and closes it however the run ends ("done", "failed",
"interrupted", with why: ``cli.common.recorded_run``); the config it records is the one it
plays. A batch of a suite is the player's config with other trials, steps, home or memory
(``dataclasses.replace``); the model is the one the player opened.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from agent.environments import Environments, EnvSpec
from agent.llm import LLM
from agent.running.config import RunConfig
from agent.running.distributed import Plan, StartUp, WorkerPool
from agent.running.trials import EnvResult, Observer
from cli.build import build_agent, build_learning, cache_dir, model_for, trial_loop
from cli.common import recorded_run
from cli.distributed import MemoryServiceFactory, warm_worker, worker_loop
from cli.stopping import Checkpoints
from memory.embedding import Embedder
from memory.store import Store

Played = tuple[int, list[EnvResult]]  # the run's id, and its results in spec order


class LocalPlayer:
    """Plays runs here. The model ``config`` asks for is opened at the first run (inside its
    record: a model that cannot be opened fails the run), then shared; ``embedder``, if
    given, is memory's for every run (else each home's own)."""

    def __init__(self, config: RunConfig, *, embedder: Embedder | None = None) -> None:
        self.config = config
        self.embedder = embedder
        self.environments = Environments(cache_dir() / "games")
        self._model: LLM | None = None
        self._model_opened = False

    def __enter__(self) -> LocalPlayer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.environments.close()
        if self._model is not None:
            self._model.close()

    def model(self) -> LLM | None:
        if not self._model_opened:
            self._model, self._model_opened = model_for(self.config), True
        return self._model

    def play(
        self,
        config: RunConfig,
        specs: Sequence[EnvSpec],
        store: Store,
        command: str,
        observer: Observer,
    ) -> Played:
        with recorded_run(store, command, config.record(specs)) as run_id:
            model = self.model()
            learning = build_learning(config, store, model, self.embedder)
            agent = build_agent(config, model, learning.embedder)
            loop = trial_loop(
                config,
                self.environments,
                agent,
                store,
                learning.learner,
                run_id,
                Checkpoints(observer),
            )
            return run_id, loop.run(specs)


class RayPlayer:
    """Plays runs on Ray workers: ``config.workers`` of them (on the cluster at
    ``config.ray_address``, else a local instance), started at the first run, inside its
    record (Ray that cannot start fails the run)."""

    def __init__(self, config: RunConfig) -> None:
        self.config = config
        self.games = cache_dir() / "games"
        self._pool: WorkerPool | None = None

    def __enter__(self) -> RayPlayer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()

    @property
    def startups(self) -> list[StartUp]:
        """How long each worker started so far took to be ready."""
        return list(self._pool.startups) if self._pool is not None else []

    def play(
        self,
        config: RunConfig,
        specs: Sequence[EnvSpec],
        store: Store,
        command: str,
        on_progress: Callable[[int], None],
    ) -> Played:
        """``on_progress`` hears how many of the run's trials the workers have finished."""
        with recorded_run(store, command, config.record(specs)) as run_id:
            if self._pool is None:
                size, address = self.config.workers, self.config.ray_address
                self._pool = WorkerPool(worker_loop, self.games, size, address, warm_worker)
            plan = Plan(tuple(specs), run_id, config, self.games)
            return run_id, self._pool.run(plan, MemoryServiceFactory(config), on_progress)
