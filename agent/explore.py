"""Exploration: look for what no trial has found yet (Go-Explore, with memory as the archive).

A *cell* is a coarse state: the place, what is held, the score (``Situation.cell``). What the
agent knows of a game is what actions did in which cells: this episode's steps, and — with
memory on — every earlier trial's, kept in the archive. The explorer turns that into votes:

    follow   the next action of the trial's plan: a won trial's shortest path, or the way
             back to the cell chosen to explore from (Go-Explore's *return*)
    untried  actions never taken at this place first (breadth before depth), exits to new
             places before other actions; taken ones down, more if they changed nothing
    route    no untried action here: the first step towards the nearest place that has some

Irreversible actions are left to the elimination search (``gamble``): never explored like
others, one untried candidate per trial, best by meaning.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from agent.policy import Vote
from agent.state import Situation, Turn
from agent.text import content_words, object_words, template_of

# Values, in the units of the other scorers (relevance ~1, the model's log-probability ~1-3).
UNTRIED = 1.0  # never taken at this place, scaled by how often its command did anything
EXIT = 0.6  # ...and its command moved the player before: new places first
NEW_IN_CELL = 0.3  # taken at this place, but holding other things or at another score
TRIED = 0.6  # per earlier try in this very cell: the next untried action comes first
IDLE = 1.5  # ...more if it changed nothing there (the loop guard)
ROUTE = 1.5  # nothing worth trying here: the first step towards the nearest untried exit
FOLLOW = 6.0  # the plan's next action outweighs everything but a certain loss
FATAL = 6.0  # it lost the game here before
RISKY = 2.0  # its command lost the game somewhere in this game ("eat peanut oil")
UNDO = 1.0  # it would undo the action just taken ("drop egg" after "take egg")
PROMISING = 0.5  # a command that did something at least half the times it was tried


@dataclass(frozen=True)
class Transition:
    """What one action did: from a situation to another."""

    before: Situation
    action: str
    after: Situation
    changed: bool  # did the situation or what can be done change?
    choices: tuple[str, ...] = ()  # what could be done after it
    state: str = ""  # the state it was taken in, and the one it led to (``Turn.state_key``)
    next_state: str = ""


@dataclass
class Knowledge:
    """What is known of one game: what actions did in its cells, and its map of places."""

    tried_in_cell: dict[tuple[str, str], int] = field(default_factory=dict)
    idle_in_cell: set[tuple[str, str]] = field(default_factory=set)
    tried_at_place: dict[str, set[str]] = field(default_factory=dict)
    offered: dict[str, set[str]] = field(default_factory=dict)  # place -> actions seen there
    undoes: set[tuple[str, str]] = field(default_factory=set)  # (command, the one it undid)
    moves: dict[str, dict[str, str]] = field(default_factory=dict)  # place -> action -> place
    commands: dict[str, list[int]] = field(default_factory=dict)  # template -> [changed, tries]
    fatal: set[tuple[str, str]] = field(default_factory=set)  # (place, action) that lost

    @property
    def deadly(self) -> set[str]:
        """Commands one of whose actions lost the game."""
        return {template_of(action) for _, action in self.fatal}

    @property
    def fatal_actions(self) -> set[str]:
        """Actions that lost the game (wherever: eating the egg is fatal in every room)."""
        return {action for _, action in self.fatal}

    def add(self, transitions: Iterable[Transition]) -> Knowledge:
        for t in transitions:
            key = (t.before.cell, t.action)
            self.tried_in_cell[key] = self.tried_in_cell.get(key, 0) + 1
            if not t.changed:
                self.idle_in_cell.add(key)
            self.tried_at_place.setdefault(t.before.location, set()).add(t.action)
            self.offered.setdefault(t.after.location, set()).update(t.choices)
            if t.after.location != t.before.location:
                self.moves.setdefault(t.before.location, {})[t.action] = t.after.location
            counts = self.commands.setdefault(template_of(t.action), [0, 0])
            counts[0] += int(t.changed)
            counts[1] += 1
        return self

    @property
    def movers(self) -> set[str]:
        return {template_of(a) for moves in self.moves.values() for a in moves}

    def promise(self, action: str) -> float:
        """How likely its command is to do anything: 1 until tried (a new command is worth
        a try), then the share of its tries that changed something."""
        changed, tries = self.commands.get(template_of(action), (0, 0))
        return (changed + 1) / (tries + 1)

    def frontier(self, place: str) -> bool:
        """Is there an action at ``place`` no one has taken that may do something?"""
        untried = self.offered.get(place, set()) - self.tried_at_place.get(place, set())
        deadly = self.deadly
        return any(
            self.promise(a) >= PROMISING and template_of(a) not in deadly for a in untried
        )

    def learn_undoing(self, transitions: list[Transition]) -> None:
        """Commands that brought the state back to what it was before the previous action
        ("drop egg" after "take egg", "close oven" after "open oven") undo that command."""
        for first, second in zip(transitions, transitions[1:], strict=False):
            if first.state and second.next_state == first.state and first.changed:
                self.undoes.add((template_of(second.action), template_of(first.action)))

    def route(self, start: str, irreversible: frozenset[str]) -> list[str]:
        """Actions leading from ``start`` to the nearest other place with an untried exit."""
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
                if other not in seen and action not in irreversible:
                    seen.add(other)
                    previous[other] = (place, action)
                    queue.append(other)
        return []


def transitions_of(turn: Turn) -> list[Transition]:
    """This episode's steps as transitions."""
    found, before = [], turn.start
    keys = [step.state_key for step in turn.history[1:]] + [turn.state_key]
    for step, key_after in zip(turn.history, keys, strict=False):
        after = Situation(step.location, step.inventory, step.score)
        changed = after != before or key_after != step.state_key
        found.append(
            Transition(before, step.action, after, changed, step.choices, step.state_key, key_after)
        )
        before = after
    return found


class Explorer:
    """The exploration voice of the policy (replaces novelty, the loop guard, experience)."""

    name = "explore"

    def __init__(self, known: Knowledge | None = None, plan: Plan | None = None) -> None:
        self.known = known  # earlier trials of this game (the archive); None without memory
        self.plan = plan or Plan()

    def score(self, turn: Turn) -> Mapping[str, Vote]:
        done = [step.action for step in turn.history]
        path = self.plan.path
        if len(done) < len(path) and tuple(done) == path[: len(done)]:
            if path[len(done)] in turn.valid_actions:  # on the way: take the next step
                return {path[len(done)]: Vote(FOLLOW)}
        known = _copy(self.known) if self.known is not None else Knowledge()
        steps = transitions_of(turn)
        known.add(steps)
        known.learn_undoing(steps)
        known.offered.setdefault(turn.situation.location, set()).update(
            a for a in turn.valid_actions if a not in turn.irreversible_actions
        )
        return self._explore(turn, known, steps[-1].action if steps else None)

    def _explore(self, turn: Turn, known: Knowledge, last: str | None) -> dict[str, Vote]:
        here = turn.situation
        tried_here = known.tried_at_place.get(here.location, set())
        deadly = known.deadly
        undone = {b for a, b in known.undoes if last is not None and b == template_of(last)}
        votes: dict[str, Vote] = {}
        best_untried = 0.0
        for action in turn.valid_actions:
            if action in known.fatal_actions:
                votes[action] = Vote(-FATAL)
                continue
            if action in turn.irreversible_actions and not named_by(action, turn.task):
                continue  # a gamble: left to the elimination search
            key = (here.cell, action)
            command = template_of(action)
            if action not in tried_here:
                mover = command in known.movers
                value = UNTRIED * known.promise(action) + (EXIT if mover else 0.0)
                if command in deadly and not named_by(action, turn.task):
                    value -= RISKY
                best_untried = max(best_untried, value)
            elif key not in known.tried_in_cell:
                value = NEW_IN_CELL
            else:
                value = -TRIED * known.tried_in_cell[key]
                value -= IDLE if key in known.idle_in_cell else 0.0
            if undone and any(
                (command, b) in known.undoes and _same_things(action, last or "") for b in undone
            ):
                value -= UNDO
            votes[action] = Vote(value)
        if best_untried < UNTRIED * PROMISING:  # nothing here is worth a try: move on
            route = known.route(here.location, turn.irreversible_actions)
            if route and route[0] in votes:
                votes[route[0]] = Vote(votes[route[0]].value + ROUTE)
        return votes


def named_by(action: str, task: str) -> bool:
    objects = object_words(action)
    return bool(objects) and objects <= content_words(task)


def _same_things(action: str, other: str) -> bool:
    return bool(object_words(action) & object_words(other))


def _copy(known: Knowledge) -> Knowledge:
    return Knowledge(
        dict(known.tried_in_cell),
        set(known.idle_in_cell),
        {p: set(a) for p, a in known.tried_at_place.items()},
        {p: set(e) for p, e in known.offered.items()},
        set(known.undoes),
        {p: dict(m) for p, m in known.moves.items()},
        {t: list(c) for t, c in known.commands.items()},
        set(known.fatal),
    )


# --- the archive (prototype: kept in memory) ---------------------------------------------


@dataclass
class Outcome:
    """What an action did from a cell, over every trial that took it there."""

    to: str  # the cell it led to (last time)
    place: str  # ...and that cell's place
    changed: bool
    fatal: bool = False
    tries: int = 0


@dataclass
class Cell:
    key: str
    place: str
    inventory: tuple[str, ...]
    score: float
    path: tuple[str, ...]  # the shortest known way from the start
    reached: int = 0  # trials that reached it
    chosen: int = 0  # trials that set out to explore from it
    won: bool = False
    tried: dict[str, Outcome] = field(default_factory=dict)
    offered: set[str] = field(default_factory=set)  # actions seen valid there


def situation_cell(situation: Situation, path: tuple[str, ...]) -> Cell:
    return Cell(situation.cell, situation.location, situation.inventory, situation.score, path)


def archive_trial(
    cells: dict[str, Cell], start: Situation, steps: list, target: str | None
) -> dict[str, Cell]:
    """Fold one trial into the archive: the cells it reached (with the shortest way to
    each), what each action did from where it was taken, the ways on seen there."""
    cells = dict(cells)
    before = start
    path: list[str] = []
    seen_states: dict[str, int] = {}  # state key -> length of the path when first there
    reached: set[str] = set()
    keys = [s.state_key for s in steps[1:]] + [""]
    for step, key_after in zip(steps, keys, strict=True):
        here = cells.setdefault(before.cell, situation_cell(before, tuple(path)))
        if len(path) < len(here.path) or (not here.path and not path):
            here.path = tuple(path)
        if here.key not in reached:
            reached.add(here.key)
            here.reached += 1
        after = Situation(step.location, step.inventory, step.score)
        changed = after != before or key_after != step.state_key
        outcome = here.tried.setdefault(step.action, Outcome(after.cell, after.location, changed))
        outcome.to, outcome.place, outcome.changed = after.cell, after.location, changed
        outcome.tries += 1
        outcome.fatal = outcome.fatal or (step.lost and step is steps[-1])
        reached_cell = cells.setdefault(after.cell, situation_cell(after, (*path, step.action)))
        reached_cell.offered.update(step.choices)
        # The way to the next cell: cut loops back to a state seen before (no side effects).
        if step.state_key in seen_states:
            del path[seen_states[step.state_key]:]
        seen_states = {k: v for k, v in seen_states.items() if v <= len(path)}
        seen_states[step.state_key] = len(path)
        path.append(step.action)
        before = after
        if step is steps[-1]:
            last = cells.setdefault(after.cell, situation_cell(after, tuple(path)))
            if len(path) < len(last.path) or not last.path:
                last.path = tuple(path)
            last.won = last.won or step.won
            if last.key not in reached:
                last.reached += 1
    if target in cells:
        cells[target].chosen += 1
    return cells


def knowledge_of(cells: dict[str, Cell]) -> Knowledge:
    known = Knowledge()
    for cell in cells.values():
        for action, outcome in cell.tried.items():
            key = (cell.key, action)
            known.tried_in_cell[key] = outcome.tries
            if not outcome.changed:
                known.idle_in_cell.add(key)
            known.tried_at_place.setdefault(cell.place, set()).add(action)
            if outcome.place != cell.place:
                known.moves.setdefault(cell.place, {})[action] = outcome.place
            counts = known.commands.setdefault(template_of(action), [0, 0])
            counts[0] += int(outcome.changed) * outcome.tries
            counts[1] += outcome.tries
            if outcome.fatal:
                known.fatal.add((cell.place, action))
        known.offered.setdefault(cell.place, set()).update(cell.offered)
    return known


@dataclass(frozen=True)
class Plan:
    """What a trial sets out to do, chosen before it starts."""

    path: tuple[str, ...] = ()  # actions to replay from the start
    target: str | None = None  # the cell to explore from
    won: bool = False  # the path wins the game: play it, nothing else
    fatal: frozenset[str] = frozenset()  # (cell, action) keys that lost the game before


REPEATS = 3  # trials a cell is explored from before others of its score come first


def choose_plan(cells: dict[str, Cell]) -> Plan:
    if not cells:
        return Plan()
    won = [c for c in cells.values() if c.won]
    if won:
        best = min(won, key=lambda c: len(c.path))
        return Plan(best.path, best.key, won=True)
    live = [c for c in cells.values() if not any(o.fatal for o in [] )]
    best_score = max(c.score for c in live)
    candidates = sorted(live, key=lambda c: (-c.score, c.chosen >= REPEATS, c.chosen, len(c.path)))
    target = candidates[0]
    del best_score
    return Plan(target.path, target.key)
