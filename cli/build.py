"""Building the concrete objects a command needs, from its options and the environment.

The only place that decides which model, which policy, which memory: everything below
receives these objects ready-made.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from agent.acting import Agent
from agent.decide import Decider, FreeDecider, MenuDecider
from agent.learning import GRAPH_FILE, MemoryLearner
from agent.llm import LLM, open_llm
from agent.memory_scorers import memory_scorers
from agent.policy import Policy, RandomPolicy, default_scorers
from agent.recall import RecallBox
from agent.trials import Learner, NoLearning
from cli.common import fail
from memory.embedding import DEFAULT_EMBEDDER, Embedder, MiniLMEmbedder, embedder_named
from memory.memory import Memory
from memory.store import Store
from memory.vectors import VectorIndex
from reflection.llm import LLMReflector


class PolicyName(StrEnum):
    llm = "llm"
    evidence = "evidence"
    random = "random"


class Mode(StrEnum):
    auto = "auto"
    menu = "menu"
    free = "free"


class ReflectorName(StrEnum):
    auto = "auto"
    evidence = "evidence"
    llm = "llm"


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


def is_embedded(llm: LLM | None) -> bool:
    return llm is not None and llm.name.startswith("embedded")


def build_agent(
    llm: LLM | None,
    policy_name: PolicyName,
    mode: Mode,
    seed: int,
    recall: RecallBox | None = None,
    embedder: Embedder | None = None,
) -> Agent:
    """The agent; with a ``recall`` box its policy also weighs memory (and a strong model
    reads it in its prompt)."""
    scorers = default_scorers()
    if recall is not None:
        scorers += memory_scorers(recall, embedder or MiniLMEmbedder())
    if policy_name is PolicyName.random:
        return Agent(RandomPolicy(seed=seed))
    if policy_name is PolicyName.evidence or llm is None:
        return Agent(Policy(scorers, seed=seed))
    if mode is Mode.auto:
        mode = Mode.menu if is_embedded(llm) else Mode.free
    decider: Decider
    if mode is Mode.menu:
        decider = MenuDecider(llm)
        return Agent(Policy(scorers, seed=seed), decider, recall=recall)
    decider = FreeDecider(llm, embedder=MiniLMEmbedder())
    # A model that writes its own action is trusted more than a menu pick by a tiny one.
    return Agent(Policy(scorers, seed=seed, llm_weight=4.0), decider, menu_size=15, recall=recall)


@dataclass
class Learning:
    """The box the agent reads and the learner that fills it (a no-op without memory)."""

    box: RecallBox
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
    home: Path,
    store: Store,
    *,
    enabled: bool,
    reflector: ReflectorName = ReflectorName.auto,
    llm: LLM | None = None,
    embedder: Embedder | None = None,
    memory_url: str | None = None,
) -> Learning:
    if not enabled:
        return Learning(RecallBox(), NoLearning())
    memory = open_memory(home, store, embedder, memory_url)
    memory.repair()  # a crashed run may have left the index behind SQLite
    box = RecallBox()
    use_model = reflector is ReflectorName.llm or (
        reflector is ReflectorName.auto and llm is not None and not is_embedded(llm)
    )
    llm_reflector = LLMReflector(llm) if use_model and llm is not None else None
    learner = MemoryLearner(memory, box, graph_path=home / GRAPH_FILE, llm_reflector=llm_reflector)
    return Learning(box, learner, memory)
