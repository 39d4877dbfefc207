"""Where things are: where the things a task names were found across its variations, read off
their maps (``knowledge_graph.map``), so a new variation goes there first.

A thing is counted in role form (``agent.learning.roles``): "aluminum foil" in one variation
and "paper clip" in another are both the task's ``{1}``, found in the workshop twice; the
thermometer, which every variation names alike, is itself. A thing a game showed at most of
its places (ScienceWorld's air is "a substance" everywhere) says nothing of where it is. A
place is trusted for a thing when it held it in two variations or more, and in most of those
where the thing was seen at all: the house of ScienceWorld is the same house in every
variation, a TextWorld game's rooms are its own, and then no place is trusted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from agent.acting.text import content_words, words
from agent.learning.carried import TaskRoles
from agent.learning.roles import Template
from knowledge_graph.map import GameMap
from memory.archive import Archive
from memory.store import Store

MIN_VARIATIONS = 2  # a place trusted for a thing held it in this many variations at least
UBIQUITOUS = 0.5  # share of a game's places beyond which where a thing was seen says nothing
MAPS = 50  # the variations whose maps are read (the latest played): recall stays cheap


@dataclass(frozen=True)
class Places:
    """For one task: in how many variations each thing it names (in role form) was seen at
    each place, in how many it was seen at all, the exits between places, and where a
    person said a thing is (or is not), which comes before what the maps found."""

    found: Mapping[str, Counter[str]] = field(default_factory=dict)  # form -> place -> games
    seen_in: Counter[str] = field(default_factory=Counter)  # form -> games it was seen in
    exits: dict[str, dict[str, str]] = field(default_factory=dict)  # place -> way -> place
    games: int = 0
    said: Mapping[str, Mapping[str, bool]] = field(default_factory=dict)  # thing -> place -> at

    @classmethod
    def of(
        cls,
        template: Template,
        games: Iterable[tuple[str, GameMap]],
        said: Mapping[str, Mapping[str, bool]] | None = None,
    ) -> Places:
        """From the maps of variations, each with its description, and what a person
        ``said`` (thing -> place -> whether it is there)."""
        found: dict[str, Counter[str]] = {}
        seen_in: Counter[str] = Counter()
        exits: dict[str, dict[str, str]] = {}
        count = 0
        for description, game_map in games:
            count += 1
            named = f" {' '.join(words(description))} "
            rooms = game_map.places
            at: dict[str, set[str]] = {}
            for place, things in game_map.seen.items():
                for thing in things:
                    if thing not in rooms and f" {' '.join(words(thing))} " in named:
                        at.setdefault(template.lift(thing, description), set()).add(place)
            if len(rooms) >= 3:  # seen almost everywhere ("substance": air) is seen anywhere
                at = {
                    form: found
                    for form, found in at.items()
                    if len(found) <= UBIQUITOUS * len(rooms)
                }
            for form, places in at.items():
                seen_in[form] += 1
                found.setdefault(form, Counter()).update(places)
            for place, ways in game_map.exits.items():
                for way, there in ways.items():
                    exits.setdefault(place, {}).setdefault(way, there)
        return cls(found, seen_in, exits, count, dict(said or {}))

    def __bool__(self) -> bool:
        return bool(self.trusted)

    @cached_property
    def trusted(self) -> dict[str, list[tuple[str, int]]]:
        """Each thing's trusted places, the most variations first (see the module
        docstring); things with none are left out."""
        trusted = {}
        for thing in {*self.found, *self.said}:
            at, said = self.found.get(thing, Counter()), self.said.get(thing, {})
            places = [(place, at[place]) for place, there in said.items() if there]
            places += [
                (place, n)
                for place, n in at.most_common()
                if n >= MIN_VARIATIONS and 2 * n > self.seen_in[thing] and place not in said
            ]
            if places:
                trusted[thing] = places
        return dict(
            sorted(
                trusted.items(),
                key=lambda item: (item[0] not in self.said, -item[1][0][1], item[0]),
            )
        )

    def bound(self, template: Template, description: str, seen: Iterable[str] = ()) -> Places:
        """These places with each thing named as the variation ``description`` describes
        names it (a role it does not fill is left out), but for the things its own trials
        have ``seen``: its own map knows where those are."""
        found: dict[str, Counter[str]] = {}
        seen_in: Counter[str] = Counter()
        said: dict[str, Mapping[str, bool]] = {}
        for form in {*self.found, *self.said}:
            thing = template.bind(form, description)
            if thing and not _among(thing, seen):
                found[thing] = self.found.get(form, Counter())
                seen_in[thing] = self.seen_in[form]
                if form in self.said:
                    said[thing] = self.said[form]
        return Places(found, seen_in, self.exits, self.games, said)

    @cached_property
    def _map(self) -> GameMap:
        return GameMap("", exits=self.exits)

    def route(
        self, here: str, visited: set[str], seen: Iterable[str]
    ) -> tuple[str, str, list[str]] | None:
        """The first thing not ``seen`` yet with a trusted place not ``visited``: the thing,
        that place, and the fewest known exits from ``here`` to it."""
        seen = list(seen)
        for thing, places in self.trusted.items():
            if _among(thing, seen):
                continue
            for place, _ in places:
                if place not in visited and place != here:
                    way = self._map.path(here, place)
                    if way:
                        return thing, place, way
        return None

    def lines(self) -> list[str]:
        """Each thing's trusted places in words ("{1}: workshop (2 of 2 variations)")."""
        lines = []
        for thing, places in self.trusted.items():
            said = self.said.get(thing, {})
            at = [
                f"{p} (a person says)"
                if said.get(p)
                else f"{p} ({n} of {self.seen_in[thing]} variations)"
                for p, n in places
            ]
            at += [f"not {p} (a person says)" for p, there in said.items() if not there]
            lines.append(f"{thing}: {', '.join(at)}")
        return lines

    def facts(self) -> dict[str, dict[str, int]]:
        """Each thing's trusted places with the variations it was seen there in."""
        return {thing: dict(places) for thing, places in self.trusted.items()}


def _among(thing: str, seen: Iterable[str]) -> bool:
    """Is ``thing`` one of the things ``seen`` ("ice" among "ice cube" and "freezer")?"""
    name = content_words(thing)
    return bool(name) and any(name <= content_words(other) for other in seen)


def task_places(
    store: Store, env_name: str, task: str, roles: TaskRoles, leave_out: str | None = None
) -> Places:
    """Where the things a task names were found in its variations (but ``leave_out``: a
    variation's own game is not another's) with a known description."""
    variations = [
        v
        for v in store.archives.variations(env_name, task)
        if v != leave_out and v in roles.descriptions
    ]
    games = (
        (roles.descriptions[v], GameMap.of(store.archives.load(env_name, task, v)))
        for v in variations[:MAPS]
    )
    return Places.of(roles.template, games, store.person_places.said(env_name, task))


def seen_in(archive: Archive) -> set[str]:
    """Every thing the trials of ``archive``'s game saw (its own map knows where)."""
    return {thing for cell in archive.cells.values() for thing in cell.seen}
