"""Exploring within one trial, with nothing recalled: the explorer's own bookkeeping."""

from __future__ import annotations

from itertools import pairwise

import pytest

from agent.acting.agent import Agent
from agent.acting.episode import Episode
from agent.acting.policy import Policy
from agent.environments import parse
from agent.environments.toy import ToyWorld
from agent.learning.scorers import policy_scorers

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
