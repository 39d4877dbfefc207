"""The toy world: a real TextEnv with rooms, a closed door, a scored goal and a dead end."""

from __future__ import annotations

import pytest

from agent.environments import Environments, parse
from agent.environments.check import check_env
from agent.environments.toy import ToyWorld
from agent.errors import SpecError


@pytest.mark.parametrize("text", ["toy:maze@3,rooms=8", "toy:fetch@3", "toy:fetch@7,rooms=12"])
def test_the_toy_world_conforms_and_its_oracle_wins(text: str, tmp_path) -> None:
    with Environments(tmp_path) as environments:
        env = environments.open(parse(text))
    check_env(env, steps=10)
    env.reset()
    oracle = env.oracle_actions()
    assert oracle
    for action in oracle:
        _, _, terminated, _, info = env.step(action)
    assert info["won"] and info["score"] == 100 and terminated


def test_the_door_must_be_opened_and_a_wrong_focus_loses() -> None:
    env = ToyWorld(parse("toy:fetch@3"))
    env.reset()
    oracle = env.oracle_actions() or []
    door = oracle.index(next(a for a in oracle if a.startswith("open door")))
    for action in oracle[:door]:
        env.step(action)
    blocked, _, _, _, info = env.step(oracle[door + 1])  # through the closed door
    assert "closed" in blocked and oracle[door] in info["valid_actions"]
    before = info["location"]
    opened, *_ = env.step(oracle[door])
    assert opened == f"You open the door to the {oracle[door].split()[-1]}."
    *_, info = env.step(oracle[door + 1])
    assert info["location"] != before
    env.reset()
    for action in oracle[:-2]:
        env.step(action)
    _, _, _, _, info = env.step(oracle[-2])  # take the thing: half the score
    assert info["score"] == 50 and info["inventory"] == [oracle[-2].removeprefix("take ")]
    decoy = next(t for t in env.world.things if t != env.world.target)
    env.reset()
    for action in env.route(env.world.things[decoy]):
        env.step(action)
    _, _, terminated, _, info = env.step(f"focus on {decoy}")
    assert info["lost"] and terminated and info["score"] == 0 and info["valid_actions"] == []


def test_two_rooms_of_a_maze_look_alike_but_are_two_places() -> None:
    env = ToyWorld(parse("toy:maze@3,rooms=8"))
    _, info = env.reset()
    places = {info["location"]}
    for action in env.oracle_actions() or []:
        *_, info = env.step(action)
        places.add(info["location"])
    assert len(places) == len(env.oracle_actions() or [])  # every move reached a new room


def test_bad_toy_specs_are_one_line() -> None:
    with pytest.raises(SpecError, match="use one of maze, fetch"):
        parse("toy:castle")
    with pytest.raises(SpecError, match=r"use 2\.\.40"):
        parse("toy:maze@1,rooms=1")
    with pytest.raises(SpecError, match="use rooms"):
        parse("toy:maze,level=3")
