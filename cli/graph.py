"""``cairn graph``: the knowledge graph in the terminal, and out in common formats."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.tree import Tree

from agent.learning import GRAPH_FILE, load_graph
from cli.build import open_memory
from cli.common import (
    DEFAULT_HOME,
    HomeOption,
    JsonFlag,
    fail,
    out,
    output_file,
    print_json,
    store,
)
from knowledge_graph.export import FORMATS, export
from knowledge_graph.graph import KnowledgeGraph

app = typer.Typer(help="The knowledge graph: show it, export it.", no_args_is_help=True)


def graph_of(home: Path) -> KnowledgeGraph:
    home = home.expanduser()
    return load_graph(open_memory(home, store(home)), home / GRAPH_FILE)


@app.command()
def show(
    entity: Annotated[
        str | None,
        typer.Argument(help="A node: 'kitchen', 'metal pot', or kind:name like 'goal:boil water'."),
    ] = None,
    home: HomeOption = DEFAULT_HOME,
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
        out.print(f"{kg.graph.number_of_nodes()} nodes {kinds}, {kg.graph.number_of_edges()} edges")
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
    if json_output:
        print_json(
            {
                node: [{"relation": r, "direction": d, "node": o} for r, d, o in edges]
                for node, edges in found.items()
            }
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
    path: Annotated[Path, typer.Argument(help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="json | graphml | dot | png")] = "json",
    home: HomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """Write the graph as node-link JSON, GraphML (Gephi, yEd), DOT (Graphviz) or a PNG."""
    if fmt not in FORMATS:
        fail(f"unknown --format {fmt!r}: use one of {', '.join(FORMATS)}")
    target = output_file(path)
    kg = graph_of(home)
    try:
        export(kg, target, fmt)
    except OSError as error:
        fail(f"cannot write {path}: {error.strerror}")
    if json_output:
        print_json(
            {
                "path": str(path.expanduser()),
                "format": fmt,
                "nodes": kg.graph.number_of_nodes(),
                "edges": kg.graph.number_of_edges(),
            }
        )
    else:
        out.print(f"wrote {path}")
