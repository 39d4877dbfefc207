"""The SQLite store: the source of truth for runs, trials, steps, LLM calls and what was learned.

One ``Store`` wraps one database file in a cairn home. It runs in WAL mode with a busy timeout
and commits each step on its own, so a process killed mid-trial loses at most the step in
flight. The schema evolves only through ``memory.migrations``.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from memory.archive import ArchiveStore
from memory.clock import now
from memory.errors import DiskFull, HomeError, ReadOnlyStorage, refusal, refused_write
from memory.exemplars import ExemplarStore
from memory.identity import home_id
from memory.insights import InsightStore
from memory.migrations import MIGRATIONS
from memory.person_edits import PersonEdits
from memory.person_kinds import PersonKinds
from memory.person_places import PersonPlaces
from memory.procedures import ProcedureStore
from memory.records import LLMCall, RunStatus, Step, TrialOutcome
from memory.rows import insert_row, insert_rows, update_row

DATABASE_NAME = "cairn.db"


def _step_row(trial_id: int, step: Step) -> dict[str, Any]:
    return {
        "trial_id": trial_id,
        "idx": step.index,
        "action": step.action,
        "observation": step.observation,
        "reward": step.reward,
        "score": step.score,
        "won": int(step.won),
        "lost": int(step.lost),
        "terminated": int(step.terminated),
        "truncated": int(step.truncated),
        "proposal": step.proposal,
        "grounding": step.grounding,
        "note": step.note,
        "candidates": json.dumps([asdict(c) for c in step.candidates]),
        "env_seconds": step.env_seconds,
        "llm_seconds": step.llm_seconds,
        "agent_seconds": step.agent_seconds,
        "state_key": step.state_key,
        "cited": json.dumps(list(step.cited)),
        "location": step.location,
        "inventory": json.dumps(list(step.inventory)),
    }


def _flags(row: dict[str, Any], *names: str) -> dict[str, Any]:
    """A row with its 0/1 columns as booleans (SQLite has none), as every report shows them."""
    return {**row, **{n: None if row[n] is None else bool(row[n]) for n in names}}


def open_home(home: Path) -> Path:
    """Create ``home`` if needed and check it is a writable directory; return its path."""
    home = home.expanduser()
    if home.exists() and not home.is_dir():
        raise HomeError(f"cairn home {home} is a file, not a directory: pass --home DIR")
    try:
        home.mkdir(parents=True, exist_ok=True)
        probe = home / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as error:
        reason = error.strerror or str(error)
        kind = refusal(error)
        if kind is DiskFull:
            raise DiskFull(
                f"cairn home {home} is full ({reason}): free some space or pass --home DIR"
            ) from None
        message = f"cairn home {home} is not writable ({reason}): pass --home DIR"
        raise (ReadOnlyStorage if kind is ReadOnlyStorage else HomeError)(message) from None
    return home


class WritersWaitDatabase(Database):
    """Transactions that take the write lock when they begin (``BEGIN IMMEDIATE``).

    With SQLite's default deferred ``BEGIN``, a transaction that reads (is this claim stored
    yet?) and then writes fails at once with "database is locked" if another process wrote
    in between; taken up front, the lock makes the other process wait (busy timeout) and
    read what was committed. Nested blocks stay savepoints.

    Every write goes through a transaction, so this is where a disk that refuses one (full,
    read-only) becomes a ``StorageError``, from SQLite's result code.
    """

    def __init__(self, connection: sqlite3.Connection, home: Path) -> None:
        super().__init__(connection)
        self.home = home

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        with self.refusals():
            if self.conn.in_transaction:
                with super().atomic():
                    yield self
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self.rollback()
                raise
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                self.rollback()
                raise

    @contextlib.contextmanager
    def refusals(self) -> Iterator[None]:
        """SQLite's "database or disk is full" and "readonly database" as the storage
        errors they are (the transaction is rolled back by then)."""
        try:
            yield
        except sqlite3.Error as error:
            refused = refused_write(error, f"to the cairn home {self.home}", "pass --home DIR")
            if refused is None:
                raise
            raise refused from error


# SQLite keeps 2 MB of pages by default: with a million insights, recall's pages and
# learning's evict each other on every trial. These are ceilings, used as the file grows.
CACHE_KIB = 256 * 1024
MMAP_BYTES = 1024**3


class Store:
    """Runs, trials, steps and LLM calls, insights and exemplars, in one SQLite database."""

    def __init__(self, path: Path | str, *, any_thread: bool = False) -> None:
        """``any_thread``: the connection may be used from other threads (callers serialise
        its use), as servers that run handlers in worker threads need."""
        self.path = Path(path)
        try:
            connection = sqlite3.connect(str(self.path), check_same_thread=not any_thread)
            self.db = WritersWaitDatabase(connection, self.path.parent)
            with self.db.refusals():
                self.db.execute("PRAGMA busy_timeout = 10000")
                self.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
                self.db.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
                self.db.enable_wal()
                # In WAL, NORMAL syncs at checkpoints, not at every commit: a commit survives
                # the process being killed (the fault tests' guarantee), and only a power
                # cut or an OS crash can roll the last commits back, never corrupt the file.
                # A commit cost ~0.5 ms of fsync, and the memory service commits ~10 a trial.
                self.db.execute("PRAGMA synchronous = NORMAL")
                MIGRATIONS.apply(self.db)
        except sqlite3.DatabaseError as error:
            raise HomeError(f"cannot open database {self.path}: {error}") from None
        self.insights = InsightStore(self.db)
        self.edits = PersonEdits(self.insights)  # a person's hand on the insights
        self.exemplars = ExemplarStore(self.db)
        self.archives = ArchiveStore(self.db)  # what exploring found, per game
        self.procedures = ProcedureStore(self.db)  # the procedures a person wrote
        self.person_kinds = PersonKinds(self.db)  # what a person said of a task's kind
        self.person_places = PersonPlaces(self.db)  # ... and of where its things are

    def setting(self, key: str) -> str | None:
        rows = list(self.db.table("settings").rows_where("key = ?", [key]))
        return rows[0]["value"] if rows else None

    def set_setting(self, key: str, value: str) -> None:
        with self.db.atomic():
            self.db.table("settings").upsert({"key": key, "value": value}, pk="key")

    def home_id(self) -> str:
        """A random id made once per home: it names the home's collections on a shared
        server, and what the home learns in bundles (``memory.identity``)."""
        return home_id(self.db)

    def tasks(self, env_name: str) -> list[str]:
        """The tasks of the environment ``env_name`` this home holds insights or exemplars
        about."""
        rows = self.db.execute(
            "select task from insights where env = ? and task is not null "
            "union select task from exemplars where env = ? order by task",
            [env_name, env_name],
        )
        return [row[0] for row in rows.fetchall()]

    @classmethod
    def in_home(cls, home: Path, *, any_thread: bool = False) -> Store:
        return cls(open_home(home) / DATABASE_NAME, any_thread=any_thread)

    def close(self) -> None:
        self.db.close()

    # --- writing -------------------------------------------------------------------------

    def start_run(self, command: str, config: dict[str, Any], version: str) -> int:
        with self.db.atomic():
            return insert_row(
                self.db,
                "runs",
                {
                    "started_at": now(),
                    "status": RunStatus.RUNNING,
                    "command": command,
                    "config": json.dumps(config, sort_keys=True),
                    "cairn_version": version,
                },
            )

    def finish_run(self, run_id: int, status: RunStatus, error: str | None = None) -> None:
        """Close a run: done, failed or interrupted, with why if it did not finish."""
        with self.db.atomic():
            self.db.table("runs").update(
                run_id, {"finished_at": now(), "status": status, "error": error}
            )

    def start_trial(self, run_id: int, spec: str, trial: int, *, seed: int | None = None) -> int:
        """A trial of the environment ``spec`` (its text, e.g. ``toy:fetch@3``) begins."""
        with self.db.atomic():
            return insert_row(
                self.db,
                "trials",
                {
                    "run_id": run_id,
                    "env": spec,  # the column keeps its first name
                    "trial": trial,
                    "seed": seed,
                    "status": RunStatus.RUNNING,
                    "started_at": now(),
                },
            )

    def describe_trial(
        self, trial_id: int, *, task: str, variation: str | None, description: str, observation: str
    ) -> None:
        with self.db.atomic():
            self.db.table("trials").update(
                trial_id,
                {
                    "task": task,
                    "variation": variation,
                    "task_description": description,
                    "initial_observation": observation,
                },
            )

    def add_step(self, run_id: int, trial_id: int, step: Step) -> None:
        """Record a step and the LLM calls behind it in one transaction."""
        self.add_steps(run_id, trial_id, (step,))

    def add_steps(self, run_id: int, trial_id: int, steps: Sequence[Step]) -> None:
        """Record steps of one trial and the LLM calls behind them in one transaction."""
        with self.db.atomic():
            insert_rows(self.db, "steps", [_step_row(trial_id, step) for step in steps])
            for step in steps:
                self._insert_llm_calls(run_id, trial_id, step.index, step.llm_calls)

    def add_llm_calls(
        self, run_id: int, trial_id: int | None, step: int | None, calls: tuple[LLMCall, ...]
    ) -> None:
        with self.db.atomic():
            self._insert_llm_calls(run_id, trial_id, step, calls)

    def _insert_llm_calls(
        self, run_id: int, trial_id: int | None, step: int | None, calls: tuple[LLMCall, ...]
    ) -> None:
        if not calls:
            return
        self.db.table("llm_calls").insert_all(
            {
                "run_id": run_id,
                "trial_id": trial_id,
                "step": step,
                "model": call.model,
                "messages": json.dumps(list(call.messages)),
                "options": json.dumps(call.options, sort_keys=True, default=str),
                "response": call.response,
                "prompt_tokens": call.prompt_tokens,
                "completion_tokens": call.completion_tokens,
                "seconds": call.seconds,
                "error": call.error,
                "created_at": now(),
            }
            for call in calls
        )

    def finish_trial(self, trial_id: int, outcome: TrialOutcome) -> None:
        with self.db.atomic():
            update_row(
                self.db,
                "trials",
                trial_id,
                {
                    "status": outcome.status,
                    "score": outcome.score,
                    "won": int(outcome.won),
                    "steps": outcome.steps,
                    "seconds": outcome.seconds,
                    "error": outcome.error,
                    "finished_at": now(),
                },
            )

    # --- reading -------------------------------------------------------------------------

    def runs(self, limit: int | None = None) -> list[dict[str, Any]]:
        rows = self.db.table("runs").rows_where(order_by="id desc", limit=limit)
        return [{**row, "config": json.loads(row["config"] or "{}")} for row in rows]

    def last_run_id(self) -> int | None:
        rows = self.runs(limit=1)
        return int(rows[0]["id"]) if rows else None

    def trials(self, run_id: int | None = None) -> list[dict[str, Any]]:
        if run_id is None:
            rows = self.db.table("trials").rows_where(order_by="id")
        else:
            rows = self.db.table("trials").rows_where("run_id = ?", [run_id], order_by="id")
        return [_flags(row, "won") for row in rows]

    def trial(self, trial_id: int) -> dict[str, Any] | None:
        rows = list(self.db.table("trials").rows_where("id = ?", [trial_id]))
        return _flags(rows[0], "won") if rows else None

    def steps(self, trial_id: int) -> list[dict[str, Any]]:
        rows = self.db.table("steps").rows_where("trial_id = ?", [trial_id], order_by="idx")
        return [
            {
                **_flags(row, "won", "lost", "terminated", "truncated"),
                "candidates": json.loads(row["candidates"] or "[]"),
                "cited": json.loads(row["cited"] or "[]"),
                "inventory": json.loads(row["inventory"] or "[]"),
            }
            for row in rows
        ]

    def llm_calls(
        self, *, run_id: int | None = None, trial_id: int | None = None, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        where, args = [], []
        if run_id is not None:
            where.append("run_id = ?")
            args.append(run_id)
        if trial_id is not None:
            where.append("trial_id = ?")
            args.append(trial_id)
        rows = self.db.table("llm_calls").rows_where(
            " and ".join(where) or None, args, order_by="id", limit=limit
        )
        for row in rows:
            yield {
                **row,
                "messages": json.loads(row["messages"]),
                "options": json.loads(row["options"]),
            }
