"""Role bindings carry an action learned on one variation over to another."""

from __future__ import annotations

from agent.learning.roles import bindings, rebind

FOIL = (
    "Your task is to determine if aluminum foil is electrically conductive. The aluminum foil "
    "is located around the workshop. First, focus on the aluminum foil. If it is electrically "
    "conductive, place it in the blue box. If it is electrically nonconductive, place it in "
    "the orange box."
)
CLIP = FOIL.replace("aluminum foil", "paper clip").replace("blue", "X").replace("orange", "blue")
CLIP = CLIP.replace("X", "green")


def test_the_differing_slots_of_two_descriptions_are_bound() -> None:
    pairs = dict(bindings(FOIL, CLIP))
    assert pairs == {"aluminum foil": "paper clip", "blue": "green", "orange": "blue"}


def test_rebinding_replaces_every_slot_at_once_on_word_boundaries() -> None:
    pairs = bindings(FOIL, CLIP)
    assert rebind("focus on aluminum foil", pairs) == "focus on paper clip"
    # blue -> green and orange -> blue swap rather than chain into green
    assert rebind("move aluminum foil to orange box", pairs) == "move paper clip to blue box"
    assert rebind("look at blueprint", pairs) == "look at blueprint"


def test_nothing_is_bound_between_unrelated_or_identical_descriptions() -> None:
    assert bindings(FOIL, FOIL) == ()
    assert bindings(FOIL, "Your task is to boil water.") == ()
    # a phrase the alignment binds to two different names is not trusted
    twice = "put the red ball in the red box"
    assert dict(bindings(twice, "put the blue ball in the green box")) == {}
