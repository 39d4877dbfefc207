"""One process at a time on an embedded vector index.

Chroma's embedded client is not process-safe (two writers silently lose vectors; see
RESEARCH.md), so the first process to open a home's index takes an exclusive ``flock`` on a
file beside it and keeps it until it exits — the kernel drops it even after ``kill -9``, so a
crash never leaves a stale lock. A second process fails fast with who holds it. Within one
process the lock is shared, as Chroma shares one client per path.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from memory.errors import HomeError

LOCK_NAME = "writer.lock"
_held: dict[Path, IO[str]] = {}  # path -> open file holding the lock, for this process's life


class HomeInUse(HomeError):
    """Another process has this home's vector index open."""


def hold(directory: Path) -> None:
    """Take (or keep) the exclusive lock of ``directory``; raise ``HomeInUse`` if another
    process holds it."""
    path = (directory / LOCK_NAME).resolve()
    if path in _held:
        return
    directory.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = _describe(handle.read())
        handle.close()
        raise HomeInUse(
            f"{directory.parent} is in use by {holder}: its embedded vector index takes one "
            "process at a time. Wait for it or stop it (`cairn memory list` and `cairn logs` "
            "read SQLite and work meanwhile)"
        ) from None
    handle.seek(0)
    handle.truncate()
    command = " ".join(["cairn", *sys.argv[1:3]]) if sys.argv else "python"
    since = datetime.now(UTC).isoformat(timespec="seconds")
    handle.write(json.dumps({"pid": os.getpid(), "command": command, "since": since}))
    handle.flush()
    _held[path] = handle


def _describe(text: str) -> str:
    try:
        holder = json.loads(text)
        return f"`{holder['command']}` (pid {holder['pid']}, since {holder['since']})"
    except (ValueError, KeyError, TypeError):
        return "another process"
