"""Exploring: look for what no trial has found yet (Go-Explore, with memory as the archive).

What the agent knows of a game is what its actions did in which cells (place, holdings,
score): this episode's steps and — with memory on — every earlier trial's, from the archive
(``memory.archive``). A trial sets out with a ``Plan`` chosen from the archive: play a won
game's shortest form, or return to the most promising cell and explore from it. At every
step the ``Explorer`` votes:

    follow   the plan's next action, while the episode is on its way
    untried  actions never taken at this place first, scaled by how often their command has
             done anything; ways to places no one has reached a little more; what was taken
             in this very cell down, more if it changed nothing, or undid the last action
    route    nothing worth trying here: the first step towards the nearest place that has
    gamble   one irreversible action per trial that no trial has taken, the closest in
             meaning to the task, once the episode has caught up with the best known score
             and stalled (an elimination search: each loss is remembered for the variation)

This one voice replaces novelty, the loop guard, replayed experience and the single frontier
gamble of earlier versions.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from agent.policy import DeadEndGuard, Vote
from agent.state import Turn
from agent.text import content_words, object_words, template_of
from memory.archive import Archive, Cell
from memory.embedding import Embedder, cosine
from memory.records import Situation

# In the units of the other scorers: relevance ~1, the model's log-probability 1-3.
UNTRIED = 1.0  # never taken at this place, times its command's promise: what exploring is
EXIT = 0.6  # ...and it leads somewhere no trial has been: new places before new actions
NEW_IN_CELL = 0.3  # taken at this place, but not in this state (other things held or seen)
TRIED = 0.6  # per earlier try in this very state: the next untried action comes first
IDLE = 1.5  # ...more if it changed nothing there (the loop guard)
UNDO = 1.0  # it would undo the action just taken ("drop egg" right after "take egg")
RISKY = 2.0  # its command lost this game once ("eat X"), and the task does not name it
FATAL = 6.0  # it lost this game before
ROUTE = 1.5  # nothing worth a try here: the first step towards the nearest place that has
FOLLOW = 6.0  # the plan's next action: outweighs everything but a known loss
GAMBLE = 4.5  # the elimination search's candidate, once it is time
PROMISING = 0.5  # a command is worth trying where it did something at least half the time
STALL = 8  # steps without reaching a new cell before a gamble is taken
REPEATS = 3  # trials a cell is explored from before cells of its score chosen less come first


@dataclass(frozen=True)
class Plan:
    """What a trial sets out to do, chosen from the archive before it starts."""

    path: tuple[str, ...] = ()  # actions to replay from the start
    target: str | None = None  # the cell to explore from
    won: bool = False  # the path wins the game: it is all there is to do
    best_score: float = 0.0  # the best score any trial reached


def choose_plan(archive: Archive | None) -> Plan:
    """A won game's shortest form; else the cell to return to: the highest score first, then
    the least explored (cells chosen ``REPEATS`` times wait for the others), the nearest."""
    if archive is None or not archive.cells:
        return Plan()
    cells = archive.cells.values()
    best_score = max(c.score for c in cells)
    won = [c for c in cells if c.won]
    if won:
        best = min(won, key=lambda c: len(c.path))
        return Plan(best.path, best.key, won=True, best_score=best_score)
    start = next((c.key for c in cells if any(o.state == archive.start for o in c.tried)), None)
    known = Knowledge(Experience.of_archive(archive), Experience())
    open_cells = [c for c in cells if (c.path or c.key == start) and _promising(c, known)]
    if not open_cells:
        return Plan(best_score=best_score)
    target = min(
        open_cells, key=lambda c: (-c.score, c.chosen >= REPEATS, c.chosen, len(c.path), c.key)
    )
    return Plan(target.path, target.key, best_score=best_score)


def _promising(cell: Cell, known: Knowledge) -> bool:
    """Has the cell an untried action whose command has done something often enough?"""
    return any(known.promise(a) >= PROMISING and a not in known.fatal for a in cell.untried())


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
    taken: set[str] = field(default_factory=set)  # every action any trial took

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
        counts = self.commands.setdefault(template_of(action), [0, 0])
        counts[0] += tries if changed else 0
        counts[1] += tries
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
        return found


def _situation(cell_key: str) -> Situation:
    place, held, score = cell_key.rsplit("|", 2)
    return Situation(place, tuple(h for h in held.split(",") if h), float(score))


class Knowledge:
    """The archive's experience and this episode's, read as one."""

    def __init__(self, past: Experience, now: Experience) -> None:
        self.past, self.now = past, now
        self.both = (past, now)

    def tries_in_cell(self, cell: str, action: str) -> int:
        return sum(e.tried_in_cell.get((cell, action), 0) for e in self.both)

    def tries_in_state(self, state: str, action: str) -> int:
        return sum(e.tried_in_state.get((state, action), 0) for e in self.both)

    def idle_in_state(self, state: str, action: str) -> bool:
        return any((state, action) in e.idle_in_state for e in self.both)

    def tried_at(self, place: str) -> set[str]:
        return set().union(*(e.tried_at_place.get(place, set()) for e in self.both))

    def promise(self, action: str) -> float:
        """How likely its command is to do anything: 1 until tried (a new command is worth
        a try), then the share of its tries that changed something."""
        changed = tries = 0
        for e in self.both:
            c, t = e.commands.get(template_of(action), (0, 0))
            changed, tries = changed + c, tries + t
        return (changed + 1) / (tries + 1)

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
    def destinations(self) -> dict[str, set[str]]:
        """Where each action led, from wherever it was taken."""
        found: dict[str, set[str]] = {}
        for moves in self.moves.values():
            for action, place in moves.items():
                found.setdefault(action, set()).add(place)
        return found

    @cached_property
    def fatal(self) -> set[str]:
        return self.past.fatal | self.now.fatal

    @cached_property
    def deadly(self) -> set[str]:
        """Commands one of whose actions lost this game."""
        return {template_of(a) for a in self.fatal}

    def leads_somewhere_new(self, place: str, action: str) -> bool:
        """A way on that no trial has followed from here, of a command that moves the
        player, whose destination is not known to be a place already visited."""
        if template_of(action) not in self.movers or action in self.moves.get(place, {}):
            return False
        known = self.destinations.get(action, set())
        return not (len(known) == 1 and known <= self.visited)  # "teleport to kitchen" again

    def frontier(self, place: str) -> bool:
        """Is there an action at ``place`` no one has taken there that may do something?"""
        offered = set().union(*(e.offered_at_place.get(place, set()) for e in self.both))
        untried = offered - self.tried_at(place) - self.fatal
        return any(
            self.promise(a) >= PROMISING and template_of(a) not in self.deadly for a in untried
        )

    def route(self, start: str, irreversible: frozenset[str]) -> list[str]:
        """Actions leading from ``start`` to the nearest other place with untried actions."""
        previous: dict[str, tuple[str, str]] = {}
        queue, seen = deque([start]), {start}
        while queue:
            place = queue.popleft()
            if place != start and self.frontier(place):
                path = []
                while place != start:
                    place, action = previous[place]
                    path.append(action)
                return path[::-1]
            for action, other in sorted(self.moves.get(place, {}).items()):
                if other not in seen and action not in irreversible and action not in self.fatal:
                    seen.add(other)
                    previous[other] = (place, action)
                    queue.append(other)
        return []


def episode_experience(turn: Turn) -> tuple[Experience, list[tuple[str, str]]]:
    """This episode's steps as experience, and the actions that undid the one before them
    (a detour back to the state before: "close oven" right after "open oven")."""
    now = Experience()
    undone: list[tuple[str, str]] = []
    before = turn.start
    states = [s.state_key for s in turn.history[1:]] + [turn.state_key] if turn.history else []
    for index, (step, next_state) in enumerate(zip(turn.history, states, strict=True)):
        after = step.situation
        changed = after != before or next_state != step.state_key
        now.add(before, step.state_key, step.action, after, changed, fatal=step.lost)
        now.offered(after.location, step.choices)
        if index and next_state == turn.history[index - 1].state_key:
            undone.append((template_of(step.action), template_of(turn.history[index - 1].action)))
        before = after
    return now, undone


class Explorer:
    """The exploration voice of the policy (see the module docstring)."""

    name = "explore"

    def __init__(
        self,
        archive: Archive | None = None,
        plan: Plan | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.remembers = archive is not None  # with memory off, no gamble: nothing to learn
        self.past = Experience.of_archive(archive)
        self.plan = plan or choose_plan(archive)
        self.embedder = embedder

    def score(self, turn: Turn) -> Mapping[str, Vote]:
        follow = self._follow(turn)
        if follow is not None:
            return {follow: Vote(FOLLOW, ("plan",))}
        now, undone = episode_experience(turn)
        now.offered(turn.situation.location, _reversible(turn))
        known = Knowledge(self.past, now)
        votes = self._explore(turn, known, undone)
        gamble = self._gamble(turn, known)
        if gamble is not None:
            votes[gamble] = Vote(GAMBLE, ("gamble",))
        return votes

    def _follow(self, turn: Turn) -> str | None:
        done = tuple(step.action for step in turn.history)
        path = self.plan.path
        on_the_way = len(done) < len(path) and done == path[: len(done)]
        return path[len(done)] if on_the_way and path[len(done)] in turn.valid_actions else None

    def _explore(
        self, turn: Turn, known: Knowledge, undone: list[tuple[str, str]]
    ) -> dict[str, Vote]:
        here, goal = turn.situation, DeadEndGuard.goal_words(turn.task)
        tried_here = known.tried_at(here.location)
        last = turn.history[-1].action if turn.history else ""
        undoers = {undo for undo, done in undone if done == template_of(last)}
        votes: dict[str, Vote] = {}
        best_untried = 0.0
        for action in turn.valid_actions:
            named = bool(object_words(action)) and object_words(action) <= goal
            if action in known.fatal:
                votes[action] = Vote(-FATAL)
                continue
            if action in turn.irreversible_actions and not named:
                continue  # a gamble: left to the elimination search
            if action not in tried_here:
                value = UNTRIED * known.promise(action)
                value += EXIT if known.leads_somewhere_new(here.location, action) else 0.0
                if template_of(action) in known.deadly and not named:
                    value -= RISKY
                best_untried = max(best_untried, value)
            elif not known.tries_in_state(turn.state_key, action):
                value = NEW_IN_CELL  # taken here, but with other things held, or seen
            else:
                value = -TRIED * known.tries_in_state(turn.state_key, action)
                value -= IDLE if known.idle_in_state(turn.state_key, action) else 0.0
            if template_of(action) in undoers and object_words(action) & object_words(last):
                value -= UNDO
            votes[action] = Vote(value)
        if best_untried < UNTRIED * PROMISING:  # nothing here is worth a try: move on
            route = known.route(here.location, turn.irreversible_actions)
            if route and route[0] in votes:
                votes[route[0]] = Vote(votes[route[0]].value + ROUTE)
        return votes

    def _gamble(self, turn: Turn, known: Knowledge) -> str | None:
        """The elimination search's candidate, if it is time to take it."""
        if not self.remembers or self.embedder is None:
            return None
        if any(step.action in turn.irreversible_actions for step in turn.history):
            return None  # one per trial
        if turn.situation.score < self.plan.best_score or not _stalled(turn):
            return None
        untried = sorted(a for a in turn.irreversible_actions if a not in known.past.taken)
        untried = [a for a in untried if a not in known.fatal and not _names_a_place(a, known)]
        if not untried:
            return None
        vectors = self.embedder.embed([turn.task, *untried])
        return max(zip(untried, vectors[1:], strict=True), key=lambda p: cosine(vectors[0], p[1]))[
            0
        ]


def _reversible(turn: Turn) -> list[str]:
    return [a for a in turn.valid_actions if a not in turn.irreversible_actions]


def _stalled(turn: Turn) -> bool:
    """No new cell for ``STALL`` steps (or fewer steps than that left)."""
    left = turn.max_steps - len(turn.history) if turn.max_steps else STALL + 1
    cells = [turn.start.cell, *(step.situation.cell for step in turn.history)]
    first: dict[str, int] = {}
    for index, cell in enumerate(cells):
        first.setdefault(cell, index)
    return left <= STALL or len(cells) - 1 - max(first.values()) >= STALL


def _names_a_place(action: str, known: Knowledge) -> bool:
    """Rooms are where things are, never the thing a task asks for."""
    words = content_words(" ".join(known.visited)) | {"door"}
    return bool(object_words(action) & words)


def ranked(embedder: Embedder, task: str, actions: Sequence[str]) -> list[str]:
    """``actions`` by closeness in meaning to the task, closest first."""
    vectors = embedder.embed([task, *actions])
    scored = zip(actions, vectors[1:], strict=True)
    return [a for a, _ in sorted(scored, key=lambda p: -cosine(vectors[0], p[1]))]


__all__ = ["Cell", "Explorer", "Plan", "choose_plan", "ranked"]
