"""Folding a finished trial into its game's archive of cells (``memory.archive``).

Each step says what its action did from the state it was taken in; the cells the trial
reached count one more visit; the cell it set out to explore from, one more choice. Then
each cell keeps the shortest way a trial actually took to it, detours and all: a detour may
have opened a door elsewhere, and in ScienceWorld every step lets time pass (an animal walks
off). Shortening a way is the planner's job (``agent.learning.plans``), which checks the
states a shortened way passes through and falls back to the way as taken. The trials that
did not win after the game was first won are counted (``Archive.setbacks``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from memory.archive import Archive, Cell, Outcome
from memory.records import Situation, Start, Step

END = "#end"  # the state after a trial's last step is not observed: named by its cell


def fold_trial(
    archive: Archive,
    start: Start,
    steps: Sequence[Step],
    *,
    target: str | None = None,
    trial_id: int | None = None,
) -> tuple[Archive, set[str]]:
    """The archive with the trial folded in, and the keys of the cells that changed."""
    cells = dict(archive.cells)
    changed: set[str] = set()

    def cell(situation: Situation) -> Cell:
        found = cells.get(situation.cell)
        if found is None:
            found = Cell(situation.cell, situation.location, situation.inventory, situation.score)
            found = replace(found, first_trial=trial_id)
        changed.add(situation.cell)
        return found

    here = start.situation
    path: list[str] = []  # the trial's actions so far: the way it took to where it is
    known_before = set(cells)  # cells of earlier trials: their ways compete with this one's
    entered: set[str] = set()  # cells this trial has been in

    def arrived(situation: Situation, there: Start | Step) -> Cell:
        """The cell reached, with what was seen there; its way is this trial's if this is
        the trial's first time in it and no earlier trial's way was as short."""
        found, key = cell(situation), situation.cell
        if key in entered or (key in known_before and len(found.path) <= len(path)):
            way, new_way = found.path, False
        else:
            way, new_way = tuple(path), True
        entered.add(key)
        return _seen(found, there, way, new_way)

    cells[here.cell] = arrived(here, start)
    states = [step.state_key for step in steps[1:]]
    for step, next_state in zip(steps, [*states, None], strict=True):
        after = step.situation
        next_state = next_state or after.cell + END
        outcome = Outcome(
            step.action,
            step.state_key,
            next_state,
            after.cell,
            changed=after != here or next_state != step.state_key,
            fatal=step.lost and step is steps[-1],
        )
        cells[here.cell] = _tried(cell(here), outcome)
        path.append(step.action)
        reached = arrived(after, step)
        cells[after.cell] = replace(reached, won=reached.won or step.won)
        here = after
    for key in changed:  # every cell this trial reached
        cells[key] = replace(cells[key], reached=cells[key].reached + 1, last_trial=trial_id)
    if target in cells:
        cells[target] = replace(cells[target], chosen=cells[target].chosen + 1)
        changed.add(target)
    start_state = archive.start or start.state
    was_won = any(c.won for c in archive.cells.values())
    setback = was_won and not any(step.won for step in steps)
    folded = replace(
        archive,
        start=start_state,
        trials=archive.trials + 1,
        setbacks=archive.setbacks + setback,
        cells=cells,
    )
    return folded, changed


def _seen(cell: Cell, there: Start | Step, path: tuple[str, ...], new_way: bool) -> Cell:
    """``cell`` with what was seen there. When its way is new, its gamble candidates are
    those valid at the end of that way: replayed, it leads to where they can be taken."""
    return replace(
        cell,
        offered=tuple(dict.fromkeys((*cell.offered, *there.choices))),
        seen=tuple(sorted({*cell.seen, *there.seen})),
        risks=tuple(sorted(there.risks)) if new_way else cell.risks,
        path=path,
    )


def _tried(cell: Cell, outcome: Outcome) -> Cell:
    """``cell`` with one more try of an action from a state (merged with earlier tries)."""
    tried = list(cell.tried)
    for index, old in enumerate(tried):
        if (old.action, old.state) == (outcome.action, outcome.state):
            tried[index] = replace(
                outcome,
                tries=old.tries + 1,
                fatal=old.fatal or outcome.fatal,
                varied=old.varied or old.next_state != outcome.next_state,
            )
            return replace(cell, tried=tuple(tried))
    return replace(cell, tried=(*tried, outcome))
