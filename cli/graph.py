"""``cairn graph``: the knowledge graph in the terminal, and out in common formats."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.tree import Tree

from agent.learning.learner import GRAPH_FILE, load_graph
from cli.build import open_memory
from cli.common import (
    DEFAULT_HOME,
    ExistingHomeOption,
    ForceFlag,
    JsonFlag,
    existing_home,
    existing_store,
    fail,
    out,
    output_file,
    print_json,
)
from knowledge_graph.export import FORMATS, GraphFormat, export, format_of
from knowledge_graph.graph import KnowledgeGraph

app = typer.Typer(help="The knowledge graph: show it, export it.", no_args_is_help=True)


def graph_of(home: Path) -> KnowledgeGraph:
    home = existing_home(home)
    return load_graph(open_memory(home, existing_store(home)), home / GRAPH_FILE)


@app.command()
def show(
    entity: Annotated[
        str | None,
        typer.Argument(help="A node: 'kitchen', 'metal pot', or kind:name like 'goal:boil water'."),
    ] = None,
    home: ExistingHomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """Without ENTITY: what the graph holds and each goal's precondition chain. With ENTITY:
    its relations, as a tree."""
    kg = graph_of(home)
    if entity is None:
        goals = sorted(n for n, d in kg.graph.nodes(data=True) if d.get("kind") == "goal")
        chains = {
            kg.graph.nodes[g]["name"]: kg.preconditions(kg.graph.nodes[g]["name"]) for g in goals
        }
        kinds: dict[str, int] = {}
        for _, data in kg.graph.nodes(data=True):
            kinds[data.get("kind", "?")] = kinds.get(data.get("kind", "?"), 0) + 1
        if json_output:
            print_json({"nodes": kinds, "edges": kg.graph.number_of_edges(), "chains": chains})
            return
        by_kind = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        out.print(
            f"{kg.graph.number_of_nodes()} nodes ({by_kind or 'none yet'}), "
            f"{kg.graph.number_of_edges()} edges"
        )
        table = Table(
            "goal", "what is necessary, in order", title="precondition chains", title_justify="left"
        )
        for goal, chain in chains.items():
            if chain:
                table.add_row(goal, " → ".join(chain))
        out.print(table)
        return
    matches = [n for n, d in kg.graph.nodes(data=True) if n == entity or d.get("name") == entity]
    if not matches:
        fail(f"no node named {entity!r}: try `cairn graph show` for goals, or kind:name")
    found = {node: kg.neighbours(*node.split(":", 1)) for node in matches}
    if json_output:  # the shape of `cairn mcp`'s graph_facts
        print_json(
            [
                {"node": node, "relation": relation, "direction": direction, "other": other}
                for node, edges in found.items()
                for relation, direction, other in edges
            ]
        )
        return
    for node, edges in found.items():
        tree = Tree(f"[bold]{node}[/]")
        branches: dict[str, Tree] = {}
        for relation, direction, other in sorted(edges):
            key = f"{direction} {relation}"
            if key not in branches:
                branches[key] = tree.add(key)
            branches[key].add(other)
        out.print(tree)


@app.command("export")
def export_(
    path: Annotated[
        Path, typer.Argument(help="File to write; its name gives the format, e.g. kg.graphml.")
    ],
    fmt: Annotated[
        GraphFormat | None,
        typer.Option(
            "--format",
            help="Default: from the file name (.json, .graphml, .dot or .gv, .png).",
            show_default=False,
        ),
    ] = None,
    force: ForceFlag = False,
    home: ExistingHomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """Write the graph as node-link JSON, GraphML (Gephi, yEd), DOT (Graphviz) or a PNG."""
    existing_home(home)  # before anything else: nothing to export from a home not there
    fmt = fmt or format_of(path)
    if fmt is None:
        fail(
            f"cannot tell the format of {path} from its name: pass --format "
            f"({', '.join(FORMATS)}) or name it e.g. kg.graphml"
        )
    target = output_file(path, force=force)
    kg = graph_of(home)
    try:
        export(kg, target, fmt)
    except OSError as error:
        fail(f"cannot write {path}: {error.strerror}")
    if json_output:
        print_json(
            {
                "path": str(target),
                "format": fmt.value,
                "nodes": kg.graph.number_of_nodes(),
                "edges": kg.graph.number_of_edges(),
            }
        )
    else:
        out.print(f"wrote {path} ({fmt.value})")
