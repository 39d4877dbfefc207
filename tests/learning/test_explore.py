"""Exploring within one trial, with nothing recalled: the explorer's own bookkeeping."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import pytest

from agent.acting.agent import Agent
from agent.acting.episode import Episode
from agent.acting.policy import Policy
from agent.acting.state import Turn
from agent.environments import parse
from agent.environments.toy import ToyWorld
from agent.learning.explore import Explorer
from agent.learning.plans import Plan
from agent.learning.recall import Recollection
from agent.learning.scorers import policy_scorers
from memory.archive import Archive, Cell, Outcome
from memory.records import Step

ROOMS = 20


@pytest.mark.parametrize("seed", [1, 2, 3, 5])
def test_a_maze_is_covered_in_about_twice_as_many_steps_as_it_has_rooms(seed: int) -> None:
    """Every exit not yet taken before a way back, and the way back that undoes the move
    that led here is known without taking it: depth first, each corridor walked twice."""
    env = ToyWorld(parse(f"toy:maze@{seed},rooms={ROOMS}"))
    agent = Agent(Policy(policy_scorers(memory=False), seed=0))
    episode = Episode(env, agent, max_steps=3 * ROOMS)
    episode.reset()
    steps = list(episode.steps())
    assert steps[-1].won, f"not won in {len(steps)} steps"
    places = [s.location for s in steps]
    moves = sum(a != b for a, b in pairwise(places))
    assert moves <= 2 * ROOMS  # about each corridor there and back


def test_off_a_broken_way_the_irreversible_action_that_paid_is_still_taken() -> None:
    """The way to the best cell focused on the right thing; this episode left the way (a
    shortcut did not hold), but the focus is taken where it is offered, named either way."""
    task = "Your task is to find a(n) living thing. First, focus on the thing."
    plan = Plan(
        path=("open door to outside", "go to outside", "focus on adult beaver"),
        target="outside||75",
        commitments=("focus on adult beaver",),
    )
    valid = ("look around", "focus on adult adult beaver", "focus on door", "go to kitchen")
    off_the_way = (Step(1, "look around", "You are outside.", 0.0, 0.0, False, False, False),)
    turn = Turn(
        task=task,
        observation="You are outside.",
        valid_actions=valid,
        history=off_the_way,
        irreversible_actions=frozenset(a for a in valid if a.startswith("focus on")),
        recollection=Recollection(plan=plan),
    )
    votes = Explorer().score(turn)
    assert max(votes, key=lambda a: votes[a].value) == "focus on adult adult beaver"
    focused = (
        *off_the_way,
        Step(2, "focus on adult adult beaver", "", 0.0, 0.0, False, False, False),
    )
    again = Explorer().score(replace(turn, history=focused))
    assert "focus on adult adult beaver" not in again  # taken once: left to the dead-end guard


def test_a_thing_of_the_kind_the_goal_names_is_focused_on_when_seen_once_per_trial() -> None:
    task = (
        "Your task is to find a(n) plant. First, focus on the thing. Then, move it to the red box."
    )
    valid = ("look around", "focus on adult pea plant", "focus on red box", "focus on potato")
    turn = Turn(
        task=task,
        observation="You are in the greenhouse.",
        valid_actions=valid,
        irreversible_actions=frozenset(a for a in valid if a.startswith("focus on")),
    )
    votes = Explorer().score(turn)
    assert max(votes, key=lambda a: votes[a].value) == "focus on adult pea plant"
    assert "focus on red box" not in votes and "focus on potato" not in votes
    focused = (Step(1, "focus on adult pea plant", "", 25.0, 25.0, False, False, False),)
    more = (*valid, "focus on tree plant")
    irreversible = frozenset(a for a in more if a.startswith("focus on"))
    again = Explorer().score(
        replace(turn, history=focused, valid_actions=more, irreversible_actions=irreversible)
    )
    assert "focus on tree plant" not in again  # one thing of the kind per trial


def test_an_undo_learned_in_an_earlier_trial_is_not_taken_right_after_what_it_undoes() -> None:
    """An earlier trial locked the hatch right after unlocking it and was back where it
    began: after unlocking the door, locking it again is no way on."""
    unlocked = Outcome("unlock hatch with passkey", "s1", "s2", "shower||0", changed=True)
    locked = Outcome("lock hatch with passkey", "s2", "s1", "shower||0", changed=True)
    opened = Outcome("open chest", "s2", "s3", "shower||0", changed=True)
    cell = Cell("shower||0", "shower", (), 0.0, tried=(unlocked, locked, opened))
    archive = Archive(
        "textworld", "treasure_hunter", "1", start="s1", trials=1, cells={cell.key: cell}
    )
    valid = ("lock door with key", "open door")
    turn = Turn(
        task="Unlock the door, then open it.",
        observation="",
        valid_actions=valid,
        history=(Step(1, "unlock door with key", "", 0.0, 0.0, False, False, False),),
        recollection=Recollection(archive=archive),
    )
    votes = Explorer().score(turn)
    assert votes["lock door with key"].value < votes["open door"].value
