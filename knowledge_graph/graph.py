"""The knowledge graph: actions, goals, objects and locations, and how they relate.

Nodes are ``kind:name`` strings (``action:open cupboard``, ``goal:boil water``,
``object:metal pot``, ``location:kitchen``). Edges carry a ``relation`` and the evidence
behind them:

    action  -[SHOULD BE NECESSARY | ... | DOES NOT CONTRIBUTE]->  goal   (from insights)
    action  -[precedes]->  action      (consecutive useful steps of exemplars)
    action  -[uses]->      object
    action  -[at]->        location    (where the action was taken)
    place   -[exit]->      place       (a game's map: the action that moves you; one set of
                                        place nodes per game, ``place:GAME|ROOM``, since two
                                        games' rooms of one name are not one map)
    place   -[seen]->      object      (where the game's trials saw the thing)

It is built from memory records and can always be rebuilt from them; it is saved as
node-link JSON next to the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from knowledge_graph.entities import objects_of
from knowledge_graph.map import GameMap
from memory.archive import Archive
from memory.files import write_atomically
from memory.knowledge import Exemplar, Insight, Relation, Status


def node(kind: str, name: str) -> str:
    return f"{kind}:{name}"


class KnowledgeGraph:
    def __init__(self, graph: nx.MultiDiGraph | None = None) -> None:
        self.graph = graph if graph is not None else nx.MultiDiGraph()

    @classmethod
    def build(
        cls,
        insights: Iterable[Insight],
        exemplars: Iterable[Exemplar],
        archives: Iterable[Archive] = (),
    ) -> KnowledgeGraph:
        kg = cls()
        for insight in insights:
            kg.add_insight(insight)
        for exemplar in exemplars:
            kg.add_exemplar(exemplar)
        for archive in archives:
            kg.add_map(GameMap.of(archive))
        return kg

    # --- building ------------------------------------------------------------------------

    def _node(self, kind: str, name: str) -> str:
        key = node(kind, name)
        if key not in self.graph:
            self.graph.add_node(key, kind=kind, name=name)
        return key

    def add_insight(self, insight: Insight) -> None:
        action = self._node("action", insight.subject)
        goal = self._node("goal", insight.goal)
        edge_key = f"insight:{insight.id}"
        if insight.status is not Status.ACTIVE:
            if self.graph.has_edge(action, goal, edge_key):
                self.graph.remove_edge(action, goal, edge_key)
            return
        self.graph.add_edge(
            action,
            goal,
            key=edge_key,
            relation=insight.relation.value,
            confidence=round(insight.confidence, 4),
            support=insight.support,
            refute=insight.refute,
            scope=str(insight.where),
            order=insight.order,
        )
        for name in objects_of(insight.subject):
            self._count(action, self._node("object", name), "uses")

    def add_exemplar(self, exemplar: Exemplar) -> None:
        previous_action: str | None = None
        for step in exemplar.steps:
            action = self._node("action", step.action)
            for name in objects_of(step.action):
                self._count(action, self._node("object", name), "uses")
            if step.location:  # where the engine says the step left the player
                self._count(action, self._node("location", step.location), "at")
            if step.useful:
                if previous_action is not None and previous_action != action:
                    self._count(previous_action, action, "precedes")
                previous_action = action

    def add_map(self, game_map: GameMap) -> None:
        """A game's map: its places (one node each, for this game), exits and sightings;
        what the map said before about this game is replaced."""
        stale = [n for n, d in self.graph.nodes(data=True) if d.get("game") == game_map.game]
        self.graph.remove_nodes_from(stale)
        for place in game_map.places:
            self._place(game_map, place)
        for place, exits in game_map.exits.items():
            for action, other in exits.items():
                self.graph.add_edge(
                    self._place(game_map, place),
                    self._place(game_map, other),
                    key=f"exit:{action}",
                    relation="exit",
                    action=action,
                )
        for place, things in game_map.seen.items():
            for thing in things:
                self.graph.add_edge(
                    self._place(game_map, place),
                    self._node("object", thing),
                    key="seen",
                    relation="seen",
                )

    def _place(self, game_map: GameMap, place: str) -> str:
        key = node("place", f"{game_map.game}|{place}")
        if key not in self.graph:
            self.graph.add_node(key, kind="place", name=place, game=game_map.game)
        return key

    def map_of(self, game: str) -> dict[str, dict[str, str]]:
        """A game's exits, as the graph holds them: place -> action -> place."""
        exits: dict[str, dict[str, str]] = {}
        for source, target, data in self.graph.edges(data=True):
            if data.get("relation") == "exit" and self.graph.nodes[source].get("game") == game:
                name = self.graph.nodes[source]["name"]
                exits.setdefault(name, {})[data["action"]] = self.graph.nodes[target]["name"]
        return exits

    def map_graph(self, game: str) -> KnowledgeGraph:
        """One game's map alone, as a graph of its own: its places, their exits and what
        was seen there (for ``cairn graph export map.png --map SPEC``)."""
        places = [n for n, d in self.graph.nodes(data=True) if d.get("game") == game]
        things = {
            t for p in places for _, t, k in self.graph.out_edges(p, keys=True) if k == "seen"
        }
        return KnowledgeGraph(nx.MultiDiGraph(self.graph.subgraph([*places, *things])))

    def _count(
        self, source: str, target: str, relation: str, key: str | None = None, **attrs: Any
    ) -> None:
        key = key or relation
        if self.graph.has_edge(source, target, key):
            self.graph.edges[source, target, key]["count"] += 1
        else:
            self.graph.add_edge(source, target, key=key, relation=relation, count=1, **attrs)

    # --- queries the agent and people use ------------------------------------------------

    def preconditions(self, goal: str, min_confidence: float = 0.5) -> list[str]:
        """The actions necessary for ``goal``, in the order they are taken: a chain to follow."""
        key = node("goal", goal)
        if key not in self.graph:
            return []
        needed = []
        for action, _, data in self.graph.in_edges(key, data=True):
            relation = data.get("relation")
            if relation in (Relation.NECESSARY.value, Relation.MAY_BE_NECESSARY.value) and (
                data.get("confidence", 0) >= min_confidence
            ):
                needed.append((data.get("order") or 0.0, self.graph.nodes[action]["name"]))
        return [name for _, name in sorted(needed)]

    def uses(self, obj: str) -> list[dict[str, Any]]:
        """What an object has been used for: the actions on it and the goals they served."""
        key = node("object", obj)
        if key not in self.graph:
            return []
        found = []
        for action, _, _ in self.graph.in_edges(key, data=True):
            name = self.graph.nodes[action]["name"]
            goals = [
                {
                    "goal": self.graph.nodes[g]["name"],
                    **{k: d[k] for k in ("relation", "confidence")},
                }
                for _, g, d in self.graph.out_edges(action, data=True)
                if self.graph.nodes[g]["kind"] == "goal"
            ]
            found.append({"action": name, "goals": goals})
        return sorted(found, key=lambda f: str(f["action"]))

    def neighbours(self, kind: str, name: str) -> list[tuple[str, str, str]]:
        """(relation, direction, other node) for every edge of a node."""
        key = node(kind, name)
        if key not in self.graph:
            return []
        out = [(d["relation"], "->", t) for _, t, d in self.graph.out_edges(key, data=True)]
        into = [(d["relation"], "<-", s) for s, _, d in self.graph.in_edges(key, data=True)]
        return out + into

    # --- persistence ---------------------------------------------------------------------

    def node_link(self) -> dict[str, Any]:
        return dict(nx.node_link_data(self.graph, edges="edges"))

    def save(self, path: Path) -> None:
        """Write the graph beside the database (whole or not at all: a crash mid-write
        leaves the previous graph intact)."""
        text = json.dumps(self.node_link())
        write_atomically(path, text, place=f"to the cairn home's knowledge graph {path}")

    @classmethod
    def load(cls, path: Path) -> KnowledgeGraph:
        data = json.loads(path.read_text())
        return cls(nx.node_link_graph(data, directed=True, multigraph=True, edges="edges"))
