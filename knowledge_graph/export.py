"""The knowledge graph out of cairn: node-link JSON, GraphML, Graphviz DOT, and a PNG."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import networkx as nx

from knowledge_graph.graph import KnowledgeGraph
from memory.files import write_atomically


class GraphFormat(StrEnum):
    JSON = "json"  # node-link
    GRAPHML = "graphml"
    DOT = "dot"
    PNG = "png"


FORMATS = tuple(GraphFormat)
SUFFIXES = {
    ".json": GraphFormat.JSON,
    ".graphml": GraphFormat.GRAPHML,
    ".dot": GraphFormat.DOT,
    ".gv": GraphFormat.DOT,
    ".png": GraphFormat.PNG,
}
COLOURS = {"action": "#4c72b0", "goal": "#dd8452", "object": "#55a868", "location": "#8172b3"}


def _scalar(value: Any) -> Any:
    """GraphML takes strings, numbers and booleans only."""
    if value is None:
        return ""
    if isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, default=str)


def to_graphml(kg: KnowledgeGraph, path: Path) -> None:
    plain = nx.MultiDiGraph()
    for name, data in kg.graph.nodes(data=True):
        plain.add_node(name, **{k: _scalar(v) for k, v in data.items()})
    for source, target, key, data in kg.graph.edges(keys=True, data=True):
        plain.add_edge(source, target, key=key, **{k: _scalar(v) for k, v in data.items()})
    nx.write_graphml(plain, path)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(kg: KnowledgeGraph) -> str:
    lines = ["digraph cairn {", "  rankdir=LR;", "  node [style=filled, fontcolor=white];"]
    for name, data in kg.graph.nodes(data=True):
        colour = COLOURS.get(data.get("kind", ""), "#777777")
        label = _quote(data.get("name", name))
        lines.append(f"  {_quote(name)} [label={label}, fillcolor={_quote(colour)}];")
    for source, target, data in kg.graph.edges(data=True):
        label = data.get("relation", "")
        if "confidence" in data:
            label += f" ({data['confidence']:.2f})"
        lines.append(f"  {_quote(source)} -> {_quote(target)} [label={_quote(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_png(kg: KnowledgeGraph, path: Path, max_nodes: int = 60) -> None:
    """A picture of the best-connected part of the graph (all of it is rarely legible)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ranked = sorted(kg.graph.nodes, key=lambda n: kg.graph.degree(n), reverse=True)[:max_nodes]
    shown = kg.graph.subgraph(ranked)
    figure, ax = plt.subplots(figsize=(12, 9))
    if shown.number_of_nodes():
        layout = nx.spring_layout(shown, seed=0, k=0.9)
        colours = [COLOURS.get(shown.nodes[n].get("kind", ""), "#777777") for n in shown.nodes]
        nx.draw_networkx_nodes(shown, layout, node_color=colours, node_size=260, ax=ax)
        nx.draw_networkx_edges(shown, layout, alpha=0.35, arrows=True, ax=ax)
        labels = {n: shown.nodes[n].get("name", n)[:28] for n in shown.nodes}
        nx.draw_networkx_labels(shown, layout, labels=labels, font_size=7, ax=ax)
        exits = {(a, b): d["action"] for a, b, d in shown.edges(data=True) if "action" in d}
        if exits:  # a map: each way between two places is the action that moves you
            nx.draw_networkx_edge_labels(shown, layout, edge_labels=exits, font_size=6, ax=ax)
    ax.set_title(
        f"cairn knowledge graph ({shown.number_of_nodes()} of {kg.graph.number_of_nodes()} nodes)"
    )
    ax.axis("off")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def format_of(path: Path) -> GraphFormat | None:
    """The format a file name asks for (``kg.graphml``, ``kg.png``...), if it says."""
    return SUFFIXES.get(path.suffix.lower())


def export(kg: KnowledgeGraph, path: Path, fmt: GraphFormat) -> None:
    if fmt is GraphFormat.JSON:
        write_atomically(path, json.dumps(kg.node_link()))
    elif fmt is GraphFormat.GRAPHML:
        to_graphml(kg, path)
    elif fmt is GraphFormat.DOT:
        write_atomically(path, to_dot(kg))
    else:
        to_png(kg, path)
