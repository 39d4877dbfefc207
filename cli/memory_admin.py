"""``cairn memory reindex`` and ``reembed``: the vector index made anew from SQLite.

SQLite is the truth; the Chroma index and ``graph.json`` are derived from it. After a crash
(or an index lost or copied from elsewhere) they may lag behind: ``reindex`` checks and
rebuilds them. ``reembed`` rebuilds the index with another embedding model; nothing in SQLite
changes, so switching models loses nothing and can be undone the same way.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.table import Table

from agent.learning.learner import GRAPH_FILE, rebuild_graph
from cli.build import home_embedder, open_memory
from cli.common import (
    DEFAULT_HOME,
    HomeOption,
    JsonFlag,
    console,
    existing_store,
    fail,
    out,
    print_json,
    writable_store,
)
from memory.embedding import embedder_named
from memory.vectors import EXEMPLARS, INSIGHTS


def reindex(
    check: Annotated[
        bool, typer.Option("--check", help="Only report how far the index is from SQLite.")
    ] = False,
    home: HomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """Rebuild the vector index and the knowledge graph from SQLite.

    With --check, only report the drift (exit 1 if there is any).
    """
    store = existing_store(home) if check else writable_store(home)
    memory = open_memory(home.expanduser(), store)
    before = memory.drift()
    drifted = any(n for counts in before.values() for n in counts.values())
    after, sizes = before, dict[str, int]()
    if not check:
        with console.status("re-embedding insights and exemplars..."):
            memory.rebuild_index()
            graph = rebuild_graph(memory, home.expanduser() / GRAPH_FILE).graph
        after = memory.drift()
        sizes = {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
    report = {"before": before, "after": after, "rebuilt": not check, "graph": sizes}
    if json_output:
        print_json(report)
    else:
        table = Table("index", "missing before", "extra before", "missing after", "extra after")
        for name in before:
            table.add_row(
                name,
                *(str(d[name][k]) for d in (before, after) for k in ("missing", "extra")),
            )
        out.print(table)
    if check and drifted:
        fail("the vector index does not match SQLite: run `cairn memory reindex`")


def reembed(
    model: Annotated[
        str,
        typer.Option(
            "--model",
            help="minilm (all-MiniLM-L6-v2, the default), hash (no torch: tests, tiny machines) "
            "or the folder of a sentence-transformers model saved with model.save(PATH).",
        ),
    ],
    home: HomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """Switch the home's embedding model, re-embedding everything from SQLite.

    The home uses the new model from then on, imports included.

    Interrupted, the home keeps its old model and repairs its index on next use.
    """
    store = writable_store(home)
    embedder = embedder_named(model)  # UnknownEmbedder: one error line
    before = home_embedder(store).name
    started = time.perf_counter()
    with console.status(f"re-embedding every insight and exemplar with {embedder.name}..."):
        memory = open_memory(home.expanduser(), store, embedder)  # rebuilds on a new model
        drift = memory.drift()
        if any(n for counts in drift.values() for n in counts.values()):
            memory.rebuild_index()
    store.set_setting("embedder", embedder.name)  # only once the new index is complete
    index = memory.index
    counts = {name: len(index.ids(name)) for name in (INSIGHTS, EXEMPLARS)} if index else {}
    report = {
        "from": before,
        "to": embedder.name,
        "dimension": embedder.dimension,
        "indexed": counts,
        "seconds": round(time.perf_counter() - started, 1),
    }
    if json_output:
        print_json(report)
    else:
        out.print(
            f"{before} -> {embedder.name} ({embedder.dimension} dimensions): "
            + ", ".join(f"{n} {name}" for name, n in counts.items())
            + f" re-embedded in {report['seconds']} s"
        )


COMMANDS = (reindex, reembed)  # registered on `cairn memory` by cli.main
