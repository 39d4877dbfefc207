"""Group commit: callers hand in work and wait; whoever finds none under way does all of it.

The memory service learns every trial of a cluster, and most of what one trial's learning
costs is paid per commit (SQLite's, and the vector index's upsert: ~25 ms however few
entries). So trials that arrive while one batch is being learned wait together and are
learned in the next batch, in one transaction. A caller returns once its own trial is
committed, as before: nothing it was told is learned can be lost. If a batch fails, each of
its trials is learned again on its own, so one bad trial fails only its own caller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")


@dataclass
class _Ticket(Generic[Item]):
    item: Item
    done: bool = False
    error: Exception | None = None


class GroupCommit(Generic[Item]):
    def __init__(
        self, each_batch: Callable[[Sequence[Item]], None], each_one: Callable[[Item], None]
    ) -> None:
        self.each_batch, self.each_one = each_batch, each_one
        self._changed = threading.Condition()
        self._waiting: list[_Ticket[Item]] = []
        self._busy = False
        self.batches: list[int] = []  # the size of each batch done (for benchmarks)

    def waiting(self) -> int:
        """How many items wait for the next batch."""
        with self._changed:
            return len(self._waiting)

    def submit(self, item: Item) -> None:
        """Do ``item`` with whatever else is waiting; return once it is done (or raise what
        doing it raised)."""
        ticket = _Ticket(item)
        with self._changed:
            self._waiting.append(ticket)
            while self._busy and not ticket.done:
                self._changed.wait()
            if not ticket.done:  # nothing under way: this caller does the batch
                self._busy = True
                batch, self._waiting = self._waiting, []
        if not ticket.done:
            try:
                self._do(batch)
            finally:
                with self._changed:
                    self._busy = False
                    self._changed.notify_all()
        if ticket.error is not None:
            raise ticket.error

    def _do(self, batch: list[_Ticket[Item]]) -> None:
        try:
            try:
                self.each_batch([ticket.item for ticket in batch])
            except Exception:
                for ticket in batch:  # one at a time, so each gets its own outcome
                    try:
                        self.each_one(ticket.item)
                    except Exception as error:
                        ticket.error = error
        except BaseException:  # interrupted: no caller may take its item for done
            for ticket in batch:
                ticket.error = ticket.error or RuntimeError("interrupted before it was done")
            raise
        finally:
            self.batches.append(len(batch))
            for ticket in batch:
                ticket.done = True
