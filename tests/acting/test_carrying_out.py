"""Carrying out an instruction about "it": when there is an "it", what holds it, where it
must go; and commands known from earlier trials."""

from __future__ import annotations

from agent.acting.instructions import Game, carried_out, carries_out, clauses
from agent.acting.reading import texts_remembered, with_text_read
from agent.acting.state import Turn
from agent.learning.recall import Recollection
from memory.archive import Archive, Cell, Outcome
from memory.knowledge import Exemplar, ExemplarStep
from memory.records import Situation, Step

FIND_LIVING = (
    "Your task is to find a(n) living thing. First, focus on the thing. Then, move it to "
    "the red box in the kitchen."
)


def test_moving_it_is_not_done_before_anything_is_it_and_no_room_is_read_as_a_recipe() -> None:
    """Going to the kitchen does not move "it" there before a thing was focused on, so the
    kitchen's description (answered by teleporting to where the player already was) is not
    taken for a text the task sent the player to read."""
    game = Game.of(("teleport to kitchen", "focus on orange"))  # the red box not seen yet
    assert carried_out(clauses(FIND_LIVING), ["teleport to kitchen"], game) == {}
    kitchen = "This room is called the kitchen.\nIn it, you see:\n\tthe agent\n\ta red box"
    assert with_text_read(FIND_LIVING, [("teleport to kitchen", kitchen)], game) == FIND_LIVING
    done = carried_out(
        clauses(FIND_LIVING), ["focus on orange", "move orange to red box"], Game.of(
            ("focus on orange", "move orange to red box", "teleport to kitchen")
        )
    )  # fmt: skip
    assert done == {1: "focus on orange", 2: "move orange to red box"}


def test_a_goal_sentence_is_met_by_the_action_that_carried_out_a_later_one_on_its_thing() -> None:
    """ "Find a(n) living thing" names no command: focusing on a living thing for "focus on
    the thing" (any focus: "thing" stands for what the task names) meets it too, so it
    stops pulling at every action on a living thing."""
    game = Game.of(("focus on living thing in flower pot 3", "look at living thing"))
    done = carried_out(clauses(FIND_LIVING), ["focus on living thing in flower pot 3"], game)
    assert done == {
        0: "focus on living thing in flower pot 3",
        1: "focus on living thing in flower pot 3",
    }


GREENHOUSE = """This room is called the greenhouse. In it, you see:
\ta flower pot 8 (containing a apple tree in the reproducing stage, soil)
\ta flower pot 9 (containing a pea plant in the adult stage, soil)"""


def test_what_holds_it_stands_for_it_and_it_must_go_where_the_instruction_says() -> None:
    """ "it" is the adult pea plant, which ScienceWorld shows only inside flower pot 9: taking
    the pot prepares moving it, taking flower pot 8 does not. In the kitchen, moving the
    pot to the red box carries the instruction out; moving the box into the pot, the pot
    to the kitchen from outside, or the flower on the plant does not."""
    move = clauses("First, focus on the thing. Then, move it to the red box in the kitchen.")[1]
    it = frozenset({"adult", "pea", "plant"})
    valid = ("pick up flower pot 9", "pick up flower pot 8", "pick up soil in flower pot 9")
    here = Game.of(valid, seen=GREENHOUSE, taking=frozenset({"pick up"}))
    assert carries_out("pick up flower pot 9", move, here, it) > 0
    assert carries_out("pick up flower pot 8", move, here, it) == 0
    held = ("flower pot 9 (containing a pea plant in the reproducing stage, soil)",)
    kitchen = (
        "move flower pot to red box",
        "move red box to flower pot",
        "move flower to red box",
        "move flower pot to kitchen",
    )
    there = Game.of(kitchen, held, releasing=frozenset({"move"}))
    scores = {action: carries_out(action, move, there, it) for action in kitchen}
    assert scores["move flower pot to red box"] > 0.9  # the kitchen is not named: 2 of 3
    assert scores["move red box to flower pot"] == scores["move flower to red box"] == 0
    assert scores["move flower pot to kitchen"] == 0


def test_moving_it_where_the_kitchen_is_not_named_is_carrying_it_out_in_full() -> None:
    """ "move living thing to red box" names two of "red box in the kitchen"'s three words,
    with the instruction's verb: that is all of it (1.2 * (1 + 2/3) / 2 is exactly 1, not
    0.999..., which left it to the way on)."""
    move = clauses("First, focus on the thing. Then, move it to the red box in the kitchen.")[1]
    it = frozenset({"living", "thing", "flower", "pot"})
    held = ("flower pot 3 (containing a bee, soil)",)
    there = Game.of(("move living thing to red box", "teleport to kitchen"), held)
    assert carries_out("move living thing to red box", move, there, it) == 1


def test_moving_it_elsewhere_is_not_carrying_it_out_before_moving_was_seen_to_leave_it() -> None:
    """Outside, holding the pot, with "move" never seen to leave a thing anywhere: "move
    flower to kitchen" names the kitchen, the one word of "the red box in the kitchen" seen
    here, but misses the red box."""
    move = clauses("First, focus on the thing. Then, move it to the red box in the kitchen.")[1]
    it = frozenset({"living", "thing", "flower", "pot"})
    outside = Game.of(("move flower to kitchen", "pick up flower pot 9", "teleport to kitchen"))
    assert carries_out("move flower to kitchen", move, outside, it) == 0


RECIPE = """Ingredients:
red bell pepper
water

Directions:
dice the red bell pepper
prepare meal

"""


def test_a_list_line_naming_a_command_tried_in_an_earlier_trial_is_a_step_not_a_thing() -> None:
    """In the supermarket "prepare meal" is not offered, but an earlier trial tried it in the
    kitchen: it is a direction to carry out, not a thing to gather before the rest."""
    held = ("red bell pepper", "water")
    read = Step(1, "examine cookbook", RECIPE, 0.0, 0.0, False, False, False, inventory=held)
    prepared = Outcome("prepare meal", "k0", "k0", "kitchen|red bell pepper|0", changed=False)
    cell = Cell("kitchen|red bell pepper|0", "kitchen", held[:1], 0.0, tried=(prepared,))
    archive = Archive("textworld", "cooking", "1", start="k0", trials=1, cells={cell.key: cell})
    task = "Let's cook a delicious meal. Check the cookbook in the kitchen for the recipe."

    def listed(recollection: Recollection) -> set[str]:
        turn = Turn(
            task=task,
            observation="",
            valid_actions=("go south", "take sugar from showcase", "drop water"),
            history=(read,),
            situation=Situation("supermarket", held),
            start=Situation("supermarket", held),
            recollection=recollection,
        )
        return {" ".join(sorted(words)) for words in turn.reading.listed}

    assert "meal prepare" in listed(Recollection())  # a line of a list naming no command
    assert "meal prepare" not in listed(Recollection(archive=archive))


def test_what_a_place_looks_like_and_a_question_are_no_texts_to_read() -> None:
    """ "look at outside" lists the outside's things a line each, and "mix substance in
    outside" gets ScienceWorld's numbered question: both changed nothing and both act on
    "the 'outside' location" the task names, but neither is a text it sent the player to
    read (the things and the choices were read as a list to gather and steps to take, and a
    won game was lost again). A cookbook's recipe still is."""
    outside = "This outside location is called the outside. Here you see:\n\tan axe\n\ta baby ant"
    question = "Ambiguous request: enter the number:\n0:\tmix water (in outside)\n1:\tmix air"
    recipe = "Recipe #1\nIngredients:\n\tred onion\nDirections:\n\tprepare meal"
    steps = tuple(
        ExemplarStep(action, answer, 0.0, 0.0, state_key="s", location="outside")
        for action, answer in (
            ("teleport to outside", "You teleport to the outside."),
            ("look at outside", outside),
            ("mix substance in outside", question),
            ("examine cookbook", recipe),
            ("wait", "You decide to wait."),
        )
    )
    game = Exemplar("scienceworld", "lifespan", "1", "spec", "", 0.0, False, steps)
    assert list(texts_remembered([game], "lifespan", "1")) == [("examine cookbook", recipe)]
