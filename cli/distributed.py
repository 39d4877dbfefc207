"""``--workers N``: the pieces a distributed run's actors build in their own processes.

Ray pickles the factories (by reference) and the actors call them in their own processes
(see ``agent.running.distributed``). Both build from the run's ``RunConfig``, as a run here does
(``cli.build``): the memory service's factory holds it; a worker's loop is given it with
each spec to play (it comes with the run's ``Plan``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from agent.environments import Environments
from agent.llm import LLM
from agent.running.config import RunConfig
from agent.running.trials import Learner, Recorder, TrialLoop
from cli.build import build_agent, build_learning, open_model, trial_loop
from memory.embedding import MiniLMEmbedder
from memory.store import Store


@dataclass(frozen=True)
class MemoryServiceFactory:
    """The memory service: the home's store and memory, and the learner that writes it."""

    config: RunConfig

    def __call__(self) -> tuple[Recorder, Learner]:
        config = self.config
        store = Store.in_home(config.home, any_thread=True)  # its calls come on threads
        reflects = config.reflects_with_model
        model = open_model(config.llm, config.base_url, config.seed) if reflects else None
        return store, build_learning(config, store, model, lag=LAG).learner


# Seconds the memory service's index and broad insights may trail SQLite: trials arriving
# within them share one index write and one read of the broad scopes (``memory.memory``).
LAG = 2.0


def worker_loop(
    config: RunConfig,
    environments: Environments,
    recorder: Recorder,
    learner: Learner,
    run_id: int,
) -> TrialLoop:
    """A trial worker's loop for one spec of a run, with a fresh agent. The model and the
    embedder are loaded once per worker process and shared by the agents it builds."""
    model = _model(config.llm, config.base_url, config.seed) if config.acts_with_model else None
    embedder = _embedder() if config.memory else None
    agent = build_agent(config, model, embedder)
    return trial_loop(config, environments, agent, recorder, learner, run_id)


def warm_worker(config: RunConfig) -> None:
    """Load the model a worker's trials act with, before its first trial."""
    if config.acts_with_model:
        _model(config.llm, config.base_url, config.seed)


@functools.cache
def _model(llm: str, base_url: str | None, seed: int) -> LLM:
    return open_model(llm, base_url, seed)


@functools.cache
def _embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()
