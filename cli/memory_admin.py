"""``cairn memory reindex``: the vector index and the graph made anew from SQLite.

SQLite is the truth; the Chroma index and ``graph.json`` are derived from it. After a crash
(or an index lost or copied from elsewhere) they may lag behind: this checks and rebuilds them.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from agent.learning import GRAPH_FILE, rebuild_graph
from cli.build import open_memory
from cli.common import DEFAULT_HOME, HomeOption, JsonFlag, console, fail, out, print_json, store


def reindex(
    check: Annotated[
        bool, typer.Option("--check", help="Only report how far the index is from SQLite.")
    ] = False,
    home: HomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """Rebuild the vector index (re-embedding every insight and exemplar) and the knowledge
    graph from SQLite. With --check, report the drift and exit 1 if there is any."""
    database = store(home)
    memory = open_memory(home.expanduser(), database)
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


COMMANDS = (reindex,)  # registered on `cairn memory` by cli.main
