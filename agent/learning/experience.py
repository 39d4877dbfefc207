"""What actions did in one game: ``Experience`` tallies it from a game's archive of cells
(``memory.archive``) or an episode's steps; ``Knowledge`` reads the two as one (tries, the
promise of a command, the map of places and the moves that undo each other, where a way on
is still untried, what lost)."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from agent.acting.text import content_words, object_words, template_of
from memory.archive import Archive
from memory.embedding import Embedder, cosine
from memory.records import Situation

PROMISING = 0.5  # a command is worth trying where it did something at least half the time
# Of an untried command's novelty, what is left once a command the game gave no warning of
# (not an irreversible one) lost it: below PROMISING, so the known commands come first
# everywhere (a second surprise costs a second trial).
CAUTIOUS = 0.4


@dataclass
class Experience:
    """What actions did in one game: tallies the explorer reads, from an archive's cells
    and from an episode's steps."""

    tried_in_cell: dict[tuple[str, str], int] = field(default_factory=dict)
    tried_in_state: dict[tuple[str, str], int] = field(default_factory=dict)
    idle_in_state: set[tuple[str, str]] = field(default_factory=set)
    tried_at_place: dict[str, set[str]] = field(default_factory=dict)
    offered_at_place: dict[str, set[str]] = field(default_factory=dict)
    moves: dict[str, dict[str, str]] = field(default_factory=dict)  # place -> action -> place
    commands: dict[str, list[int]] = field(default_factory=dict)  # command -> [changed, tries]
    fatal: set[str] = field(default_factory=set)  # actions that lost the game
    taken: set[str] = field(default_factory=set)  # every action any trial took, that did anything
    # Commands that undid another (back to the state before it): ("lock", "unlock")...
    undoes: set[tuple[str, str]] = field(default_factory=set)
    releases: set[str] = field(default_factory=set)  # commands that left something held behind
    takes: set[str] = field(default_factory=set)  # commands that made something held
    warned: set[str] = field(default_factory=set)  # commands the game said were irreversible

    def add(
        self,
        before: Situation,
        state: str,
        action: str,
        after: Situation,
        changed: bool,
        tries: int = 1,
        fatal: bool = False,
    ) -> None:
        key = (before.cell, action)
        self.tried_in_cell[key] = self.tried_in_cell.get(key, 0) + tries
        self.tried_in_state[(state, action)] = self.tried_in_state.get((state, action), 0) + tries
        if not changed:
            self.idle_in_state.add((state, action))
        self.tried_at_place.setdefault(before.location, set()).add(action)
        if after.location != before.location:
            self.moves.setdefault(before.location, {})[action] = after.location
        if set(before.inventory) - set(after.inventory):
            self.releases.add(template_of(action))
        if set(after.inventory) - set(before.inventory):
            self.takes.add(template_of(action))
        counts = self.commands.setdefault(template_of(action), [0, 0])
        counts[0] += tries if changed else 0
        counts[1] += tries
        if fatal or after != before:  # what the game took no notice of is still to be taken
            self.taken.add(action)
        if fatal:
            self.fatal.add(action)

    def offered(self, place: str, actions: Iterable[str]) -> None:
        self.offered_at_place.setdefault(place, set()).update(actions)

    @classmethod
    def of_archive(cls, archive: Archive | None) -> Experience:
        found = cls()
        for cell in archive.cells.values() if archive else ():
            here = Situation(cell.place, cell.inventory, cell.score)
            for outcome in cell.tried:
                after = _situation(outcome.next_cell)
                found.add(
                    here,
                    outcome.state,
                    outcome.action,
                    after,
                    outcome.changed,
                    outcome.tries,
                    outcome.fatal,
                )
            found.offered(cell.place, cell.offered)
            found.warned.update(template_of(action) for action in cell.risks)
        found.undoes = _undoing(archive)
        return found


def _undoing(archive: Archive | None) -> set[tuple[str, str]]:
    """Pairs of commands one of which led back to the state the other was taken in, in any
    trial ("drop egg" after "take egg", "lock hatch" after "unlock hatch")."""
    if archive is None:
        return set()
    outcomes = [o for cell in archive.cells.values() for o in cell.tried]
    back = {(o.state, o.next_state): o.action for o in outcomes if o.state != o.next_state}
    return {
        (template_of(undo), template_of(o.action))
        for o in outcomes
        if (undo := back.get((o.next_state, o.state))) is not None and undo != o.action
    }


def _situation(cell_key: str) -> Situation:
    place, held, score = cell_key.rsplit("|", 2)
    return Situation(place, tuple(h for h in held.split(",") if h), float(score))


class Knowledge:
    """The archive's experience and this episode's, read as one (made for one turn or one
    plan: neither changes while it is read, so what it works out is kept)."""

    def __init__(self, past: Experience, now: Experience) -> None:
        self.past, self.now = past, now
        self.both = (past, now)
        self._tried_commands: dict[str, Counter[str]] = {}
        self._promise: dict[str, float] = {}  # action -> promise (a plan asks ~2,000 times)

    def tries_in_cell(self, cell: str, action: str) -> int:
        return sum(e.tried_in_cell.get((cell, action), 0) for e in self.both)

    def tries_in_state(self, state: str, action: str) -> int:
        return sum(e.tried_in_state.get((state, action), 0) for e in self.both)

    def idle_in_state(self, state: str, action: str) -> bool:
        return any((state, action) in e.idle_in_state for e in self.both)

    def tried_at(self, place: str) -> set[str]:
        return set().union(*(e.tried_at_place.get(place, set()) for e in self.both))

    def _commands_tried_at(self, place: str) -> Counter[str]:
        """How many actions of each command were taken at ``place`` (read once a turn)."""
        if place not in self._tried_commands:
            self._tried_commands[place] = Counter(map(template_of, self.tried_at(place)))
        return self._tried_commands[place]

    @cached_property
    def futile(self) -> frozenset[str]:
        """Actions taken more than once, in any states, that never did anything ("look
        around", "inventory", "wait"): a new state does not make them news."""
        tries: dict[str, int] = {}
        worked: set[str] = set()
        for e in self.both:
            for (state, action), count in e.tried_in_state.items():
                tries[action] = tries.get(action, 0) + count
                if (state, action) not in e.idle_in_state:
                    worked.add(action)
        return frozenset(a for a, n in tries.items() if n > 1 and a not in worked)

    def promise(self, action: str) -> float:
        """How likely its command is to do anything: 1 until tried (a new command is worth
        a try), then the share of its tries that changed something."""
        if action not in self._promise:
            changed = tries = 0
            for e in self.both:
                c, t = e.commands.get(template_of(action), (0, 0))
                changed, tries = changed + c, tries + t
            self._promise[action] = (changed + 1) / (tries + 1)
        return self._promise[action]

    def tries(self, action: str) -> int:
        """How often actions of its command were taken in this game."""
        return sum(e.commands.get(template_of(action), (0, 0))[1] for e in self.both)

    @cached_property
    def moves(self) -> dict[str, dict[str, str]]:
        merged: dict[str, dict[str, str]] = {}
        for e in self.both:
            for place, moves in e.moves.items():
                merged.setdefault(place, {}).update(moves)
        return merged

    @cached_property
    def movers(self) -> set[str]:
        return {template_of(a) for moves in self.moves.values() for a in moves}

    @cached_property
    def visited(self) -> set[str]:
        return {p for e in self.both for p in e.tried_at_place} | {
            q for moves in self.moves.values() for q in moves.values()
        }

    @cached_property
    def destinations(self) -> dict[str, dict[str, str]]:
        """Where each action led, by the place it was taken from."""
        found: dict[str, dict[str, str]] = {}
        for origin, moves in self.moves.items():
            for action, place in moves.items():
                found.setdefault(action, {})[origin] = place
        return found

    @cached_property
    def fatal(self) -> set[str]:
        return self.past.fatal | self.now.fatal

    def undoers(self, action: str) -> set[str]:
        """Commands known to undo ``action``'s (in this episode or an earlier trial)."""
        done = template_of(action)
        return {undo for e in self.both for undo, of in e.undoes if of == done}

    @cached_property
    def releases(self) -> set[str]:
        """Commands known to leave something held behind ("drop X", "put X on Y")."""
        return self.past.releases | self.now.releases

    @cached_property
    def deadly(self) -> set[str]:
        """Commands one of whose actions lost this game."""
        return {template_of(a) for a in self.fatal}

    @cached_property
    def reverses(self) -> dict[str, str]:
        """Moves known to undo each other: ``A -> B`` when ``B`` led back from where ``A``
        led, between two pairs of places or more and never to anywhere else ("go east",
        "go west"); "go to hallway" is undone by a different move from every room."""
        pairs: dict[str, dict[str, set[tuple[str, str]]]] = {}
        for place, moves in self.moves.items():
            for action, there in moves.items():
                for back, again in self.moves.get(there, {}).items():
                    if again == place:
                        pairs.setdefault(action, {}).setdefault(back, set()).add((place, there))
        return {
            action: back
            for action, backs in pairs.items()
            for back, where in backs.items()
            if len(backs) == 1 and len(where) >= 2
        }

    @cached_property
    def likely_moves(self) -> dict[str, dict[str, str]]:
        """The moves taken, and the ways back they imply (``reverses``) not yet taken."""
        likely = {place: dict(moves) for place, moves in self.moves.items()}
        for place, moves in self.moves.items():
            for action, there in moves.items():
                back = self.reverses.get(action)
                if back is not None:
                    likely.setdefault(there, {}).setdefault(back, place)
        return likely

    def leads_somewhere_new(self, place: str, action: str) -> bool:
        """A way on no trial has followed from here, of a command that moves the player,
        not known to lead to a place already visited."""
        return (
            template_of(action) in self.movers
            and action not in self.moves.get(place, {})
            and not self.leads_back(place, action)
        )

    def leads_back(self, place: str, action: str) -> bool:
        """Does it lead from ``place`` to a place already visited, though not taken from
        there yet? Either it went to one place from two or more others ("teleport to
        kitchen", unlike "go west"), or it undoes the move that led here."""
        known = self.destinations.get(action, {})
        places = set(known.values())
        if len(known) >= 2 and len(places) == 1 and places <= self.visited:
            return True
        return self.likely_moves.get(place, {}).get(action) in self.visited

    @cached_property
    def places(self) -> frozenset[frozenset[str]]:
        """Names of places, as their words: visited ones, and what moving commands lead to
        ("teleport to kitchen") — where things are, never the thing a task asks for."""
        names = {content_words(p) for p in self.visited} | {frozenset({"door"})}
        for e in self.both:
            for offered in e.offered_at_place.values():
                names |= {object_words(a) for a in offered if template_of(a) in self.movers}
        return frozenset(name for name in names if name)

    @cached_property
    def surprised(self) -> bool:
        """Did a command the game gave no warning of lose it ("eat X"; not "focus on X")?"""
        warned = self.past.warned | self.now.warned
        return any(template_of(action) not in warned for action in self.fatal)

    def novelty(self, place: str, action: str) -> float:
        """What an action untried at ``place`` may teach: its command's promise, shared by
        that command's actions taken there already ("put apple on chair", "put tuna on
        chair"...: new places before more of the same); a move keeps it (each leads
        somewhere else). A command never tried keeps less once the game has surprised
        (``CAUTIOUS``)."""
        command = template_of(action)
        if command in self.movers:
            return self.promise(action)
        done_here = self._commands_tried_at(place)[command]
        caution = CAUTIOUS if self.surprised and not self.tries(action) else 1.0
        return caution * self.promise(action) / (1 + done_here)

    def frontier(self, place: str) -> bool:
        """Is there an action at ``place`` no one has taken there that may well do something
        (the explorer's own measure, ``novelty``)?"""
        untried = self.offered_at(place) - self.tried_at(place) - self.fatal
        return any(
            self.novelty(place, a) >= PROMISING and template_of(a) not in self.deadly
            for a in untried
        )

    def has_new_way(self, place: str) -> bool:
        """Was a way on seen at ``place`` that no trial has followed (``leads_somewhere_new``)?"""
        return any(self.leads_somewhere_new(place, a) for a in self.offered_at(place))

    def route(self, start: str, irreversible: frozenset[str]) -> list[str]:
        """Actions leading from ``start`` to the nearest other place with untried actions."""
        return self.route_to(start, self.frontier, irreversible)

    def route_to(
        self, start: str, wanted: Callable[[str], bool], irreversible: frozenset[str]
    ) -> list[str]:
        """Actions leading from ``start`` to the nearest other place that is ``wanted``."""
        previous: dict[str, tuple[str, str]] = {}
        queue, seen = deque([start]), {start}
        while queue:
            place = queue.popleft()
            if place != start and wanted(place):
                path = []
                while place != start:
                    place, action = previous[place]
                    path.append(action)
                return path[::-1]
            for action, other in sorted(self.likely_moves.get(place, {}).items()):
                if other not in seen and action not in irreversible and action not in self.fatal:
                    seen.add(other)
                    previous[other] = (place, action)
                    queue.append(other)
        return []

    def offered_at(self, place: str) -> set[str]:
        """Every action seen valid at ``place``, in any trial."""
        return set().union(*(e.offered_at_place.get(place, set()) for e in self.both))

    def offered_lately(self, place: str) -> set[str]:
        """What ``place`` offered when last seen: in this episode if it was here (things
        move: the onion another trial dropped there is not there now), else in any trial."""
        if place in self.now.offered_at_place:
            return self.now.offered_at_place[place]
        return self.past.offered_at_place.get(place, set())


def names_a_place(action: str, known: Knowledge) -> bool:
    """Is it on a place, a door or a way ("focus on living room", "focus on door to
    hallway"), not a thing that shares a word with one ("living thing in flower pot 3")?"""
    named = object_words(action)
    return any(place <= named for place in known.places)


def ranked(embedder: Embedder, task: str, actions: Sequence[str]) -> list[str]:
    """``actions`` by closeness in meaning to the task, closest first."""
    vectors = embedder.embed([task, *actions])
    scored = zip(actions, vectors[1:], strict=True)
    return [a for a, _ in sorted(scored, key=lambda p: -cosine(vectors[0], p[1]))]
