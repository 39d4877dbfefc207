"""ScienceWorld (allenai/ScienceWorld) behind the ``TextEnv`` interface.

The simulator runs in a JVM that costs ~2 s and ~1 GB to start, so one ``ScienceWorldEngine``
starts it once, lazily, and every ScienceWorld environment of a run shares it (each reloads its
own task on ``reset``). The engine's step limit counts ticks, not steps (``wait`` is 10), so it
is set far above any episode; the episode runner enforces ``--max-steps``.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import subprocess
from typing import Any

from agent.environments.base import EnvInfo, normalise_score, variation_key
from agent.environments.spec import EnvSpec
from agent.errors import EnvError, SpecError

OPTION_KEYS = ("simplification",)
# The engine's own (ScienceWorldEnv.get_possible_simplifications), known without its JVM.
SIMPLIFICATIONS = (
    "easy",
    "teleportAction",
    "openDoors",
    "openContainers",
    "selfWateringFlowerPots",
    "noElectricalAction",
)
DEFAULT_SIMPLIFICATION = "easy"
ENGINE_TICK_LIMIT = 1_000_000
# Actions that would defeat the episode rather than play it.
EXCLUDED_ACTIONS = frozenset({"reset task"})
_ROOM = re.compile(r"This [a-z ]+? is called the ([^.]+)\.")  # "...outside location is..."
_ARTICLE = re.compile(r"^(?:an?|the|some)\s+")


def task_names() -> list[str]:
    from scienceworld.constants import ID2TASK

    return sorted(ID2TASK.values())


def validate(spec: EnvSpec) -> None:
    """Check a spec without starting the JVM (variation ranges are checked on load)."""
    names = task_names()
    if spec.task not in names:
        raise SpecError(
            f"unknown ScienceWorld task {spec.task!r}: use one of {', '.join(names)} "
            "(see `cairn envs`)"
        )
    for key, value in spec.options:
        if key not in OPTION_KEYS:
            raise SpecError(
                f"unknown option {key!r} for scienceworld: use {', '.join(OPTION_KEYS)}"
            )
        unknown = [s for s in value.split("+") if s not in SIMPLIFICATIONS]
        if unknown and value != "none":
            raise SpecError(
                f"unknown simplification {unknown[0]!r} in {spec}: use none, "
                f"{', '.join(SIMPLIFICATIONS)}, or several joined by +"
            )


def canonical_options(spec: EnvSpec) -> list[tuple[str, str]]:
    """The options that make a variation another game: the simplifications, if not the
    default, in one spelling (``a+b`` and ``b+a`` are one game)."""
    simplification = spec.option("simplification", DEFAULT_SIMPLIFICATION) or ""
    canonical = "+".join(sorted(simplification.split("+")))
    if canonical == DEFAULT_SIMPLIFICATION:
        return []
    return [("simplification", canonical)]


def _not_py4j_on_interrupt(record: logging.LogRecord) -> bool:
    """py4j logs an interrupted call, traceback and all, on the root logger: the interrupt
    itself is reported by the CLI in one line."""
    return record.getMessage() != "KeyboardInterrupt while sending command."


def unmask_interrupt(error: Exception) -> None:
    """Re-raise a Ctrl-C (or a SIGTERM the CLI made into one) that py4j hid: interrupted
    mid-call, it closes its socket with a method it lacks, and the AttributeError it raises
    holds the KeyboardInterrupt only as its context — the run would go on."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, KeyboardInterrupt):
            raise cause
        cause = cause.__context__


class ScienceWorldEngine:
    """The one JVM behind every ScienceWorld environment of a run."""

    def __init__(self) -> None:
        self._world: Any = None  # the library's ScienceWorldEnv, the JVM behind it
        self.loaded: tuple[str, int, str, bool] | None = None

    def get(self) -> Any:
        if self._world is None:
            if shutil.which("java") is None:
                raise EnvError(
                    "ScienceWorld needs Java 8 or newer and none is on PATH: "
                    "install it with `apt-get install default-jre-headless`"
                )
            from scienceworld import ScienceWorldEnv

            logging.getLogger().addFilter(_not_py4j_on_interrupt)  # a second add is a no-op
            try:
                self._world = ScienceWorldEnv("", envStepLimit=ENGINE_TICK_LIMIT)
            except Exception as error:  # py4j raises plain Exceptions of many kinds
                unmask_interrupt(error)
                raise EnvError(f"ScienceWorld's JVM did not start: {error}") from None
        return self._world

    def load(self, task: str, variation: int, simplification: str, gold: bool = False) -> None:
        key = (task, variation, simplification, gold)
        if self._world is not None and not self.alive():
            self.close()  # the JVM died (killed, out of memory): the next trial gets a new one
        try:
            self.get().load(task, variation, simplification, generateGoldPath=gold)
        except Exception as error:
            reason = self.failure(error)
            raise EnvError(f"ScienceWorld could not load {task}@{variation}: {reason}") from None
        self.loaded = key

    def alive(self, grace: float = 0.0) -> bool:
        """Is the JVM running? ``grace``: seconds to wait for one that is dying (a killed JVM
        is reaped only once all its threads are gone)."""
        if self._world is None:
            return False
        try:
            self._world._gateway.java_process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            return True
        return False

    def failure(self, error: Exception) -> str:
        """Why a call failed, in words; a dead JVM is let go, so the next load starts anew.
        (An interrupt py4j turned into an error is raised again.)"""
        unmask_interrupt(error)
        if self._world is not None and not self.alive(grace=2.0):
            code = self._world._gateway.java_process.returncode
            self.close()
            return f"the JVM exited (code {code})"
        return str(error) or type(error).__name__

    def close(self) -> None:
        self.loaded = None
        if self._world is not None:
            world, self._world = self._world, None
            with contextlib.suppress(Exception):  # the JVM may be gone; closing must not fail
                world.close()
            # ScienceWorldEnv.__del__ closes again and raises BrokenPipeError on the dead JVM.
            world.close = lambda: None


class ScienceWorld:
    """One ScienceWorld task variation."""

    def __init__(self, spec: EnvSpec, engine: ScienceWorldEngine) -> None:
        validate(spec)
        self.spec = spec
        self._engine = engine
        simplification = spec.option("simplification", DEFAULT_SIMPLIFICATION) or ""
        self.simplification = "" if simplification == "none" else simplification.replace("+", ",")
        self.index = self._resolve_variation()  # the engine's variation number
        self.variation = variation_key(self.index, canonical_options(spec))
        self._raw_score = 0.0  # the score before the next step: its reward is the change

    def _resolve_variation(self) -> int:
        """The variation number a spec names (``dev:0`` is the first of the dev split)."""
        variation = self.spec.variation
        world = self._engine.get()
        self._engine.load(self.spec.task, 0, self.simplification)
        if variation is None:
            return int(world.get_variations_train()[0])
        if variation.split is None:
            assert variation.index is not None
            count = int(world.get_max_variations(self.spec.task))
            if variation.index >= count:
                raise SpecError(
                    f"variation {variation.index} of {self.spec.task} does not exist: "
                    f"use 0..{count - 1} or SPLIT:K"
                )
            return variation.index
        members = list(getattr(world, f"get_variations_{variation.split}")())
        assert variation.position is not None
        if variation.position >= len(members):
            raise SpecError(
                f"{self.spec.task} has {len(members)} {variation.split} variations: "
                f"use {variation.split}:0..{len(members) - 1}"
            )
        return int(members[variation.position])

    def split(self) -> str | None:
        """Which split (train, dev, test) the variation belongs to."""
        world = self._engine.get()
        self._engine.load(self.spec.task, self.index, self.simplification)
        for name in ("train", "dev", "test"):
            if self.index in set(getattr(world, f"get_variations_{name}")()):
                return name
        return None

    # --- TextEnv -------------------------------------------------------------------------

    def reset(
        self, seed: int | None = None, options: dict[str, object] | None = None
    ) -> tuple[str, EnvInfo]:
        del seed, options  # a ScienceWorld variation is deterministic
        self._engine.load(self.spec.task, self.index, self.simplification)
        world = self._engine.get()
        try:
            observation, raw = world.reset()
        except Exception as error:
            reason = self._engine.failure(error)
            raise EnvError(f"ScienceWorld stopped while resetting: {reason}") from None
        info = self._info(raw, completed=False)
        self._raw_score = info["raw_score"]
        return observation, info

    def step(self, action: str) -> tuple[str, float, bool, bool, EnvInfo]:
        if self._engine.loaded is None or self._engine.loaded[:2] != (
            self.spec.task,
            self.index,
        ):
            raise EnvError(f"{self.spec} was not reset before step (another task is loaded)")
        try:
            observation, _, completed, raw = self._engine.get().step(action)
        except Exception as error:
            reason = self._engine.failure(error)
            raise EnvError(f"ScienceWorld stopped mid-trial: {reason}") from None
        info = self._info(raw, completed=bool(completed))
        terminated = bool(completed) or info["won"] or info["lost"]
        # The engine's own reward misses the last gain of a won task: the change is exact.
        reward, self._raw_score = info["raw_score"] - self._raw_score, info["raw_score"]
        return observation, reward, terminated, False, info

    def oracle_actions(self) -> list[str] | None:
        """The simulator's gold path for this variation (reloads it; call reset afterwards)."""
        self._engine.load(self.spec.task, self.index, self.simplification, gold=True)
        return [str(action) for action in self._engine.get().get_gold_action_sequence()]

    def close(self) -> None:
        """Nothing to do: the shared engine is closed by its owner."""

    def _info(self, raw: dict[str, Any], completed: bool) -> EnvInfo:
        raw_score = float(raw["score"])
        valid = sorted({str(a) for a in raw["valid"]} - EXCLUDED_ACTIONS)
        return EnvInfo(
            task=str(raw["taskDesc"]).removeprefix("Task Description:").strip(),
            valid_actions=valid,
            score=normalise_score(raw_score, 100.0),
            won=completed and raw_score >= 100,
            lost=raw_score < 0,
            raw_score=raw_score,
            moves=int(raw["moves"]),
            irreversible_actions=[a for a in valid if a.startswith("focus on ")],
            location=_room(str(raw.get("look", ""))),
            inventory=_held(str(raw.get("inv", ""))),
            view=str(raw.get("look", "")),  # stable, unlike the valid actions' referents
        )


def _room(look: str) -> str:
    """The room the engine's own look-around names ("This room is called the kitchen.")."""
    found = _ROOM.search(look)
    return found.group(1).strip().lower() if found else "nowhere"


def _held(inventory: str) -> list[str]:
    """The engine's inventory listing ("In your inventory, you see:\n\tan orange") as names."""
    lines = inventory.splitlines()[1:]
    return sorted(_ARTICLE.sub("", line.strip()).lower() for line in lines if line.strip())
