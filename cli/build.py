"""Building the concrete objects a command needs, from its options and the environment.

The only place that decides which model, which policy, which memory: everything below
receives these objects ready-made. A run's pieces (model, agent, learner) are built from its
``RunConfig`` here; ``cli.assemble`` puts them together into the run's trial loop.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from agent.acting.agent import Agent
from agent.acting.decide import Decider, FreeDecider, MenuDecider
from agent.acting.policy import Policy, RandomPolicy, default_scorers
from agent.environments import Environments
from agent.learning.learner import GRAPH_FILE, MemoryLearner
from agent.learning.scorers import check_voices, policy_scorers
from agent.llm import LLM, open_llm
from agent.running.config import Mode, PolicyName, RunConfig
from agent.running.trials import (
    Frozen,
    Learner,
    NoLearning,
    Observer,
    Recorder,
    SilentObserver,
    TrialLoop,
)
from cli.common import fail
from memory.embedding import DEFAULT_EMBEDDER, Embedder, MiniLMEmbedder, embedder_named
from memory.memory import Memory
from memory.store import Store
from memory.vectors import VectorIndex
from reflection.llm import LLMReflector


def cache_dir() -> Path:
    """Generated games and assembled model files, shared by every home on this machine."""
    root = os.environ.get("CAIRN_CACHE") or Path(
        os.environ.get("XDG_CACHE_HOME", "~/.cache"), "cairn"
    )
    return Path(root).expanduser()


def open_model(spec: str, base_url: str | None, seed: int) -> LLM:
    return open_llm(
        spec,
        cache_dir=cache_dir() / "models",
        base_url=base_url,
        api_key=os.environ.get("OPENAI_API_KEY"),
        seed=seed,
    )


def model_for(config: RunConfig) -> LLM | None:
    """The model the run plays or reflects with, if it uses one."""
    return open_model(config.llm, config.base_url, config.seed) if config.uses_model else None


def build_agent(config: RunConfig, llm: LLM | None, embedder: Embedder | None = None) -> Agent:
    """The agent. Its policy explores (with memory off, from what this episode saw; with it
    on, from the game's archive too) and, with memory on, weighs insights, exemplars and the
    graph; a strong model reads memory in its prompt. ``embedder``: the one memory uses,
    shared to ground a strong model's free text."""
    scorers = policy_scorers(config.memory, config.without)
    seed = config.seed
    if config.policy is PolicyName.random:
        return Agent(RandomPolicy(seed=seed))
    if config.policy is PolicyName.evidence or llm is None:
        return Agent(Policy(scorers, seed=seed))
    if config.policy is PolicyName.model:
        return model_agent(config, llm, embedder)
    decider: Decider
    if config.decider_mode is Mode.menu:
        decider = MenuDecider(llm)
        return Agent(Policy(scorers, seed=seed), decider)
    decider = FreeDecider(llm, embedder=embedder or MiniLMEmbedder())
    # A model that writes its own action is trusted more than a menu pick by a tiny one.
    return Agent(Policy(scorers, seed=seed, llm_weight=4.0), decider, menu_size=15)


# The model's say outweighs any sum of evidence: its action is taken as it is.
AS_IT_IS = 1000.0


def model_agent(config: RunConfig, llm: LLM, embedder: Embedder | None) -> Agent:
    """The published prompt-only design (CLIN, Reflexion): the model's grounded action is
    taken as it is, and memory reaches it only through its prompt. The menu it sees is
    ranked by the priors of acting alone (no memory, no archive), so memory cannot move the
    choice any other way; what the model writes that grounds to nothing falls back to the
    menu's first action."""
    policy = Policy(default_scorers(), seed=config.seed, llm_weight=AS_IT_IS)
    if config.decider_mode is Mode.menu:
        return Agent(policy, MenuDecider(llm))
    return Agent(policy, FreeDecider(llm, embedder=embedder or MiniLMEmbedder()), menu_size=15)


@dataclass
class Learning:
    """The learner of a run (a no-op without memory) and the memory it writes."""

    learner: Learner
    memory: Memory | None = None

    @property
    def embedder(self) -> Embedder | None:
        """The embedding model memory uses (the agent shares it), if memory is on."""
        return self.memory.index.embedder if self.memory and self.memory.index else None

    @property
    def memory_learner(self) -> MemoryLearner:
        if not isinstance(self.learner, MemoryLearner):
            raise RuntimeError("memory is switched off")
        return self.learner


def voices(text: str) -> tuple[str, ...]:
    """``--without``'s comma-separated voices of the policy, checked (one line if unknown)."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    try:
        return check_voices(names)
    except ValueError as error:
        fail(str(error))


def home_embedder(store: Store) -> Embedder:
    """The embedding model this home's index is built with (``cairn memory reembed``)."""
    name = store.setting("embedder") or DEFAULT_EMBEDDER
    try:
        return embedder_named(name)
    except ValueError as error:
        fail(f"{error}; this home's index was built with it: `cairn memory reembed --model minilm`")


def open_memory(
    home: Path, store: Store, embedder: Embedder | None = None, url: str | None = None
) -> Memory:
    """The home's memory. Its vector index is on disk in the home (one process at a time)
    or, once a url is given (``--memory-url``, ``CAIRN_MEMORY_URL``), on that Chroma server
    — remembered by the home until ``--memory-url embedded`` switches back."""
    url = url or os.environ.get("CAIRN_MEMORY_URL") or store.setting("memory_url")
    if url == "embedded":
        store.set_setting("memory_url", "")
        url = None
    embedder = embedder or home_embedder(store)
    if not url:
        return Memory(store, VectorIndex(embedder, home / "chroma"))
    index = VectorIndex(embedder, url=url, namespace=f"cairn-{store.home_id()}")
    if store.setting("memory_url") != url:
        store.set_setting("memory_url", url)
    return Memory(store, index)


def build_learning(
    config: RunConfig,
    store: Store,
    llm: LLM | None = None,
    embedder: Embedder | None = None,
    *,
    lag: float = 0.0,
) -> Learning:
    """The run's learner on ``config.home``'s memory (``embedder``: the home's own unless
    given), reflecting with ``llm`` too when the config says so; what is derived or broad
    may trail SQLite by ``lag`` seconds (``Memory``)."""
    if not config.memory:
        return Learning(NoLearning())
    memory = open_memory(config.home, store, embedder, config.memory_url)
    memory.lag = lag
    memory.repair()  # a crashed run may have left the index behind SQLite
    llm_reflector = None
    if config.reflects_with_model:
        if llm is None:
            raise ValueError("the run reflects with a model: open it first (model_for)")
        llm_reflector = LLMReflector(llm)
    graph_path = config.home / GRAPH_FILE
    learner = MemoryLearner(memory, graph_path=graph_path, llm_reflector=llm_reflector)
    return Learning(Frozen(learner) if config.frozen else learner, memory)


def trial_loop(
    config: RunConfig,
    environments: Environments,
    agent: Agent,
    recorder: Recorder,
    learner: Learner,
    run_id: int,
    observer: Observer | None = None,
) -> TrialLoop:
    """The trial loop of one run, from its pieces (the one place a ``TrialLoop`` is made)."""
    return TrialLoop(
        environments,
        agent,
        recorder,
        run_id,
        config.trials,
        config.max_steps,
        config.seed,
        learner=learner,
        observer=SilentObserver() if observer is None else observer,
    )
