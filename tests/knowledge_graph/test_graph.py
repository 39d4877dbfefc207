"""The knowledge graph: built from memory records, queried, saved and loaded exactly."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from knowledge_graph.entities import location_of, objects_of
from knowledge_graph.graph import KnowledgeGraph
from memory.knowledge import Exemplar, ExemplarStep, Insight, Relation, Scope, Status, Where

TASK = Where(Scope.TASK, "scienceworld", "boil")
GOAL = "the boil task"


def insight(subject: str, relation: Relation, order: float | None, id: int) -> Insight:
    return Insight(subject, relation, GOAL, TASK, 3, 1, id=id, order=order)


def walk(*actions: tuple[str, str, bool]) -> Exemplar:
    steps = tuple(
        ExemplarStep(a, o, 0.0, 0.0, useful=u, location="kitchen" if "kitchen" in a else "")
        for a, o, u in actions
    )
    return Exemplar(
        "scienceworld", "boil", "0", "scienceworld:boil@0", "boil water", 50, False, steps
    )


GRAPH = KnowledgeGraph.build(
    [
        insight("activate stove", Relation.NECESSARY, 0.9, 1),
        insight("go to kitchen", Relation.NECESSARY, 0.2, 2),
        insight("pick up metal pot", Relation.MAY_BE_NECESSARY, 0.5, 3),
        insight("eat orange", Relation.DOES_NOT_CONTRIBUTE, None, 4),
    ],
    [
        walk(
            ("look around", "This room is called the hallway.", False),
            ("go to kitchen", "You move to the kitchen.", True),
            ("pick up metal pot", "You move the metal pot to the inventory.", True),
            ("move metal pot to stove", "You move the metal pot to the stove.", True),
        )
    ],
)


def test_preconditions_come_in_the_order_they_are_taken() -> None:
    assert GRAPH.preconditions(GOAL) == ["go to kitchen", "pick up metal pot", "activate stove"]
    assert GRAPH.preconditions("no such goal") == []


def test_objects_know_what_they_were_used_for() -> None:
    uses = {u["action"] for u in GRAPH.uses("metal pot")}
    assert uses == {"pick up metal pot", "move metal pot to stove"}
    (pick,) = [u for u in GRAPH.uses("metal pot") if u["action"] == "pick up metal pot"]
    assert pick["goals"][0]["relation"] == Relation.MAY_BE_NECESSARY.value


def test_trajectories_give_where_actions_were_taken_and_their_order() -> None:
    assert ("at", "->", "location:kitchen") in GRAPH.neighbours("action", "go to kitchen")
    assert ("precedes", "->", "action:pick up metal pot") in GRAPH.neighbours(
        "action", "go to kitchen"
    )


def test_a_superseded_insight_leaves_the_graph() -> None:
    graph = KnowledgeGraph.build([insight("go to kitchen", Relation.NECESSARY, 0.2, 2)], [])
    assert graph.preconditions(GOAL) == ["go to kitchen"]
    old = Insight(
        "go to kitchen", Relation.NECESSARY, GOAL, TASK, 3, 1, id=2, status=Status.SUPERSEDED
    )
    graph.add_insight(old)
    assert graph.preconditions(GOAL) == []


def test_node_link_json_round_trip_is_exact(tmp_path: Path) -> None:
    GRAPH.save(tmp_path / "graph.json")
    loaded = KnowledgeGraph.load(tmp_path / "graph.json")
    assert nx.utils.graphs_equal(GRAPH.graph, loaded.graph)
    assert loaded.preconditions(GOAL) == GRAPH.preconditions(GOAL)


def test_entities_are_read_from_text() -> None:
    assert location_of("This room is called the kitchen. In it, you see:") == "kitchen"
    assert location_of("-= Living Room =-\nA room.") == "living room"
    assert location_of("You pick up the key.") is None
    assert objects_of("move metal pot to stove") == ("metal pot", "stove")
    assert objects_of("pick up the red box") == ("red box",)
    assert objects_of("look around") == ()
    # what a command takes is named after "using", one per comma, without its count
    craft = "craft 1 bookshelf using 6 oak planks, 3 book"
    assert objects_of(craft) == ("bookshelf", "oak planks", "book")
    assert objects_of("move flower pot 9 to red box") == ("flower pot 9", "red box")
