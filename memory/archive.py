"""The archive of cells: what exploring has found in one game, Go-Explore's archive.

A *cell* is a coarse state — the place, what the player holds, the score — named
``"kitchen|orange|25"`` (``Situation.cell``). For each cell of a game (one variation) the
archive keeps the shortest known way to it from the start, how many trials reached it and
how many set out to explore from it, which actions were tried there and what each led to,
the actions seen valid there, and the things seen there. A game's row (``ArchiveStore``
``games`` table) keeps its start state, how many trials folded into it, and how many of them
did not win once the game had been won (a won game's shortened way is then not trusted).

Actions are recorded with the fine states they were taken in and led to (``Turn.state_key``:
place, holdings and what is seen), so the shortest way to a cell can be found over them and
replayed: the games are deterministic for a variation. ``reflection.archiving`` folds a trial
in; ``agent.explore`` reads it.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlite_utils import Database

from memory.clock import now
from memory.rows import upsert_rows

MAX_OFFERED = 400  # actions kept per cell: ScienceWorld offers ~300 reversible ones a room


@dataclass(frozen=True)
class Outcome:
    """What an action did from one state, over every trial that took it there."""

    action: str
    state: str  # the fine state it was taken in
    next_state: str  # ...and the one it led to
    next_cell: str
    changed: bool  # did the situation or what can be done change?
    fatal: bool = False  # it lost the game
    tries: int = 1
    # It led elsewhere in another try from the same state: where it leads depends on more
    # than the state shows (a key dropped in another room), so no way is stitched through it.
    varied: bool = False


@dataclass(frozen=True)
class Cell:
    key: str
    place: str
    inventory: tuple[str, ...]
    score: float
    path: tuple[str, ...] = ()  # the shortest known way from the start
    reached: int = 0  # trials that reached it
    chosen: int = 0  # trials that set out to explore from it
    won: bool = False  # reaching it won the game
    tried: tuple[Outcome, ...] = ()
    offered: tuple[str, ...] = ()  # reversible actions seen valid there
    seen: tuple[str, ...] = ()  # things the valid actions there named
    risks: tuple[str, ...] = ()  # irreversible actions seen valid there (gamble candidates)
    first_trial: int | None = None
    last_trial: int | None = None

    def tried_actions(self) -> set[str]:
        return {outcome.action for outcome in self.tried}

    def untried(self) -> list[str]:
        """Actions seen valid here that no trial took here."""
        tried = self.tried_actions()
        return [action for action in self.offered if action not in tried]


@dataclass(frozen=True)
class Archive:
    """The archive of one game: ``variation`` is its identity (``Where.variation``)."""

    env: str
    task: str
    variation: str | None
    start: str = ""  # the fine state every trial starts in
    trials: int = 0  # trials folded in
    setbacks: int = 0  # trials that did not win after the game was first won
    cells: Mapping[str, Cell] = field(default_factory=dict)

    @property
    def best(self) -> Cell | None:
        """The won cell with the shortest way, else the highest score reached."""
        if not self.cells:
            return None
        return min(self.cells.values(), key=lambda c: (not c.won, -c.score, len(c.path)))


def merge(ours: Archive, theirs: Archive) -> Archive:
    """Two archives of one game as one (an import): each cell's shorter way, the larger of
    the counts, the union of what was tried, offered and seen. Taking the larger count, not
    the sum, keeps a merge idempotent: the same bundle taken in twice changes nothing."""
    cells = dict(ours.cells)
    for key, their in theirs.cells.items():
        our = cells.get(key)
        cells[key] = their if our is None else _merged(our, their)
    return replace(
        ours,
        start=ours.start or theirs.start,
        trials=max(ours.trials, theirs.trials),
        setbacks=max(ours.setbacks, theirs.setbacks),
        cells=cells,
    )


def _merged(our: Cell, their: Cell) -> Cell:
    tried = {(o.action, o.state): o for o in our.tried}
    for o in their.tried:
        old = tried.get((o.action, o.state))
        tried[(o.action, o.state)] = (
            o
            if old is None
            else replace(
                old,
                tries=max(old.tries, o.tries),
                fatal=old.fatal or o.fatal,
                varied=old.varied or o.varied or old.next_state != o.next_state,
            )
        )
    return replace(
        our,
        path=min(our.path, their.path, key=len),
        reached=max(our.reached, their.reached),
        chosen=max(our.chosen, their.chosen),
        won=our.won or their.won,
        tried=tuple(tried.values()),
        offered=tuple(dict.fromkeys((*our.offered, *their.offered))),
        seen=tuple(sorted({*our.seen, *their.seen})),
        risks=our.risks if len(our.path) <= len(their.path) else their.risks,
    )


class ArchiveStore:
    """Archives in SQLite (tables ``games`` and ``cells``, migration m0010)."""

    KEPT = 256  # games whose archive stays read

    def __init__(self, db: Database) -> None:
        self.db = db
        # Recall and then learning read the same game's archive for each trial; reading
        # its cells (JSON) again was ~10% of the memory service's time. An archive read
        # is kept while its game's stamp (last saved, trials folded in) is unchanged.
        self._read: OrderedDict[tuple[str, str, str | None], tuple[tuple[str, int], Archive]] = (
            OrderedDict()
        )

    def load(self, env: str, task: str, variation: str | None) -> Archive:
        game = self._game(env, task, variation)
        if game is None:
            return Archive(env, task, variation)
        key, stamp = (env, task, variation), (game["updated_at"], game["trials"])
        kept = self._read.get(key)
        if kept is not None and kept[0] == stamp:
            self._read.move_to_end(key)
            return kept[1]
        rows = self.db.query("select * from cells where game_id = ? order by rowid", [game["id"]])
        cells = {row["key"]: _cell(row) for row in rows}
        archive = Archive(
            env, task, variation, game["start_state"], game["trials"], game["setbacks"], cells
        )
        if not self.db.conn.in_transaction:  # a read inside one may be rolled back
            self._read[key] = (stamp, archive)
            if len(self._read) > self.KEPT:
                self._read.popitem(last=False)
        return archive

    def save(self, archive: Archive, changed: Iterable[str] | None = None) -> None:
        """Write the archive (only the cells named in ``changed``, if given)."""
        with self.db.atomic():
            game_id = self._game_id(archive)
            keys = archive.cells.keys() if changed is None else changed
            rows = [
                {**_row(archive.cells[key]), "game_id": game_id, "updated_at": now()}
                for key in keys
            ]
            upsert_rows(self.db, "cells", rows, keys=("game_id", "key"))

    def games(self) -> list[dict[str, Any]]:
        """Every game with an archive: env, task, variation, trials, cells, best score, won."""
        return list(
            self.db.query(
                """select g.env, g.task, g.variation, g.trials, count(c.key) as cells,
                       coalesce(max(c.score), 0) as best, coalesce(max(c.won), 0) as won
                   from games g left join cells c on c.game_id = g.id
                   group by g.id order by g.env, g.task, g.variation"""
            )
        )

    def variations(self, env: str, task: str) -> list[str | None]:
        """The variations of a task that have an archive, the latest played first (one
        indexed query: recall asks before every trial)."""
        return [variation for variation, _ in self.stamps(env, task)]

    def stamps(self, env: str, task: str) -> list[tuple[str | None, str]]:
        """Each variation of a task with an archive and when its archive last changed, the
        latest played first: what tells a cache of what was read from them to read again."""
        rows = self.db.execute(
            "select variation, updated_at || '/' || trials from games where env = ? and "
            "task = ? order by updated_at desc, variation",
            [env, task],
        ).fetchall()
        return [(row[0], row[1]) for row in rows]

    def tasks(self) -> list[tuple[str, str]]:
        """Every (env, task) with an archive."""
        rows = self.db.execute("select distinct env, task from games order by env, task")
        return [(row[0], row[1]) for row in rows.fetchall()]

    def all(self) -> list[Archive]:
        return [self.load(g["env"], g["task"], g["variation"]) for g in self.games()]

    def _game(self, env: str, task: str, variation: str | None) -> dict[str, Any] | None:
        rows = self.db.query(
            "select * from games where env = ? and task = ? and variation is ?",
            [env, task, variation],
        )
        return next(iter(rows), None)

    def _game_id(self, archive: Archive) -> int:
        found = self._game(archive.env, archive.task, archive.variation)
        fields = {
            "start_state": archive.start,
            "trials": archive.trials,
            "setbacks": archive.setbacks,
            "updated_at": now(),
        }
        if found is not None:
            self.db.table("games").update(found["id"], fields)
            return int(found["id"])
        key = {"env": archive.env, "task": archive.task, "variation": archive.variation}
        inserted = self.db.table("games").insert({**key, **fields})
        return int(inserted.last_pk)  # type: ignore[arg-type]


def _row(cell: Cell) -> dict[str, Any]:
    return {
        "key": cell.key,
        "place": cell.place,
        "inventory": json.dumps(list(cell.inventory)),
        "score": cell.score,
        "path": json.dumps(list(cell.path)),
        "reached": cell.reached,
        "chosen": cell.chosen,
        "won": int(cell.won),
        "tried": json.dumps([_outcome_row(o) for o in cell.tried]),
        "offered": json.dumps(list(cell.offered[:MAX_OFFERED])),
        "seen": json.dumps(list(cell.seen)),
        "risks": json.dumps(list(cell.risks)),
        "first_trial": cell.first_trial,
        "last_trial": cell.last_trial,
    }


def _outcome_row(outcome: Outcome) -> list[Any]:
    return [
        outcome.action,
        outcome.state,
        outcome.next_state,
        outcome.next_cell,
        int(outcome.changed),
        int(outcome.fatal),
        outcome.tries,
        int(outcome.varied),
    ]


def _outcome(values: list[Any]) -> Outcome:
    """An outcome row; rows written before ``varied`` was kept have seven values."""
    action, state, next_state, next_cell, changed, fatal, tries, *rest = values
    varied = bool(rest[0]) if rest else False
    return Outcome(
        action, state, next_state, next_cell, bool(changed), bool(fatal), int(tries), varied
    )


def _cell(row: dict[str, Any]) -> Cell:
    return Cell(
        key=row["key"],
        place=row["place"],
        inventory=tuple(json.loads(row["inventory"])),
        score=float(row["score"]),
        path=tuple(json.loads(row["path"])),
        reached=int(row["reached"]),
        chosen=int(row["chosen"]),
        won=bool(row["won"]),
        tried=tuple(_outcome(values) for values in json.loads(row["tried"])),
        offered=tuple(json.loads(row["offered"])),
        seen=tuple(json.loads(row["seen"])),
        risks=tuple(json.loads(row["risks"] or "[]")),
        first_trial=row["first_trial"],
        last_trial=row["last_trial"],
    )
