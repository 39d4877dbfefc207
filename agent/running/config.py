"""What a run is asked to do: one frozen value that every entry point builds its run from.

``cairn run``, ``cairn bench`` (one per batch, ``dataclasses.replace``-d), the Ray workers
and the memory service (it travels with the run's ``Plan``) and the bench scripts all read
their options from a ``RunConfig``; ``cli.assemble`` turns it into a trial loop. A new run
option is a field here and the code that reads it.

The decisions that follow from several options are made here once: which decider a model
gets (``decider_mode``), whether the model reflects after a trial (``reflects_with_model``)
and so whether a model is opened at all (``uses_model``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from agent.environments.spec import EnvSpec


class PolicyName(StrEnum):
    llm = "llm"  # the model's preference plus the evidence, memory's voices among it
    model = "model"  # the model's action as it is; memory reaches it only in its prompt (CLIN)
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


@dataclass(frozen=True)
class RunConfig:
    trials: int = 3
    max_steps: int = 50
    seed: int = 0
    llm: str = "embedded"  # a --llm spec: embedded[:MODEL] | openai:MODEL
    base_url: str | None = None
    policy: PolicyName = PolicyName.llm
    mode: Mode = Mode.auto
    memory: bool = True
    reflector: ReflectorName = ReflectorName.auto
    home: Path = Path("~/.cairn")
    memory_url: str | None = None
    workers: int = 0  # 0: play here, one environment after another
    ray_address: str | None = None
    without: tuple[str, ...] = ()  # the policy's voices switched off, by name (an ablation)
    frozen: bool = False  # memory recalled, nothing learned (evaluation of what a home knows)

    def __post_init__(self) -> None:
        object.__setattr__(self, "home", Path(self.home).expanduser())

    @property
    def embedded(self) -> bool:
        """Is the model the small one in this process (it gets a menu, and no pen)?"""
        return self.llm.partition(":")[0] == "embedded"

    @property
    def acts_with_model(self) -> bool:
        return self.policy in (PolicyName.llm, PolicyName.model)

    @property
    def reflects_with_model(self) -> bool:
        """Does the model also write insights after a trial? When asked to (``--reflector
        llm``), or by default when a model that is not embedded plays (a small one writes
        nothing worth keeping)."""
        if not self.memory or self.reflector is ReflectorName.evidence:
            return False
        if self.reflector is ReflectorName.llm:
            return True
        return self.acts_with_model and not self.embedded

    @property
    def uses_model(self) -> bool:
        return self.acts_with_model or self.reflects_with_model

    @property
    def decider_mode(self) -> Mode:
        """How the model gives its say: a menu for embedded models, free text otherwise."""
        if self.mode is not Mode.auto:
            return self.mode
        return Mode.menu if self.embedded else Mode.free

    def record(self, specs: Sequence[EnvSpec]) -> dict[str, Any]:
        """The run's configuration as its record keeps it (``cairn logs runs``)."""
        return {
            "envs": [str(s) for s in specs],
            "trials": self.trials,
            "max_steps": self.max_steps,
            "llm": self.llm if self.uses_model else None,
            "policy": self.policy.value,
            "mode": self.mode.value,
            "seed": self.seed,
            "memory": self.memory,
            "reflector": self.reflector.value,
            "workers": self.workers,
            "without": list(self.without),
            "frozen": self.frozen,
        }
