"""Maps of games, learned across trials: places, the exits between them, doors found
closed, and where things were seen — read off a game's archive of cells (``memory.archive``),
so a map is as true as what the trials saw, and can always be made anew from memory.

A map belongs to one game (a variation: ``toy/maze/2,rooms=6``): two games' rooms of one name
are not one map. What holds across the games of a task is counted separately
(``agent.learning.places``: "thermometer: kitchen in 4 of 5 variations").
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from knowledge_graph.entities import command_of, objects_of
from memory.archive import Archive


@dataclass(frozen=True)
class GameMap:
    game: str
    start: str = ""  # the place trials start in
    exits: dict[str, dict[str, str]] = field(default_factory=dict)  # place -> action -> place
    closed: dict[str, set[str]] = field(default_factory=dict)  # ways on that once led nowhere
    untaken: dict[str, set[str]] = field(default_factory=dict)  # ways on no trial took
    seen: dict[str, set[str]] = field(default_factory=dict)  # place -> things seen there

    @classmethod
    def of(cls, archive: Archive) -> GameMap:
        exits: dict[str, dict[str, str]] = {}
        stayed: dict[str, set[str]] = {}  # actions that, once at least, left the player there
        tried: dict[str, set[str]] = {}
        offered: dict[str, set[str]] = {}
        seen: dict[str, set[str]] = {}
        start = ""
        for cell in archive.cells.values():
            seen.setdefault(cell.place, set()).update(cell.seen)
            offered.setdefault(cell.place, set()).update(cell.offered)
            for outcome in cell.tried:
                tried.setdefault(cell.place, set()).add(outcome.action)
                place = outcome.next_cell.rsplit("|", 2)[0]
                if outcome.state == archive.start:
                    start = cell.place
                if place != cell.place:
                    exits.setdefault(cell.place, {})[outcome.action] = place
                else:
                    stayed.setdefault(cell.place, set()).add(outcome.action)
        movers = {command_of(a) for moves in exits.values() for a in moves}
        closed = {  # a way on that once led nowhere: a door found closed, a wall
            place: {a for a in actions if command_of(a) in movers}
            for place, actions in stayed.items()
        }
        untaken = {
            place: {a for a in actions - tried.get(place, set()) if command_of(a) in movers}
            for place, actions in offered.items()
        }
        ways = {
            o
            for actions in offered.values()
            for a in actions
            if command_of(a) in movers
            for o in objects_of(a)
        }  # "north", "kitchen": where to go, not a thing there
        things = {place: found - ways for place, found in seen.items()}
        game = f"{archive.env}/{archive.task}/{archive.variation}"
        return cls(game, start, exits, _nonempty(closed), _nonempty(untaken), _nonempty(things))

    @property
    def places(self) -> set[str]:
        found = set(self.exits) | set(self.seen) | {self.start} - {""}
        return found | {p for moves in self.exits.values() for p in moves.values()}

    def path(self, source: str, target: str) -> list[str] | None:
        """The fewest exits from ``source`` to ``target`` (None if no known way)."""
        previous: dict[str, tuple[str, str]] = {}
        queue, visited = deque([source]), {source}
        while queue:
            place = queue.popleft()
            if place == target:
                way: list[str] = []
                while place != source:
                    place, action = previous[place]
                    way.append(action)
                return way[::-1]
            for action, other in sorted(self.exits.get(place, {}).items()):
                if other not in visited:
                    visited.add(other)
                    previous[other] = (place, action)
                    queue.append(other)
        return None

    def facts(self, limit: int = 12) -> list[str]:
        """The map in a few lines a model or a person reads: each place, its known exits, the
        ways on no trial took, and what was seen there."""
        lines = []
        for place in sorted(self.places, key=lambda p: (p != self.start, p))[:limit]:
            parts = [f"{a} -> {p}" for a, p in sorted(self.exits.get(place, {}).items())]
            line = f"{place}: " + ("; ".join(parts) if parts else "no way out known")
            if self.untaken.get(place):
                line += f"; not yet taken: {', '.join(sorted(self.untaken[place])[:6])}"
            if self.closed.get(place):
                line += f"; led nowhere: {', '.join(sorted(self.closed[place])[:4])}"
            if self.seen.get(place):
                line += f"; seen: {', '.join(sorted(self.seen[place])[:8])}"
            lines.append(line)
        return lines


def _nonempty(mapping: dict[str, set[str]]) -> dict[str, set[str]]:
    return {key: value for key, value in mapping.items() if value}
