"""Exploring towards what the task says to do with "it": take it whole, in what holds it,
and fetch it from where it was left."""

from __future__ import annotations

from dataclasses import replace

from agent.acting.policy import Vote
from agent.acting.state import Turn
from agent.learning.explore import GAMBLE, Explorer
from agent.learning.plans import Plan
from agent.learning.recall import Recollection
from memory.records import Situation, Step
from tests.support.turns import best, moved, turn_in

GREENHOUSE = """This room is called the greenhouse. In it, you see:
\ta flower pot 8 (containing a apple tree in the reproducing stage, soil)
\ta flower pot 9 (containing a pea plant in the adult stage, soil)"""


def focused(on: str) -> tuple[Step, Step]:
    """A jug picked up in the greenhouse, then ``on`` focused on there (the score rose)."""
    took = moved(1, "pick up jug", "greenhouse", held=("jug",))
    return took, replace(moved(2, f"focus on {on}", "greenhouse", held=("jug",)), score=75.0)


def holding_the_jug(place: str, valid: tuple[str, ...], **fields: object) -> Turn:
    """A turn at ``place`` after the focus, begun in the greenhouse, holding the jug."""
    turn = turn_in(place, valid, start=Situation("greenhouse"), **fields)
    return replace(turn, situation=Situation(place, ("jug",), 75.0))


def test_before_moving_it_elsewhere_it_is_taken_in_what_holds_it() -> None:
    """Focused on the pea plant, with "move it to the red box in the kitchen" to do: the
    pot that holds it is taken ("pick up" was seen to take things), not the plant out of
    its pot, before any way on; and the plan's next focus is not gambled on any more."""
    task = (
        "Find a(n) plant. First, focus on the thing. Then, move it to the red box in the kitchen."
    )
    valid = (
        "pick up flower pot 9",
        "pick up living thing in flower pot 9",
        "pick up flower pot 8",
        "go to outside",
        "focus on potato",
    )
    turn = holding_the_jug(
        "greenhouse",
        valid,
        task=task,
        history=focused("adult pea plant"),
        view=GREENHOUSE,
        irreversible_actions=frozenset({"focus on potato"}),
        recollection=Recollection(plan=Plan(gamble="focus on potato")),
    )
    votes = Explorer().score(turn)
    assert best(votes) == "pick up flower pot 9"
    assert votes.get("focus on potato", Vote(0.0)).value < GAMBLE


LIVING_THING = (
    "Find a(n) living thing. First, focus on the thing. Then, move it to the red box in the "
    "kitchen."
)
POTS = """This room is called the greenhouse. In it, you see:
\ta flower pot 3 (containing a bee, soil)
\ta flower pot 6 (containing a pea plant in the seed stage, soil)"""


def test_it_is_taken_in_the_pot_named_when_it_was_focused_on() -> None:
    """ "focus on living thing in flower pot 3": flower pot 3 holds it, not flower pot 6 nor
    the metal pot, though all are pots (and the bee is seen only as "a bee" in the view)."""
    valid = ("pick up flower pot 6", "pick up metal pot", "pick up flower pot 3", "go to kitchen")
    history = focused("living thing in flower pot 3")
    turn = holding_the_jug("greenhouse", valid, task=LIVING_THING, history=history, view=POTS)
    votes = Explorer().score(turn)
    assert best(votes) == "pick up flower pot 3"
    assert max(votes["pick up metal pot"].value, votes["pick up flower pot 6"].value) < (
        votes["pick up flower pot 3"].value
    )


def test_it_is_fetched_from_where_it_was_left_before_it_is_moved() -> None:
    """Focused on in the greenhouse, then the kitchen reached empty-handed: the way back
    to the greenhouse, to take it, comes before the kitchen's own untried actions."""
    walked = replace(moved(3, "teleport to kitchen", "kitchen", held=("jug",)), score=75.0)
    valid = ("teleport to greenhouse", "pick up metal pot", "open fridge", "look at red box")
    history = (*focused("living thing in flower pot 3"), walked)
    turn = holding_the_jug("kitchen", valid, task=LIVING_THING, history=history)
    assert best(Explorer().score(turn)) == "teleport to greenhouse"
