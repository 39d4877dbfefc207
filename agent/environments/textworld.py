"""TextWorld (microsoft/TextWorld) behind the ``TextEnv`` interface.

Games are generated locally by TextWorld's own challenges (coin_collector, treasure_hunter,
simple, cooking) and cached under ``games_dir`` by their parameters, so a spec always means
the same game and is built once. Any ``.z8``/``.ulx`` file can be played too, once it has
shown it can start (``agent.environments.story_files``: the engine's fatal errors end the
process they happen in).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.environments.base import EnvInfo, normalise_score, variation_key
from agent.environments.spec import EnvSpec
from agent.environments.story_files import check_header, rehearse
from agent.errors import EnvError, SpecError

GAME_SUFFIXES = (".z8", ".z5", ".ulx")


def _flag(text: str) -> bool:
    if text.lower() in ("1", "true", "yes"):
        return True
    if text.lower() in ("0", "false", "no"):
        return False
    raise ValueError("use 0 or 1")


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError("use a whole number, e.g. 2") from None


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in allowed:
            raise ValueError(f"use one of {', '.join(allowed)}")
        return text

    return parse


@dataclass(frozen=True)
class Challenge:
    """A TextWorld challenge: its generator's name and its settings with defaults and parsers."""

    generator: str
    defaults: dict[str, Any]
    parsers: dict[str, Callable[[str], Any]]


CHALLENGES: dict[str, Challenge] = {
    "coin_collector": Challenge("tw-coin_collector", {"level": 5}, {"level": _whole_number}),
    "treasure_hunter": Challenge("tw-treasure_hunter", {"level": 5}, {"level": _whole_number}),
    "simple": Challenge(
        "tw-simple",
        {"rewards": "dense", "goal": "detailed", "test": False},
        {
            "rewards": _choice("dense", "balanced", "sparse"),
            "goal": _choice("detailed", "brief", "none"),
            "test": _flag,
        },
    ),
    "cooking": Challenge(
        "tw-cooking",
        {
            "recipe": 1,
            "take": 1,
            "go": 1,
            "open": False,
            "cook": False,
            "cut": False,
            "drop": False,
            "recipe_seed": 0,
            "split": None,
        },
        {
            "recipe": _whole_number,
            "take": _whole_number,
            "go": _whole_number,
            "open": _flag,
            "cook": _flag,
            "cut": _flag,
            "drop": _flag,
            "recipe_seed": _whole_number,
            "split": _choice("train", "valid", "test"),
        },
    ),
}
DEFAULT_SEED = 1


def is_game_file(task: str) -> bool:
    return task.lower().endswith(GAME_SUFFIXES)


def validate(spec: EnvSpec) -> dict[str, Any]:
    """Check a spec and return the challenge settings it asks for (empty for a game file)."""
    if is_game_file(spec.task):
        if spec.variation is not None or spec.options:
            raise SpecError(f"{spec}: a game file takes no variation or options")
        return {}
    challenge = CHALLENGES.get(spec.task)
    if challenge is None:
        raise SpecError(
            f"unknown TextWorld task {spec.task!r}: use one of {', '.join(CHALLENGES)} "
            "or a path to a .z8/.ulx game"
        )
    if spec.variation is not None and spec.variation.split is not None:
        raise SpecError(f"{spec}: TextWorld games have no splits; give a seed, e.g. @42")
    settings = dict(challenge.defaults)
    for key, value in spec.options:
        parser = challenge.parsers.get(key)
        if parser is None:
            raise SpecError(
                f"unknown option {key!r} for textworld:{spec.task}: "
                f"use {', '.join(challenge.parsers)}"
            )
        try:
            settings[key] = parser(value)
        except ValueError as error:
            raise SpecError(f"bad value {value!r} for {key} in {spec}: {error}") from None
    return settings


def canonical_options(spec: EnvSpec) -> list[tuple[str, str]]:
    """The options of a spec that make its game differ from the challenge's defaults, each
    value in one spelling (``open=true`` and ``open=1`` are one game; ``level=5`` is the
    default and names no other game)."""
    if is_game_file(spec.task):
        return []
    defaults = CHALLENGES[spec.task].defaults
    settings = validate(spec)
    return [
        (key, _canonical(value))
        for key, value in sorted(settings.items())
        if value != defaults[key]
    ]


def _canonical(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def variation_of(spec: EnvSpec) -> str | None:
    """The variation's identity (``agent.environments.base.TextEnv.variation``)."""
    if is_game_file(spec.task):
        return None
    return variation_key(seed_of(spec), canonical_options(spec))


def seed_of(spec: EnvSpec) -> int:
    if spec.variation is None or spec.variation.index is None:
        return DEFAULT_SEED
    return spec.variation.index


class GameCache:
    """Generated games on disk, one file per (challenge, seed, settings)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, task: str, seed: int, settings: dict[str, Any]) -> Path:
        key = json.dumps({"task": task, "seed": seed, **settings}, sort_keys=True)
        digest = hashlib.sha256(key.encode()).hexdigest()[:12]
        return self.directory / f"{task}-{seed}-{digest}.z8"

    def get(self, task: str, seed: int, settings: dict[str, Any]) -> Path:
        path = self.path(task, seed, settings)
        if not path.exists():
            self._generate(task, seed, settings, path)
        return path

    def _generate(self, task: str, seed: int, settings: dict[str, Any], path: Path) -> None:
        import textworld
        import textworld.challenges
        from textworld.generator import compile_game

        self.directory.mkdir(parents=True, exist_ok=True)
        make = textworld.challenges.CHALLENGES[CHALLENGES[task].generator][1]
        # Build in a scratch folder, then move: a killed build leaves no half-written game.
        with tempfile.TemporaryDirectory(dir=self.directory) as scratch:
            options = textworld.GameOptions()
            options.seeds = seed
            options.path = str(Path(scratch) / path.name)
            options.force_recompile = True
            try:
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message=".*not fully supported.*")
                    game = make(settings, options)
                    built = Path(compile_game(game, options))
            except Exception as error:  # the generator raises ValueError, AssertionError, ...
                raise EnvError(f"TextWorld could not build {task} seed {seed}: {error}") from None
            shutil.move(str(built.with_suffix(".json")), path.with_suffix(".json"))
            shutil.move(str(built), path)


def _is_noise(line: str) -> bool:
    """A line of the ASCII-art banner (symbols, no letters) or the prompt with its status bar."""
    stripped = line.strip()
    if stripped.startswith(">"):
        return True
    return not any(c.isalpha() for c in stripped) and len(stripped) >= 3


def clean_feedback(text: str) -> str:
    """Drop TextWorld's ASCII-art banner and trailing prompt from an observation."""
    lines = [line for line in text.splitlines() if not _is_noise(line)]
    cleaned = "\n".join(lines).strip()
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned)
    return cleaned.removesuffix(">").strip()


def start_engine(path: Path) -> Any:
    """TextWorld's environment for the game at ``path`` (jericho runs it in this process)."""
    import textworld

    infos = textworld.EnvInfos(
        admissible_commands=True,
        policy_commands=True,
        objective=True,
        score=True,
        max_score=True,
        won=True,
        lost=True,
        moves=True,
        facts=True,  # where the player is and what it holds (~4 ms a step)
        extras=["walkthrough"],
    )
    with warnings.catch_warnings():
        # jericho warns that *it* cannot score TextWorld games; TextWorld does.
        warnings.filterwarnings("ignore", message=".*not fully supported.*")
        return textworld.start(str(path), request_infos=infos)


REHEARSAL = "import sys; from agent.environments.textworld import rehearsal; rehearsal(sys.argv[1])"


def check_game_file(path: Path) -> None:
    """A game file from the user is checked (its header, then a rehearsal in a child
    process) before this process hands it to the engine: see ``story_files``."""
    if path.suffix.lower().startswith(".z"):
        check_header(path)
    rehearse(path, [sys.executable, "-c", REHEARSAL, str(path)])


def rehearsal(path: str) -> None:
    """The child's side of ``check_game_file``: start and reset the game, then exit 0."""
    try:
        start_engine(Path(path)).reset()
    except Exception as error:  # TextWorld raises NotImplementedError, ValueError, ...
        sys.exit(f"{type(error).__name__}: {error}")


class TextWorld:
    """One TextWorld game."""

    def __init__(self, spec: EnvSpec, games: GameCache) -> None:
        settings = validate(spec)
        self.spec = spec
        self.variation = variation_of(spec)
        if is_game_file(spec.task):
            self.path = Path(spec.task).expanduser()
            if not self.path.is_file():
                raise SpecError(f"no game file at {self.path}: check the path")
            check_game_file(self.path)
        else:
            self.path = games.get(spec.task, seed_of(spec), settings)
        self._engine: Any = None
        self._state: Any = None

    def _start(self) -> Any:
        if self._engine is None:
            try:
                self._engine = start_engine(self.path)
            except Exception as error:
                raise EnvError(f"TextWorld cannot play {self.path}: {error}") from None
        return self._engine

    def reset(
        self, seed: int | None = None, options: dict[str, object] | None = None
    ) -> tuple[str, EnvInfo]:
        del seed, options  # a generated game is fixed by its spec
        try:
            self._state = self._start().reset()
        except Exception as error:
            raise EnvError(f"TextWorld could not reset {self.path}: {error}") from None
        return clean_feedback(self._state.feedback), self._info(self._state)

    def step(self, action: str) -> tuple[str, float, bool, bool, EnvInfo]:
        if self._state is None:
            raise EnvError(f"{self.spec} was stepped before reset")
        try:
            state, _, done = self._engine.step(action)
        except Exception as error:
            raise EnvError(f"TextWorld failed on {action!r}: {error}") from None
        before, self._state = float(self._state.get("score") or 0), state
        info = self._info(state)
        # TextWorld's engine returns the score itself; the interface's reward is its change.
        return clean_feedback(state.feedback), info["raw_score"] - before, bool(done), False, info

    def oracle_actions(self) -> list[str] | None:
        if self._state is None:
            self.reset()
        walkthrough = self._state.get("extra.walkthrough") or self._state.get("policy_commands")
        return list(walkthrough) if walkthrough else None

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None

    @staticmethod
    def _info(state: Any) -> EnvInfo:
        facts = state.get("facts") or []
        valid = sorted(set(state.get("admissible_commands") or []))
        raw_score = float(state.get("score") or 0)
        max_score = float(state.get("max_score") or 1)
        return EnvInfo(
            task=str(state.get("objective") or "").strip(),
            valid_actions=valid,
            score=normalise_score(raw_score, max_score),
            won=bool(state.get("won")),
            lost=bool(state.get("lost")),
            raw_score=raw_score,
            moves=int(state.get("moves") or 0),
            irreversible_actions=[],
            location=_location(facts),
            inventory=sorted(_name(f.arguments[0]) for f in facts if _held(f)),
            view="\n".join(valid),  # what can be done here reflects what is here
        )


def _name(variable: Any) -> str:
    return str(variable.name).lower()


def _location(facts: list[Any]) -> str:
    """The player's room, from the engine's facts: ``at(P, r)``."""
    for fact in facts:
        if fact.name == "at" and fact.arguments[0].type == "P":
            return _name(fact.arguments[1])
    return "nowhere"  # a game without a player fact (a hand-made story file)


def _held(fact: Any) -> bool:
    """``in(o, I)``: an object in the player's inventory."""
    return bool(fact.name == "in" and len(fact.arguments) == 2 and fact.arguments[1].type == "I")
