"""One process at a time on an embedded vector index.

Chroma's embedded client is not process-safe (two writers silently lose vectors; see
RESEARCH.md), so the first process to open a home's index takes an exclusive ``flock`` on a
file beside it and keeps it until it exits — the kernel drops it even after ``kill -9``, so a
crash never leaves a stale lock. A second process fails fast with who holds it. Within one
process the lock is shared, as Chroma shares one client per path.

A long-lived reader (``cairn mcp``) must not keep the home from everyone else: it takes the
lock ``briefly``, for one query at a time, and a process that finds the lock held briefly
waits for it a little instead of failing.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from memory.clock import now
from memory.errors import HomeInUse

LOCK_NAME = "writer.lock"
BRIEF_WAIT_SECONDS = 10.0  # how long a process waits for a brief holder to let go
_held: dict[Path, IO[str]] = {}  # path -> open file holding the lock, for this process's life


def hold(directory: Path) -> None:
    """Take (or keep) the exclusive lock of ``directory`` for this process's life; raise
    ``HomeInUse`` if another process holds it (after waiting, if it holds it briefly)."""
    path = (directory / LOCK_NAME).resolve()
    if path in _held:
        return
    _held[path] = _take(directory, path, brief=False)


@contextlib.contextmanager
def briefly(directory: Path) -> Iterator[None]:
    """Hold the lock of ``directory`` for the length of the block only; ``HomeInUse`` if
    another process holds it. A no-op if this process holds it already."""
    path = (directory / LOCK_NAME).resolve()
    if path in _held:
        yield
        return
    handle = _take(directory, path, brief=True)
    try:
        yield
    finally:
        handle.close()  # closing the file drops the lock


def _take(directory: Path, path: Path, brief: bool) -> IO[str]:
    directory.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    deadline = time.monotonic() + BRIEF_WAIT_SECONDS
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            handle.seek(0)
            holder = _read(handle.read())
            if not brief and holder.get("brief") and time.monotonic() < deadline:
                time.sleep(0.05)  # a reader between two queries: it lets go in a moment
                continue
            handle.close()
            described = _describe(holder)
            raise HomeInUse(
                f"{directory.parent} is in use by {described}: its embedded vector index takes "
                "one process at a time. Wait for it or stop it (`cairn memory list` and "
                "`cairn logs` read SQLite and work meanwhile)",
                described,
            ) from None
    handle.seek(0)
    handle.truncate()
    command = " ".join(["cairn", *sys.argv[1:3]]) if sys.argv else "python"
    record = {"pid": os.getpid(), "command": command, "since": now(), "brief": brief}
    handle.write(json.dumps(record))
    handle.flush()
    return handle


def _read(text: str) -> dict[str, object]:
    try:
        holder = json.loads(text)
    except ValueError:
        return {}
    return holder if isinstance(holder, dict) else {}


def _describe(holder: dict[str, object]) -> str:
    try:
        return f"`{holder['command']}` (pid {holder['pid']}, since {holder['since']})"
    except KeyError:
        return "another process"
