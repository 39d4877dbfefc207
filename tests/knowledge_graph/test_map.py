"""A game's map, read off its archive: exits, a closed door, what was seen where."""

from __future__ import annotations

from agent.environments import parse
from agent.environments.toy import ToyWorld
from knowledge_graph.graph import KnowledgeGraph
from knowledge_graph.map import GameMap
from memory.archive import Archive
from reflection.archiving import fold_trial
from tests.support.play import play


def archive_of(spec: str, *ways: list[str]) -> tuple[ToyWorld, Archive]:
    env = ToyWorld(parse(spec))
    archive = Archive("toy", env.spec.task, env.variation)
    for trial, way in enumerate(ways, 1):
        start, steps = play(env, way)
        archive, _ = fold_trial(archive, start, steps, trial_id=trial)
    return env, archive


def test_the_map_has_the_exits_taken_the_door_found_closed_and_what_was_seen() -> None:
    env = ToyWorld(parse("toy:fetch@3"))
    oracle = env.oracle_actions() or []
    door = next(i for i, a in enumerate(oracle) if a.startswith("open door"))
    blocked = [*oracle[:door], oracle[door + 1]]  # walks into the closed door first
    env, archive = archive_of("toy:fetch@3", blocked, oracle)
    game_map = GameMap.of(archive)
    assert game_map.game == "toy/fetch/3" and game_map.start == env.world.start
    room = env.world.start
    for action in oracle:  # every exit the oracle took is on the map, where it led
        if action.startswith("go "):
            nxt = env.world.exits[room][action.removeprefix("go ")]
            assert game_map.exits[room][action] == nxt
            room = nxt
    behind = env.world.closed
    assert behind is not None and f"go {behind[1]}" in game_map.closed[behind[0]]
    target_room = env.world.things[env.world.target]
    assert env.world.target in game_map.seen[target_room]
    assert game_map.path(env.world.start, target_room) == [a for a in oracle if a.startswith("go ")]
    assert any(line.startswith(f"{env.world.start}: go ") for line in game_map.facts())
    assert all(not a.startswith("open") for moves in game_map.untaken.values() for a in moves)


def test_maps_are_kept_per_game() -> None:
    first = archive_of("toy:fetch@3", ToyWorld(parse("toy:fetch@3")).oracle_actions() or [])[1]
    second = archive_of("toy:fetch@4", ToyWorld(parse("toy:fetch@4")).oracle_actions() or [])[1]
    graph = KnowledgeGraph.build([], [], [first, second])
    places = [d for _, d in graph.graph.nodes(data=True) if d.get("kind") == "place"]
    assert {d["game"] for d in places} == {"toy/fetch/3", "toy/fetch/4"}
    assert graph.map_of("toy/fetch/3") == GameMap.of(first).exits
    graph.add_map(GameMap.of(first))  # the same game again: replaced, not doubled
    assert len([d for _, d in graph.graph.nodes(data=True) if d.get("kind") == "place"]) == len(
        places
    )
