"""Role bindings carry an action learned on one variation over to another."""

from __future__ import annotations

from agent.learning.roles import Template, bindings, rebind

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


NAIL = FOIL.replace("aluminum foil", "iron nail").replace("blue", "red").replace("orange", "pink")
NAIL = NAIL.replace("workshop", "kitchen")


def test_a_template_numbers_what_the_variations_change_and_one_phrase_is_one_role() -> None:
    template = Template.of([FOIL, CLIP, NAIL])
    assert template.text.count("{1}") == 3  # "aluminum foil" three times: one role
    assert template.values(FOIL) == {
        "{1}": "aluminum foil",
        "{2}": "workshop",
        "{3}": "blue",
        "{4}": "orange",
    }
    assert not Template.of([FOIL, FOIL])  # one description: nothing is known to change
    assert not Template.of([FOIL])


def test_a_text_lifted_from_one_variation_binds_to_another() -> None:
    template = Template.of([FOIL, CLIP])
    form = template.lift("move aluminum foil to orange box", FOIL)
    assert form == "move {1} to {3} box"
    assert template.bind(form, NAIL) == "move iron nail to pink box"
    assert template.bind(form, CLIP) == "move paper clip to blue box"
    # a description that does not say what a role is binds nothing
    assert template.bind(form, "Your task is to boil water.") is None
