"""The errors cairn raises on purpose: one tree, rooted here (memory is the lowest layer, so
every layer can import the root). Each message is one line that says how to fix it; the CLI
prints it as ``error: ...`` and exits 1, without reading the message.

    CairnError                  every error cairn raises on purpose
    ├── HomeError               the cairn home or its database cannot be used
    │   └── HomeInUse           another process holds the home's embedded vector index
    ├── StorageError            the disk refused a write; what was written before is intact
    │   ├── DiskFull            no space left (SQLITE_FULL, ENOSPC, EDQUOT)
    │   ├── ReadOnlyStorage     the file system or database is read-only (SQLITE_READONLY, EROFS)
    │   └── IndexWriteFailed    Chroma refused to write the vector index (a full disk, most likely)
    ├── IndexUnavailable        the vector index cannot be reached (a server down, a bad url)
    ├── BundleError             a bundle cannot be written, read or taken in
    ├── EditRefused             a person's change the insights cannot take (memory.person_edits)
    ├── UnknownEmbedder         no embedding model of that name (memory.embedding)
    ├── AgentError              the agent layer (agent.errors)
    │   ├── SpecError           an environment or model spec is malformed or names something unknown
    │   ├── EnvError            an environment cannot start or died (Java missing, JVM crashed, ...)
    │   ├── LLMError            a model backend failed
    │   │   └── LLMUnavailable  the endpoint cannot be reached / keeps failing after bounded retries
    │   └── DistributedError    Ray could not start, or a worker failed for good (agent.running)
    └── BadRequest              a request ``cairn mcp`` refuses (cli.mcp_answers)

Storage failures are classified where the write happens — the store (SQLite's result code)
and ``memory.files`` (the OSError's errno) — by ``refused_write``; nothing reads message text.
A bug of ours raises what Python raises, and is shown with its traceback.
"""

from __future__ import annotations

import errno
import sqlite3


class CairnError(Exception):
    """Base of every error cairn raises on purpose; the message says how to fix it."""


class HomeError(CairnError):
    """The cairn home directory or its database is unusable; the message says how to fix it."""


class HomeInUse(HomeError):
    """Another process has this home's vector index open (``memory.lock``)."""

    def __init__(self, message: str, holder: str = "another process") -> None:
        super().__init__(message)
        self.holder = holder


class StorageError(CairnError):
    """The disk refused a write; nothing is half-written (SQLite rolled back, a file was
    replaced whole or not at all)."""

    advice = "free some space"


class DiskFull(StorageError):
    """No space left on the device (or over quota)."""


class ReadOnlyStorage(StorageError):
    """The file system, or the database file, cannot be written."""

    advice = "make it writable"


class IndexWriteFailed(StorageError):
    """Chroma refused to write the index on disk (a full disk, most likely)."""


class IndexUnavailable(CairnError):
    """The vector index cannot be reached (a server that does not answer, a bad url)."""


class BundleError(CairnError):
    """A bundle cannot be written or read; the message says what is wrong with it."""


class EditRefused(CairnError, ValueError):
    """A person's change the insights cannot take (already forgotten, held by another)."""


class UnknownEmbedder(CairnError, ValueError):
    """No embedding model goes by that name."""


SQLITE_FULL = 13  # SQLite's primary result codes (the low byte of an extended one)
SQLITE_READONLY = 8
_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


def refusal(error: BaseException) -> type[StorageError] | None:
    """Which storage failure ``error`` is — the disk is full, or read-only — by SQLite's
    result code or the OSError's errno; None if it is neither."""
    if isinstance(error, sqlite3.Error):
        code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
        return {SQLITE_FULL: DiskFull, SQLITE_READONLY: ReadOnlyStorage}.get(code)
    if isinstance(error, OSError):
        if error.errno in _NO_SPACE:
            return DiskFull
        if error.errno == errno.EROFS:
            return ReadOnlyStorage
    return None


def refused_write(error: BaseException, place: str, elsewhere: str = "") -> StorageError | None:
    """The ``StorageError`` a failed write to ``place`` ("to the cairn home /x", "out.json")
    is, if the disk refused it; ``elsewhere`` is the other way out ("pass --home DIR")."""
    kind = refusal(error)
    if kind is None:
        return None
    reason = (error.strerror if isinstance(error, OSError) else None) or str(error)
    fix = f"{kind.advice} or {elsewhere}" if elsewhere else kind.advice
    return kind(f"cannot write {place} ({reason}): {fix}; what was saved before is intact")
