"""Writing a file whole or not at all: the one way cairn writes the files it keeps or hands
out (``graph.json``, bundles, ``--json`` reports)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from memory.errors import refused_write


def write_atomically(
    path: Path, data: bytes | str, *, place: str | None = None, elsewhere: str = ""
) -> None:
    """Replace ``path`` with ``data``: written to a temporary file beside it, then renamed
    over it, so a crash or a full disk mid-write leaves the previous file intact. The
    temporary name is this process's, as several writers may share a home.

    A disk that refuses the write (full, read-only) raises a ``StorageError`` naming
    ``place`` (default: the path) and ``elsewhere``, the other way out ("choose another
    --json PATH"); any other failure raises the ``OSError``. Either way no temporary file
    is left behind."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        if isinstance(data, str):
            temporary.write_text(data)
        else:
            temporary.write_bytes(data)
        temporary.replace(path)
    except OSError as error:
        with contextlib.suppress(OSError):  # a read-only disk made none
            temporary.unlink(missing_ok=True)
        refused = refused_write(error, place or str(path), elsewhere)
        if refused is not None:
            raise refused from error
        raise
