"""``--workers N``: the pieces a distributed run's actors build in their own processes.

Both factories are small frozen dataclasses of options: Ray pickles them, and the actors call
them in their own processes to build what they need (see ``agent.distributed``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from agent.acting import Agent
from agent.llm import LLM
from agent.recall import RecallBox
from agent.trials import Learner, Recorder
from cli.build import (
    Mode,
    PolicyName,
    ReflectorName,
    build_agent,
    build_learning,
    open_model,
)
from memory.embedding import MiniLMEmbedder
from memory.store import Store


@dataclass(frozen=True)
class MemoryServiceFactory:
    """The memory service: the home's store and memory, and the learner that writes it."""

    home: Path
    memory: bool
    reflector: ReflectorName
    llm: str
    base_url: str | None
    seed: int
    memory_url: str | None

    def __call__(self) -> tuple[Recorder, Learner, RecallBox | None]:
        store = Store.in_home(self.home)
        reflects = self.reflector is ReflectorName.llm or (
            self.reflector is ReflectorName.auto and not self.llm.startswith("embedded")
        )
        model = open_model(self.llm, self.base_url, self.seed) if self.memory and reflects else None
        learning = build_learning(
            self.home,
            store,
            enabled=self.memory,
            reflector=self.reflector,
            llm=model,
            memory_url=self.memory_url,
        )
        return store, learning.learner, learning.box if self.memory else None


@dataclass(frozen=True)
class AgentFactory:
    """A trial worker's agent, reading its own recall box. The model and embedder are loaded
    once per worker process and shared by the agents it builds (a fresh one per spec)."""

    llm: str
    base_url: str | None
    policy: PolicyName
    mode: Mode
    seed: int

    def __call__(self, box: RecallBox | None) -> Agent:
        model = (
            _model(self.llm, self.base_url, self.seed) if self.policy is PolicyName.llm else None
        )
        embedder = _embedder() if box is not None else None
        return build_agent(model, self.policy, self.mode, self.seed, box, embedder)


@functools.cache
def _model(llm: str, base_url: str | None, seed: int) -> LLM:
    return open_model(llm, base_url, seed)


@functools.cache
def _embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()
