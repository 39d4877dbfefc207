"""Kinds learned from outcomes: which things turned out right or wrong for a task across its
variations, and where the right ones were found.

A task that names a category rather than a thing ("find a living thing", "focus on the
animal with the longest life span") is answered by an irreversible action on one thing
(ScienceWorld's ``focus on X``). Every variation's archive remembers what such an action did
there: it raised the score (the thing is of the kind) or lost the game (it is not). Read
across the variations that ask for the same thing, that is what the kind is made of
("beaver: right twice"), and a new variation's first trial can use it:

- a thing is recognised by its head noun: "baby beaver" is an "adult beaver";
- where the task asks for *a* thing of the kind ("find a(n) living thing", not "the animal
  with the longest life span"), any member will do: a thing never seen in any variation at
  a place where a right thing was found is what differs between the variations there,
  which is what the task is about — the animals outside, not the axe and the fire pit
  every variation has (the world's roles, as ``agent.learning.roles`` finds the
  description's);
- the places where right things were found come first, reached by the map of the other
  variations (their exits: the house is the same house);
- a thing the game names by where it is ("living thing in flower pot 9") is a known member
  if the view shows one in that holder ("a pea plant");
- where any member will do, the elimination search tries first, among equals, the thing
  most like the known members in meaning (``Kinds.likeness``).
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agent.acting.game import contents_seen, name_words
from agent.acting.text import content_words, template_of, words
from memory.archive import Archive
from memory.embedding import Embedder, cosine
from memory.knowledge import Scope, Where
from memory.store import Store
from reflection.trajectory import goal_for

# "living thing in flower pot 9", "metal pot containing ice cream": the first thing named
_WHERE = re.compile(r"\s(?:in|on|at|containing)\s")
_ANY = re.compile(r"^\w+\s+(?:a|an|a\(n\)|any)\s+\w")  # "find a(n) living thing"

KNOWN = 1.0  # a thing of a kind that paid more often than it lost
MAX_GAMES = 50  # variations a trial reads (the latest played): recall stays cheap at scale
NEW_THERE = 0.5  # a thing no variation had, where the kind's members were found


def thing_of(action: str) -> str:
    """What an action acts on: "focus on baby beaver" -> "baby beaver"."""
    skip = len(template_of(action).split())
    return " ".join(words(action)[skip:])


def named_by_goal(action: str, goal: str) -> bool:
    """Does the goal name the kind of thing the action is on, by its head noun ("focus on
    adult pea plant" for "find a(n) plant")?"""
    head = head_of(thing_of(action))
    return bool(head) and head in content_words(goal)


def asks_for_any(goal: str) -> bool:
    """Does the goal ask for any thing of a kind ("find a(n) plant"), not a particular one
    ("find the animal with the longest life span", "melt soap")?"""
    return bool(_ANY.match(goal.lower()))


def _held_there(thing: str, view: str) -> list[str]:
    """What the ``view`` shows in the holder a thing is named by ("living thing in flower
    pot 9": what flower pot 9 contains); [] for a thing named otherwise."""
    parts = _WHERE.split(f" {thing} ", maxsplit=1)
    return contents_seen(view).get(name_words(parts[1]), []) if len(parts) == 2 else []


def _bare(thing: str) -> str:
    """A thing's name without where it is: "living thing in flower pot 5" -> "living thing"."""
    return _WHERE.split(f" {thing} ", maxsplit=1)[0].strip()


def head_of(thing: str) -> str:
    """The noun a thing's name ends in (English names its kind last): "baby baby beaver" ->
    "beaver", "flower pot 1" -> "pot"; "" if it has none."""
    name = _WHERE.split(f" {thing} ")[0] if " " in thing else thing
    found = [w for w in words(name) if w in content_words(name) and not w.isdigit()]
    return found[-1] if found else ""


@dataclass(frozen=True)
class Kinds:
    """For one task: what irreversible actions on things of each head noun did over the
    variations read, where the things that paid were, what every variation had at each
    place, and the exits between places."""

    right: Counter[str] = field(default_factory=Counter)  # head -> times it paid
    wrong: Counter[str] = field(default_factory=Counter)  # head -> times it lost
    examples: dict[str, str] = field(default_factory=dict)  # head -> a thing's full name
    found_at: Counter[str] = field(default_factory=Counter)  # place -> right things taken there
    lost_at: Counter[str] = field(default_factory=Counter)  # place -> wrong things taken there
    fixtures: dict[str, set[str]] = field(default_factory=dict)  # place -> heads seen there
    exits: dict[str, dict[str, str]] = field(default_factory=dict)  # place -> action -> place
    any_member: bool = False  # the task asks for any thing of the kind (``asks_for_any``)
    games: list[str | None] = field(default_factory=list)  # the variations read
    said: dict[str, bool] = field(default_factory=dict)  # head -> of the kind, a person says
    # What judges an unknown thing's likeness to the known ones (the home's MiniLM)
    embedder: Embedder | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(
        cls,
        archives: Iterable[Archive],
        any_member: bool = False,
        said: Mapping[str, bool] | None = None,
        embedder: Embedder | None = None,
    ) -> Kinds:
        """The kind the ``archives`` show, and what a person ``said`` of things (thing ->
        of the kind or not), which outweighs them."""
        kinds = cls(any_member=any_member, embedder=embedder)
        for archive in archives:
            kinds._read(archive)
        for thing, right in (said or {}).items():
            if head := head_of(thing):
                kinds.said[head] = right
                kinds.examples.setdefault(head, thing)
        return kinds

    def _read(self, archive: Archive) -> None:
        self.games.append(archive.variation)
        for cell in archive.cells.values():
            seen = self.fixtures.setdefault(cell.place, set())
            seen.update(head_of(thing) for thing in cell.seen)
            seen.update(head_of(thing_of(action)) for action in cell.risks)
            risky = set(cell.risks)
            for outcome in cell.tried:
                place = outcome.next_cell.split("|", 1)[0]
                if place != cell.place:
                    self.exits.setdefault(cell.place, {}).setdefault(outcome.action, place)
                head = head_of(thing_of(outcome.action))
                after = archive.cells.get(outcome.next_cell)
                if outcome.action not in risky or not head:
                    continue
                if outcome.fatal:
                    self.wrong[head] += outcome.tries
                    self.lost_at[cell.place] += outcome.tries
                elif after is not None and after.score > cell.score:
                    self.right[head] += outcome.tries
                    self.found_at[cell.place] += outcome.tries
                else:
                    continue
                self.examples.setdefault(head, thing_of(outcome.action))

    def __bool__(self) -> bool:
        return bool(self.right or self.wrong or self.said)

    def verdict(
        self, action: str, place: str = "", held: Iterable[str] = (), view: str = ""
    ) -> float:
        """How sure the other variations make it that ``action`` (taken at ``place``) is on
        a thing of the kind: ``KNOWN`` for a kind that paid more often than it lost, minus
        that for the reverse; where any member will do, ``NEW_THERE`` for a thing no
        variation had at a place where right things were found and none lost — not one
        the player holds (``held``: it came along, it is not the place's); 0 when nothing
        is known (or a kind paid as often as it lost). A thing named by where it is
        ("living thing in flower pot 9", as ScienceWorld names a plant in some of its
        stages) is also what the ``view`` shows there ("a flower pot 9 (containing a pea
        plant in the reproducing stage, soil)"): a known member of the kind among those."""
        return self._judged_as(action, place, held, view)[1]

    def head(self, action: str, view: str = "") -> str:
        """The head noun the kind voice judged ``action``'s thing by ("plant" for "living
        thing in flower pot 9" where the view shows a pea plant in it)."""
        return head_of(thing_of(self._judged_as(action, "", (), view)[0]))

    def _judged_as(
        self, action: str, place: str, held: Iterable[str], view: str
    ) -> tuple[str, float]:
        own = self._verdict(action, place, held)
        if own or not view:
            return action, own
        command = template_of(action)
        seen = [f"{command} {item}" for item in _held_there(thing_of(action), view)]
        # only a known member: what the view names is no new thing ("substance called
        # water" in the pot is the substance every variation's greenhouse had)
        verdicts = [(o, v) for o in seen if (v := self._verdict(o, place, held)) >= KNOWN]
        return max(verdicts, key=lambda pair: pair[1], default=(action, 0.0))

    def _verdict(self, action: str, place: str, held: Iterable[str]) -> float:
        head = head_of(thing_of(action))
        if not head:
            return 0.0
        if head in self.said:
            return KNOWN if self.said[head] else -KNOWN
        balance = self.right[head] - self.wrong[head]
        if balance:
            return KNOWN if balance > 0 else -KNOWN
        if (
            self.any_member
            and self.found_at[place]
            and not self.lost_at[place]
            and head not in self.right
            and head not in {head_of(thing) for thing in held}
        ):
            return NEW_THERE if head not in self.fixtures.get(place, set()) else 0.0
        return 0.0

    def likeness(self, action: str) -> float:
        """Where any member of the kind will do, how much more the thing ``action`` is on is
        like the things of the kind than like those not of it, in meaning (the closest of
        each): "baby beaver" is nearer "brown bear" than "axe" is. 0 without an embedder,
        for a thing whose own kind is known, and where the task picks one thing by how it
        compares with the others there ("the animal with the longest life span"): there the
        last answer's likeness is no evidence (a rabbit is like a bear, and lives ten years).
        It orders the elimination search's equal candidates; it is never a reason on its
        own. Things are compared by their names, not by where they are: "substance in flower
        pot 5" is not like "living thing in flower pot 5"."""
        head = head_of(thing_of(action))
        if self.embedder is None or not self.any_member or not head or head in self._judged:
            return 0.0
        right = [_bare(self.examples[h]) for h in self._judged if self._of_kind(h)]
        wrong = [_bare(self.examples[h]) for h in self._judged if not self._of_kind(h)]
        if not right and not wrong:
            return 0.0
        thing, *known = self.embedder.embed([_bare(thing_of(action)), *right, *wrong])
        closeness = [cosine(thing, other) for other in known]
        return max(closeness[: len(right)], default=0.0) - max(closeness[len(right) :], default=0.0)

    @property
    def _judged(self) -> set[str]:
        """The heads whose kind is known: said by a person, or paid or lost more often."""
        return set(self.said) | {h for h in set(self.right) | set(self.wrong) if self._balance(h)}

    def _balance(self, head: str) -> int:
        return self.right[head] - self.wrong[head]

    def _of_kind(self, head: str) -> bool:
        return self.said[head] if head in self.said else self._balance(head) > 0

    def route(self, here: str, visited: set[str]) -> tuple[str, list[str]] | None:
        """The nearest place where right things were found that this episode has not been
        to, and the fewest known exits from ``here`` to it (through places where more were
        found first, among equals)."""
        targets = {p for p in self.found_at if p not in visited and p != here}
        previous: dict[str, tuple[str, str]] = {}
        queue, reached = deque([here]), {here}
        while queue:
            place = queue.popleft()
            if place in targets:
                target, way = place, []
                while place != here:
                    place, action = previous[place]
                    way.append(action)
                return target, way[::-1]
            ways = self.exits.get(place, {})
            for action, other in sorted(ways.items(), key=lambda w: -self.found_at[w[1]]):
                if other not in reached:
                    reached.add(other)
                    previous[other] = (place, action)
                    queue.append(other)
        return None

    def _heads(self) -> list[str]:
        """The heads of things an outcome is known for, most evidence first."""
        known = set(self.right) | set(self.wrong) | set(self.said)
        return sorted(known, key=lambda h: (h not in self.said, -self.right[h] - self.wrong[h], h))

    def facts(self) -> dict[str, Any]:
        """The kind as data (``cairn mcp``'s recall): each thing with how often it paid and
        lost, where the right ones were found, and whether any member will do."""
        heads = self._heads()
        return {
            "variations": self.games,
            "any_member": self.any_member,
            "things": [
                {
                    "thing": self.examples.get(h, h),
                    "right": self.right[h],
                    "wrong": self.wrong[h],
                    "person_says": self.said.get(h),
                }
                for h in heads
            ],
            "found_at": dict(self.found_at.most_common()),
        }

    def lines(self) -> list[str]:
        """The kind facts in words, most evidence first, then where the right ones were."""
        lines = [
            f"{self.examples.get(h, h)}: right {self.right[h]}, wrong {self.wrong[h]}"
            + _person(self.said.get(h))
            for h in self._heads()
        ]
        if self.found_at:
            places = ", ".join(f"{p} ({n})" for p, n in self.found_at.most_common())
            lines.append(f"right ones were found at: {places}")
        return lines


def _person(said: bool | None) -> str:
    return "" if said is None else f" (a person says: {'right' if said else 'wrong'})"


def goals_of(
    store: Store,
    env_name: str,
    task: str,
    described: Mapping[str | None, str] | None = None,
) -> dict[str, list[str | None]]:
    """The goals the variations of a task with an archive ask for ("find a(n) living
    thing"), each with those variations (their trajectories keep the task description;
    ``described``, if the caller read them already)."""
    if described is None:
        described = store.exemplars.descriptions(env_name, task)
    asked: dict[str, list[str | None]] = {}
    for variation in store.archives.variations(env_name, task):
        if variation in described:
            goal = goal_for(Where(Scope.VARIATION), described[variation])
            asked.setdefault(goal, []).append(variation)
    return asked


def kinds_for(
    store: Store,
    env_name: str,
    task: str,
    goal: str,
    leave_out: str | None = None,
    described: Mapping[str | None, str] | None = None,
    embedder: Embedder | None = None,
) -> Kinds:
    """What the variations of a task asking for ``goal`` (other than ``leave_out``: a
    variation's own game is not another's) learned of its kind. Only those that ask for the
    same thing count: "melt water" says nothing of "melt soap"."""
    asked = goals_of(store, env_name, task, described).get(goal, [])
    variations = [v for v in asked if v != leave_out]
    archives = (store.archives.load(env_name, task, v) for v in variations[:MAX_GAMES])
    said = store.person_kinds.said(env_name, task, goal)
    return Kinds.of(archives, any_member=asks_for_any(goal), said=said, embedder=embedder)


@dataclass(frozen=True)
class TaskKinds:
    """A task's kind for one goal its variations ask for, as ``home_kinds`` lists them."""

    env: str
    task: str
    goal: str
    kinds: Kinds


def home_kinds(
    store: Store, env_name: str | None = None, task: str | None = None
) -> list[TaskKinds]:
    """Every kind this home learned (of one environment or task, if given) that has a
    thing that paid or lost, by environment, task and goal."""
    found = []
    for env, name in store.archives.tasks():
        if env_name not in (None, env) or task not in (None, name):
            continue
        asked = goals_of(store, env, name)
        for goal in sorted(set(asked) | set(store.person_kinds.goals(env, name))):
            archives = (store.archives.load(env, name, v) for v in asked.get(goal, []))
            said = store.person_kinds.said(env, name, goal)
            kinds = Kinds.of(archives, any_member=asks_for_any(goal), said=said)
            if kinds:
                found.append(TaskKinds(env, name, goal, kinds))
    return found
