"""TextCraft's recipe book, read from the engine's own crafting tree: which goals there are,
which crafting commands a game lists, the commands a player can type, and a solver.

The engine's ``reset`` is not used (``agent.environments.textcraft`` says why); this module
does its job the same way (the goal's recipe tree, distractors among the other recipes that
use the same ingredients, shuffled) with a generator of its own, seeded by the spec, and
orders that do not depend on the process: a seed means one game.

Names here are the engine's item ids (``minecraft:gray_banner``); commands use what the
game prints (``gray banner``).
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from typing import Any

PREFIX = "minecraft:"
MAX_DISTRACTORS = 10  # the engine's
PER_INGREDIENT = 10  # recipes sampled per ingredient before the final pick, as the engine does
MIN_GOAL_DEPTH = 2  # the engine picks goals at least two crafts deep


def item_id(name: str) -> str:
    """``gray banner`` or ``gray_banner`` -> ``minecraft:gray_banner``."""
    return PREFIX + name.strip().replace(" ", "_")


def shown(item: str) -> str:
    """``minecraft:gray_banner`` -> ``gray banner``, as the game prints it."""
    return item.removeprefix(PREFIX).replace("_", " ")


@dataclass(frozen=True)
class Line:
    """One crafting command as the game lists it, with what it makes and takes."""

    text: str  # "craft 4 stick using 2 planks"
    output: str  # an item id
    count: int  # how many one craft makes
    inputs: tuple[tuple[str, int], ...]  # (item id or tag, count), in the game's order

    @classmethod
    def of(cls, recipe: Any) -> Line:
        inputs = tuple((i.item_tag.name, int(i.count)) for i in recipe.input_items)
        output = recipe.output_item
        return cls(str(recipe.recipe_str), output.item_tag.name, int(output.count), inputs)

    def command(self, chosen: dict[str, str]) -> str:
        """The command that crafts this line with each tag replaced by the item chosen."""
        using = ", ".join(f"{n} {shown(chosen.get(name, name))}" for name, n in self.inputs)
        return f"craft {self.count} {shown(self.output)} using {using}"


class Book:
    """The recipes of one crafting tree (``textcraft.crafting_tree.CraftingTree``), read only."""

    def __init__(self, tree: Any) -> None:
        self.tree = tree
        self._uses: dict[str, list[Line]] = {}
        for name, recipes in tree.collect_item_uses().items():
            self._uses[name] = sorted({r.recipe_str: Line.of(r) for r in recipes}.values(), key=str)
        self._members: dict[str, list[str]] = {}
        for item, tag in sorted(tree.item_id_to_tag.items()):
            self._members.setdefault(tag, []).append(item)

    def craftable(self, item: str) -> bool:
        return item in self.tree.itemid_recipes

    def gettable(self, item: str) -> bool:
        """What ``get N X`` accepts: a real item that no recipe makes (the engine's rule)."""
        tree = self.tree
        return not tree.is_tag(item) and not tree.is_craftable(item) and tree.is_valid_item(item)

    def is_tag(self, name: str) -> bool:
        return bool(self.tree.is_tag(name))

    def members(self, tag: str) -> list[str]:
        return self._members.get(tag, [])

    def depth(self, item: str) -> int:
        return int(self.tree.get_min_depth(item))

    def goals(self, depth: int | None = None) -> list[str]:
        """The items the game may pick as a goal (deepest first, then by name): at least
        two crafts deep, or exactly ``depth``."""
        items = [i for i in self.tree.itemid_recipes if self.depth(i) >= MIN_GOAL_DEPTH]
        if depth is not None:
            items = [i for i in items if self.depth(i) == depth]
        return sorted(items, key=lambda i: (-self.depth(i), i))

    def recipes_of(self, name: str) -> list[Line]:
        tree = self.tree
        recipes = tree.itemid_recipes.get(name) or tree.tag_recipes.get(name) or []
        return sorted({r.recipe_str: Line.of(r) for r in recipes}.values(), key=str)

    def tree_of(self, goal: str) -> list[Line]:
        """Every recipe on the way to ``goal``: its own, and those of all it takes, down to
        what can be got (the engine's ``traverse_recipe_tree``, without its side effects)."""
        lines: dict[str, Line] = {}
        seen, todo = {goal}, [goal]
        while todo:
            for line in self.recipes_of(todo.pop()):
                lines.setdefault(line.text, line)
                for name, _ in line.inputs:
                    if name not in seen:
                        seen.add(name)
                        todo.append(name)
        return sorted(lines.values(), key=str)

    def listing(self, goal: str, seed: int, distractors: int = MAX_DISTRACTORS) -> list[Line]:
        """The crafting commands a game lists: the goal's tree and up to ``distractors``
        other recipes that use its ingredients, shuffled."""
        rng = random.Random(f"textcraft:{goal}:{seed}")
        needed = self.tree_of(goal)
        texts = {line.text for line in needed}
        others: dict[str, Line] = {}
        for line in needed:
            for name, _ in line.inputs:
                uses = self._uses.get(name, [])
                for other in rng.sample(uses, min(len(uses), PER_INGREDIENT)):
                    if other.text not in texts:
                        others.setdefault(other.text, other)
        pool = sorted(others.values(), key=str)
        lines = needed + rng.sample(pool, min(len(pool), distractors))
        rng.shuffle(lines)
        return lines


def commands(book: Book, listed: list[Line], held: set[str]) -> list[str]:
    """What a player reading the list can type: ``inventory``, ``get N X`` for each
    ingredient that can be got (N as a listed recipe takes it), and each listed recipe
    with its tags (``planks``) spelled as items: those the list makes or the player
    holds. Sorted: the same game state gives the same list."""
    made = {line.output for line in listed}
    actions = {"inventory"}
    for line in listed:
        options = []
        for name, count in line.inputs:
            if book.is_tag(name):
                members = book.members(name)
                for member in members:
                    if book.gettable(member):
                        actions.add(f"get {count} {shown(member)}")
                options.append([m for m in members if m in made or m in held or book.gettable(m)])
            else:
                if book.gettable(name):
                    actions.add(f"get {count} {shown(name)}")
                options.append([name])
        for choice in itertools.product(*options):
            names = [name for name, _ in line.inputs]
            actions.add(line.command(dict(zip(names, choice, strict=True))))
    return sorted(actions)


class Solver:
    """A recipe solver (for tests: the oracle): crafts ``goal`` from nothing using only
    the listed recipes and the commands ``commands`` offers."""

    def __init__(self, book: Book, listed: list[Line]) -> None:
        self.book = book
        self.ways: dict[str, list[Line]] = {}
        for line in listed:
            self.ways.setdefault(line.output, []).append(line)
        self._cost: dict[str, float] = {}
        self.held: dict[str, int] = {}
        self.actions: list[str] = []

    def cost(self, item: str, visiting: frozenset[str] = frozenset()) -> float:
        """Roughly how many commands make one ``item`` (infinite if the list cannot)."""
        if self.book.gettable(item):
            return 1.0
        if item in self._cost:
            return self._cost[item]
        if item in visiting:
            return math.inf
        ways = self.ways.get(item, [])
        best = min((self._line_cost(line, visiting | {item}) for line in ways), default=math.inf)
        if best < math.inf or not visiting:  # "impossible" may only mean "not on this path"
            self._cost[item] = best
        return best

    def _line_cost(self, line: Line, visiting: frozenset[str]) -> float:
        total = 1.0
        for name, count in line.inputs:
            item = self.pick(name, visiting)
            if item is None:
                return math.inf
            crafts = 1 if self.book.gettable(item) else math.ceil(count / self.made_by(item))
            total += crafts * self.cost(item, visiting)
        return total

    def made_by(self, item: str) -> int:
        return self.way(item).count

    def way(self, item: str) -> Line:
        def key(line: Line) -> tuple[float, str]:
            return self._line_cost(line, frozenset({item})), line.text

        return min(self.ways[item], key=key)

    def pick(self, name: str, visiting: frozenset[str] = frozenset()) -> str | None:
        """The item to use for ``name``: itself, or the cheapest member of a tag."""
        if not self.book.is_tag(name):
            return name
        members = [m for m in self.book.members(name) if self.cost(m, visiting) < math.inf]
        return min(members, key=lambda m: (self.cost(m, visiting), m), default=None)

    def solve(self, goal: str) -> list[str]:
        if self.cost(goal) == math.inf:
            raise ValueError(f"the listed recipes cannot make {shown(goal)}")
        self.make(goal, 1, self.way(goal).count)
        return self.actions

    def make(self, item: str, need: int, batch: int) -> None:
        """Hold ``need`` of ``item``; ``batch`` is how many one ``get`` fetches."""
        if len(self.actions) > 2000:
            raise ValueError(f"no short way to make {shown(item)}")
        while self.held.get(item, 0) < need:
            if self.book.gettable(item):
                self.actions.append(f"get {batch} {shown(item)}")
                self.held[item] = self.held.get(item, 0) + batch
                continue
            line = self.way(item)
            chosen = {name: self.pick(name) or name for name, _ in line.inputs}
            while not all(self.held.get(chosen[n], 0) >= c for n, c in line.inputs):
                for name, count in line.inputs:
                    self.make(chosen[name], count, count)
            for name, count in line.inputs:
                self.held[chosen[name]] -= count
            self.held[item] = self.held.get(item, 0) + line.count
            self.actions.append(line.command(chosen))
