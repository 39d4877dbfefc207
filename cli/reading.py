"""The home's memory for a long-lived reader (``cairn mcp``): opened for one request at a time,
so the reader never keeps the home from ``cairn run`` or ``cairn memory``.

SQLite needs nothing: a WAL reader sees every commit and blocks no writer. The vector index
is opened per request — an embedded one with its lock taken only for that request
(``VectorIndex.held_briefly``), a server's without a lock — and when it cannot be opened
(a run holds the embedded index, the server is down, nothing was indexed yet) the request
goes on without it and ``note`` says why. Nothing here writes to the home.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from memory.embedding import Embedder
from memory.errors import CairnError, HomeInUse
from memory.memory import Memory
from memory.store import Store
from memory.vectors import VectorIndex


@dataclass(frozen=True)
class Reading:
    memory: Memory  # with its vector index, or without one (then ``note`` says why)
    note: str | None = None

    @property
    def semantic(self) -> bool:
        return self.memory.index is not None


@contextlib.contextmanager
def reading(home: Path, store: Store, embedder: Embedder) -> Iterator[Reading]:
    """The home's memory for the length of the block, with its vector index if it can be
    had now; a reader, so an index built by another model is not rebuilt but left out."""
    with contextlib.ExitStack() as stack:
        index, note = _open_index(home, store, embedder, stack)
        if index is not None and not index.matches_embedder():
            index, note = None, "the vector index was built by another embedding model"
        yield Reading(Memory(store, index), note)


def _open_index(
    home: Path, store: Store, embedder: Embedder, stack: contextlib.ExitStack
) -> tuple[VectorIndex | None, str | None]:
    url = os.environ.get("CAIRN_MEMORY_URL") or store.setting("memory_url")
    try:
        if url and url != "embedded":
            index = VectorIndex(embedder, url=url, namespace=f"cairn-{store.home_id()}")
            stack.callback(index.client.close)
            return index, None
        path = home / "chroma"
        if not path.is_dir():
            return None, "nothing has been indexed in this home yet"
        return stack.enter_context(VectorIndex.held_briefly(embedder, path)), None
    except HomeInUse as busy:
        return None, f"the vector index is in use by {busy.holder}"
    except CairnError as error:  # a server that does not answer, a bad url, ...
        return None, str(error)
