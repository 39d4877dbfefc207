"""Turns and steps for the explorer's tests: a place, what was done, what is held."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from agent.acting.policy import Vote
from agent.acting.state import Turn
from memory.records import Situation, Step


def turn_in(place: str, valid: tuple[str, ...], **fields: object) -> Turn:
    """A turn at ``place`` with ``valid`` actions, nothing recalled unless given."""
    return Turn(observation="", valid_actions=valid, situation=Situation(place), **fields)  # type: ignore[arg-type]


def moved(
    index: int,
    action: str,
    place: str,
    state: str = "",
    answer: str = "",
    held: tuple[str, ...] = (),
) -> Step:
    """A step of the episode that left the player at ``place`` holding ``held``."""
    return Step(
        index,
        action,
        answer,
        0.0,
        0.0,
        False,
        False,
        False,
        location=place,
        state_key=state,
        inventory=held,
    )


def best(votes: Mapping[str, Vote]) -> str:
    return max(votes, key=lambda a: votes[a].value)


def in_kitchen_after(
    steps: tuple[Step, ...], valid: tuple[str, ...], task: str, had: tuple[str, ...]
) -> Turn:
    """A turn in the kitchen after ``steps`` (begun holding ``had``), holding and scoring
    what the last step left."""
    turn = turn_in("kitchen", valid, task=task, history=steps, start=Situation("kitchen", had))
    last = steps[-1]
    return replace(turn, situation=Situation("kitchen", last.inventory, last.score))
