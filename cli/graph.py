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
from cli.memory_archive import game_archive
from knowledge_graph.export import FORMATS, GraphFormat, export, format_of
from knowledge_graph.graph import KnowledgeGraph
from knowledge_graph.map import GameMap

app = typer.Typer(help="The knowledge graph: show it, export it.", no_args_is_help=True)


def graph_of(home: Path) -> KnowledgeGraph:
    home = existing_home(home)
    return load_graph(open_memory(home, existing_store(home)), home / GRAPH_FILE)


MapOption = Annotated[
    str | None,
    typer.Option(
        "--map",
        metavar="SPEC",
        help="One game's map (e.g. textworld:coin_collector@3,level=10): its places, the "
        "exits between them, ways not yet taken and what was seen where.",
        show_default=False,
    ),
]


@app.command()
def show(
    entity: Annotated[
        str | None,
        typer.Argument(help="A node: 'kitchen', 'metal pot', or kind:name like 'goal:boil water'."),
    ] = None,
    map_spec: MapOption = None,
    home: ExistingHomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """Without ENTITY: what the graph holds and each goal's precondition chain. With ENTITY:
    its relations, as a tree. With --map SPEC: that game's map, as a tree from where trials
    start."""
    if map_spec is not None:
        game_map = GameMap.of(game_archive(existing_store(home), map_spec))
        if json_output:
            print_json(map_json(game_map))
        else:
            out.print(map_tree(game_map))
        return
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


def map_tree(game_map: GameMap) -> Tree:
    """The map as a tree from the start: each place once, under the first exit (breadth
    first) that reaches it, with the ways no trial took and what was seen there."""

    def label(place: str) -> str:
        parts = [f"[bold]{place}[/]"]
        if game_map.untaken.get(place):
            parts.append(f"[yellow]not yet taken: {', '.join(sorted(game_map.untaken[place]))}[/]")
        if game_map.closed.get(place):
            parts.append(f"[red]led nowhere: {', '.join(sorted(game_map.closed[place]))}[/]")
        if game_map.seen.get(place):
            parts.append(f"[dim]seen: {', '.join(sorted(game_map.seen[place])[:10])}[/]")
        return " · ".join(parts)

    root = Tree(f"map of {game_map.game} · " + label(game_map.start or "?"))
    branches, queue = {game_map.start: root}, [game_map.start]
    while queue:
        place = queue.pop(0)
        for action, other in sorted(game_map.exits.get(place, {}).items()):
            if other not in branches:
                branches[other] = branches[place].add(f"[cyan]{action}[/] → " + label(other))
                queue.append(other)
    for place in sorted(game_map.places - set(branches)):
        root.add(f"(no known way from the start) {label(place)}")
    return root


def map_json(game_map: GameMap) -> dict[str, object]:
    def lists(mapping: dict[str, set[str]]) -> dict[str, list[str]]:
        return {key: sorted(values) for key, values in sorted(mapping.items())}

    return {
        "game": game_map.game,
        "start": game_map.start,
        "places": sorted(game_map.places),
        "exits": game_map.exits,
        "untaken": lists(game_map.untaken),
        "closed": lists(game_map.closed),
        "seen": lists(game_map.seen),
    }


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
    map_spec: MapOption = None,
    force: ForceFlag = False,
    home: ExistingHomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """Write the graph as node-link JSON, GraphML (Gephi, yEd), DOT (Graphviz) or a PNG;
    with --map SPEC, only that game's map (`cairn graph export map.png --map SPEC`)."""
    existing_home(home)  # before anything else: nothing to export from a home not there
    fmt = fmt or format_of(path)
    if fmt is None:
        fail(
            f"cannot tell the format of {path} from its name: pass --format "
            f"({', '.join(FORMATS)}) or name it e.g. kg.graphml"
        )
    if map_spec is not None:  # the game must have a map before a file is written
        played = game_archive(existing_store(home), map_spec)
        game = GameMap.of(played).game
    target = output_file(path, force=force)
    kg = graph_of(home)
    if map_spec is not None:
        kg = kg.map_graph(game)
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
