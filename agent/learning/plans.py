"""What a trial sets out to do, from what exploring knows of the game
(``agent.learning.experience``). ``choose_plan`` picks,
before a trial, what it sets out to do (``Plan``): a won game's shortest form, the next
candidate of the elimination search among irreversible actions, or the cell to return to
and explore from — Go-Explore's *select* and *return*.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from agent.acting.grounding import MATCH_THRESHOLD, similarity
from agent.acting.instructions import Game, carried_out, clauses, listed
from agent.acting.parts import refusable
from agent.acting.reading import with_text_read
from agent.acting.text import content_words, goal_words, object_words, template_of
from agent.learning.experience import PROMISING, Experience, Knowledge, names_a_place, ranked
from agent.learning.kinds import Kinds
from memory.archive import Archive, Cell
from memory.embedding import Embedder
from memory.knowledge import Scope, Where
from reflection.trajectory import goal_for

REPEATS = 3  # trials a cell is explored from before cells of its score chosen less come first


@dataclass(frozen=True)
class Plan:
    """What a trial sets out to do, chosen from the archive before it starts."""

    path: tuple[str, ...] = ()  # actions to replay from the start
    target: str | None = None  # the cell to explore from
    won: bool = False  # the path wins the game: it is all there is to do
    best_score: float = 0.0  # the best score any trial reached
    gamble: str | None = None  # the irreversible action to try once the path is done
    # The states the path is expected to pass through (a shortcut stitched from several
    # trials' steps may not lead where it did): off them, the plan is left for exploring.
    states: tuple[str, ...] = ()
    # The irreversible actions on the path that did not lose (ScienceWorld's right "focus
    # on"): if the way breaks, they are still taken where they are offered.
    commitments: tuple[str, ...] = ()

    @property
    def memories(self) -> tuple[str, ...]:
        """What a vote for the plan names as its memory: the cell of the archive."""
        return (f"cell:{self.target}",) if self.target else ()

    def lines(self) -> list[str]:
        """The plan in words, for a model that reads: what this trial sets out to do."""
        way = ", ".join(self.path[:20]) + (" ..." if len(self.path) > 20 else "")
        if self.won:
            return [f"This game was won before by: {way}"]
        lines = []
        if self.target:
            lines.append(f"Go back to where the best score was reached ({self.target}) by: {way}")
        if self.gamble:
            lines.append(f"Then try what no trial has tried, closest to the task: {self.gamble}")
        return lines


def choose_plan(
    archive: Archive | None,
    task: str = "",
    embedder: Embedder | None = None,
    kinds: Kinds | None = None,
    read: Sequence[tuple[str, str]] = (),
) -> Plan:
    """A won game's shortest form. Else, from the second trial, the elimination search's
    next candidate — the irreversible action no trial has taken that the task's other
    variations point at most (``agent.learning.kinds``), then closest in meaning to the
    task — and the way to the best cell where it can be taken. Else the cell to
    explore from: the highest score first, then the least explored (cells chosen
    ``REPEATS`` times wait for the others; before the others, those furthest along the
    task's instructions, with the text it sent the player to read as earlier trials read it
    (``read``: (action, text) pairs), then those where the score was raised), the nearest."""
    if archive is None or not archive.cells:
        return Plan()
    cells = archive.cells.values()
    best_score = max(c.score for c in cells)
    won = [c for c in cells if c.won]
    if won:
        best = min(won, key=lambda c: len(c.path))
        states: tuple[str, ...] = ()
        if archive.setbacks:  # a shortened way lost once: replay the way that won
            path = best.path
        else:
            path, states = shortest_form(best.path, archive)
        return Plan(
            path, best.key, True, best_score, states=states, commitments=_commitments(path, archive)
        )
    known = Knowledge(Experience.of_archive(archive), Experience())
    gamble = None
    if _stalled(archive) and not _committed(archive, known):
        gamble = _next_candidate(archive, known, task, embedder, kinds or Kinds())
    ways = Ways(archive)
    there = min(
        (c for c in cells if gamble in c.risks and ways.to(c) is not None),
        key=lambda c: (-c.score, len(c.path)),
        default=None,
    )
    if gamble is not None and there is not None:
        path, states = ways.to(there) or ((), ())
        commitments = _commitments(path, archive)
        return Plan(path, there.key, False, best_score, gamble, states, commitments)
    return _return_and_explore(archive, known, ways, task, best_score, read)


def _return_and_explore(
    archive: Archive,
    known: Knowledge,
    ways: Ways,
    task: str,
    best_score: float,
    read: Sequence[tuple[str, str]],
) -> Plan:
    """Go-Explore's *select* and *return*: the most promising cell with untried actions left
    and a way there (see ``choose_plan``), and that way."""
    cells = archive.cells.values()
    open_cells = {c.key: way for c in cells if _promising(c, known) and (way := ways.to(c))}
    if not open_cells:
        return Plan(best_score=best_score)
    raised = _raised(archive)
    progress = _progress(task, [archive.cells[key] for key in open_cells], archive, read)
    target = min(
        (archive.cells[key] for key in open_cells),
        key=lambda c: (
            -c.score,
            c.chosen >= REPEATS,
            -progress[c.key],
            c.key not in raised,
            c.chosen,
            len(open_cells[c.key][0]),
            c.key,
        ),
    )
    path, states = open_cells[target.key]
    commitments = _commitments(path, archive)
    return Plan(path, target.key, best_score=best_score, states=states, commitments=commitments)


def _progress(
    task: str, cells: list[Cell], archive: Archive, read: Sequence[tuple[str, str]]
) -> dict[str, int]:
    """How many of the task's instructions the way to each cell carried out, with the things
    they list that it holds (of the text the task sent the player to read, remembered:
    ``read``): where no score tells cells apart (a treasure hunt scores only its end), the
    one furthest along what the task says to do is the most promising (the judgement IGE
    asks a model for); holding the recipe's ingredients is further than having dropped one."""
    offered = {a for c in archive.cells.values() for a in (*c.offered, *c.risks)}
    held = tuple({name for c in archive.cells.values() for name in c.inventory})
    game = Game.of(tuple(sorted(offered | {a for c in cells for a in c.path})), held)
    steps = clauses(with_text_read(task, read, game))
    items = [clause.words for clause in steps if listed(clause, game)]
    return {
        c.key: len(carried_out(steps, list(c.path), game))
        + sum(1 for item in items if item <= content_words(" ".join(c.inventory)))
        for c in cells
    }


def _raised(archive: Archive) -> set[str]:
    """Cells an action reached by raising the score: where progress was made, and the next
    is likeliest (holding what was just picked up), before the cells wandered to after."""
    cells = archive.cells
    return {
        o.next_cell
        for cell in cells.values()
        for o in cell.tried
        if o.next_cell in cells and cells[o.next_cell].score > cell.score
    }


Way = tuple[tuple[str, ...], tuple[str, ...]]  # the actions, and the states to check


class Ways:
    """The known ways to the cells of a game: the way a trial took, or a shortcut over every
    trial's steps if shorter (with the states to check); never through an action that lost
    the game (``eat peanut oil`` once ended a trial: no way to anywhere takes it again)."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.shortcuts = shortcuts(archive)
        self.lost = {o.action for c in archive.cells.values() for o in c.tried if o.fatal}

    def to(self, cell: Cell) -> Way | None:
        shortcut = self.shortcuts.get(cell.key)
        own = _reachable(cell, self.archive) and not self.lost.intersection(cell.path)
        if shortcut is not None and (not own or len(shortcut[0]) < len(cell.path)):
            return shortcut
        return (cell.path, ()) if own else None


def shortcuts(archive: Archive) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """The shortest way to each cell over every step any trial took (breadth first over fine
    states with their cell, never through an action that lost), with the states it should
    pass through. A step that only raised the score ("focus on X": same place, same view)
    leads to another cell, so no way passes it by. Stitched from several trials, a way may
    not hold (a door another trial opened): it never takes a step that led to different
    states in different trials, and the explorer checks the states as it goes. A won game
    has its own (``shortest_form``)."""
    Node = tuple[str, str]  # (fine state, cell)
    edges: dict[Node, list[tuple[str, Node]]] = {}
    for cell in archive.cells.values():
        for o in cell.tried:
            if not (o.fatal or o.varied):
                edges.setdefault((o.state, cell.key), []).append(
                    (o.action, (o.next_state, o.next_cell))
                )
    starts = [(archive.start, c.key) for c in archive.cells.values() if not c.path]
    found: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    ways: dict[Node, tuple[tuple[str, ...], tuple[str, ...]]] = {node: ((), ()) for node in starts}
    queue = deque(sorted(starts))
    while queue:
        node = queue.popleft()
        actions, states = ways[node]
        for action, (next_state, next_cell) in sorted(edges.get(node, [])):
            if (next_state, next_cell) not in ways:
                ways[(next_state, next_cell)] = ((*actions, action), (*states, next_state))
                found.setdefault(next_cell, ways[(next_state, next_cell)])
                queue.append((next_state, next_cell))
    return found


def shortest_form(path: Sequence[str], archive: Archive) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A won way with its detours cut out, and the states it should pass through: a detour
    is a walk through other places that ends in the state it began in (a dead end of a maze
    walked into and out of), with nothing done on the way but moves and actions that
    changed nothing; and an action that takes things and changed nothing (refused for want
    of them: ``agent.acting.needs``). A detour that never left its place stays
    (ScienceWorld's "wait" while the stove heats), and so does the way wherever a step was
    not seen to lead where the walk says. A shortened way that loses once is not tried again
    (``Archive.setbacks``)."""
    after: dict[tuple[str, str], set[str]] = {}
    idle: set[tuple[str, str]] = set()
    place_of: dict[str, str] = {}
    for cell in archive.cells.values():
        for o in cell.tried:
            after.setdefault((o.state, o.action), set()).add(o.next_state)
            if o.varied:  # it led elsewhere once: as good as unseen
                after[(o.state, o.action)].add("")
            place_of[o.state] = cell.place
            if not o.changed:
                idle.add((o.state, o.action))
            if o.next_cell in archive.cells:
                place_of.setdefault(o.next_state, archive.cells[o.next_cell].place)
    states = [archive.start]
    for action in path:
        next_states = after.get((states[-1], action), set())
        if len(next_states) != 1:  # unseen, or not the same each time: keep the way
            return tuple(path), ()
        states.append(next(iter(next_states)))

    def detour(i: int, j: int) -> bool:
        places = [place_of.get(state) for state in states[i : j + 1]]
        moved = [a != b for a, b in pairwise(places)]
        steps = zip(states[i:j], path[i:j], moved, strict=True)
        return (
            states[j] == states[i]
            and None not in places
            and any(moved)
            and all(move or (state, action) in idle for state, action, move in steps)
        )

    kept: list[int] = []  # indices of the steps kept
    i = 0
    while i < len(path):
        if (states[i], path[i]) in idle and states[i + 1] == states[i] and refusable(path[i]):
            i += 1  # refused for want of what it takes ("craft 1 book using 3 paper")
            continue
        end = next((j for j in range(len(path), i, -1) if detour(i, j)), None)
        if end is None:
            kept.append(i)
            i += 1
        else:
            i = end
    return tuple(path[k] for k in kept), tuple(states[k + 1] for k in kept)


def _stalled(archive: Archive) -> bool:
    """Did the last trial fail to raise the best score? Explore while exploring pays; when
    it stalls, the elimination search takes the next candidate. A first trial that did not
    win counts as stalled: a task that asks to pick one thing is only scored by picking it."""
    if archive.trials == 1:
        return True
    last = max((c.last_trial or 0 for c in archive.cells.values()), default=0)
    before = [c.score for c in archive.cells.values() if (c.first_trial or 0) < last]
    return bool(before) and max(before) >= max(c.score for c in archive.cells.values())


def _committed(archive: Archive, known: Knowledge) -> bool:
    """Did a trial take an irreversible action the game heeded and go on (ScienceWorld's
    task is focused on once, and a wrong focus ends the game at once)? Then the right one is
    found: there is nothing left to gamble on."""
    paths = (action for c in archive.cells.values() for action in c.path)
    return bool(set(_commitments(tuple(paths), archive)) - known.fatal)


def _commitments(path: Sequence[str], archive: Archive) -> tuple[str, ...]:
    """The irreversible actions a way takes that the game took notice of (on a way to a
    cell, none of them lost): "focus on ice cream" answered "No known action matches that
    input." committed to nothing."""
    risky = {a for c in archive.cells.values() for a in c.risks}
    heeded = {
        o.action for c in archive.cells.values() for o in c.tried if o.fatal or o.next_cell != c.key
    }
    return tuple(dict.fromkeys(action for action in path if action in risky & heeded))


def _reachable(cell: Cell, archive: Archive) -> bool:
    return bool(cell.path) or any(o.state == archive.start for o in cell.tried)


def _promising(cell: Cell, known: Knowledge) -> bool:
    """Has the cell an untried action whose command has done something often enough?"""
    return any(known.promise(a) >= PROMISING and a not in known.fatal for a in cell.untried())


UBIQUITOUS = 0.5  # share of places beyond which a thing is the player's own ("inventory")


def _next_candidate(
    archive: Archive, known: Knowledge, task: str, embedder: Embedder | None, kinds: Kinds
) -> str | None:
    """The untaken irreversible action seen in this game that the task's other variations
    point at most, after those on things whose kind (head noun) lost here; among equals,
    the one most like the things of the kind (``Kinds.likeness``), then one on a thing the
    goal names by a word of its name, then the closest in meaning to the goal. Rooms and
    doors are where things are, not the thing; what is offered almost everywhere ("focus
    on inventory", "focus on air") belongs to the player, not to a place."""
    if embedder is None:
        return None
    offered_in: dict[str, list[Cell]] = {}  # each candidate's cells, for its places and holdings
    for cell in archive.cells.values():
        for action in cell.risks:
            offered_in.setdefault(action, []).append(cell)
    where = {action: {c.place for c in cells} for action, cells in offered_in.items()}
    places = {c.place for c in archive.cells.values()}
    tried = known.past.taken | known.fatal
    destinations = content_words(task) - goal_words(task)  # "...to the red box"
    candidates = [
        a
        for a in sorted(where)
        if not any(
            similarity(a, t) >= MATCH_THRESHOLD for t in tried if template_of(t) == template_of(a)
        )
        and not names_a_place(a, known)
        and not object_words(a) <= destinations
    ]
    if len(places) >= 3:
        specific = [a for a in candidates if len(where[a]) <= UBIQUITOUS * len(places)]
        candidates = specific or candidates
    goal = goal_for(Where(Scope.VARIATION), task)  # "find a living thing", not the whole text
    asked = content_words(goal)
    by_meaning = ranked(embedder, goal, candidates)
    verdict = {
        a: max(kinds.verdict(a, c.place, c.inventory) for c in offered_in[a]) for a in candidates
    }
    here = Kinds.of([archive])  # "flower in pea" lost here: "flower in apple tree" waits
    return min(
        by_meaning,
        key=lambda a: (
            here.verdict(a) < 0,
            -verdict[a],
            -kinds.likeness(a),  # "baby beaver", like the brown bear that was right
            not object_words(a) & asked,  # "adult pea plant" for "find a(n) plant"
        ),
        default=None,
    )
