from __future__ import annotations

from dataclasses import replace

from agent.acting.instructions import Game, carried_out, clauses
from agent.acting.reading import InstructionScorer, with_text_read
from agent.acting.state import Turn, state_key
from agent.learning.recall import Recollection
from memory.knowledge import Exemplar, ExemplarStep
from memory.records import Situation, Step

CONDUCTIVITY = (
    "Your task is to determine if paper clip is electrically conductive. The paper clip is "
    "located around the workshop. First, focus on the paper clip. If it is electrically "
    "conductive, place it in the red box. If it is electrically nonconductive, place it in "
    "the green box."
)
WORKSHOP = (
    "teleport to workshop",
    "pick up paper clip",
    "disconnect paper clip",
    "focus on paper clip",
    "move paper clip to red box",
    "move paper clip to green box",
    "look around",
)


def step(index: int, action: str) -> Step:
    return Step(index, action, "", 0.0, 0.0, False, False, False)


def scores_after(task: str, valid: tuple[str, ...], *done: str) -> dict[str, float]:
    """The instruction scorer's votes once ``done`` were taken, one after another."""
    history = tuple(step(i, action) for i, action in enumerate(done, 1))
    turn = Turn(task=task, observation="", valid_actions=valid, history=history)
    return InstructionScorer().score(turn)


def turn(actions: list[str]) -> Turn:
    history = tuple(step(i, a) for i, a in enumerate(actions, 1))
    return Turn(task=CONDUCTIVITY, observation="", valid_actions=WORKSHOP, history=history)


def test_a_clause_that_names_a_command_is_carried_out_by_that_command_only() -> None:
    steps = clauses(CONDUCTIVITY)
    focus = next(i for i, clause in enumerate(steps) if "focus" in clause.words)
    game = Game.of(WORKSHOP)
    assert focus not in carried_out(steps, ["pick up paper clip"], game)
    assert focus in carried_out(steps, ["pick up paper clip", "focus on paper clip"], game)


def test_an_instruction_passed_over_is_carried_out_by_a_later_action() -> None:
    steps = clauses(CONDUCTIVITY)
    done = carried_out(steps, ["teleport to workshop", "pick up paper clip"], Game.of(WORKSHOP))
    assert 0 in done  # "determine if paper clip is ...": the goal sentence, met after the place


def test_placing_it_asks_for_the_thing_the_instruction_before_named() -> None:
    steps = clauses(CONDUCTIVITY)
    red = next(i for i, clause in enumerate(steps) if "red" in clause.words)
    game = Game.of(WORKSHOP)
    assert red not in carried_out(steps, ["look in red box"], game)
    assert red in carried_out(steps, ["move paper clip to red box"], game)


def test_after_the_focus_the_instructions_point_at_the_boxes() -> None:
    scores = InstructionScorer().score(
        turn(
            ["teleport to workshop", "pick up paper clip", "look in red box", "focus on paper clip"]
        )
    )
    best = max(scores, key=scores.__getitem__)
    assert best == "move paper clip to red box"
    assert scores["disconnect paper clip"] < scores[best]  # only prepares it
    assert "look in red box" not in scores  # not about the paper clip


def test_it_is_what_the_action_that_carried_out_a_generic_instruction_acted_on() -> None:
    """ "Focus on the thing" names nothing of the game: any focus carries it out, and "move
    it to the red box" is then about what was focused on."""
    task = (
        "Your task is to find a(n) living thing. First, focus on the thing. Then, move it "
        "to the red box in the kitchen."
    )
    valid = (
        "focus on baby beaver",
        "pick up baby beaver",
        "move baby beaver to red box",
        "move baby beaver to kitchen",
        "move red box to kitchen",
        "look in red box",
    )
    history = (step(1, "focus on baby beaver"),)
    scores = InstructionScorer().score(
        Turn(task=task, observation="", valid_actions=valid, history=history)
    )
    assert max(scores, key=scores.__getitem__) == "move baby beaver to red box"
    assert scores["pick up baby beaver"] > scores.get("move red box to kitchen", 0.0)
    assert "look in red box" not in scores
    moved = (*history, step(2, "move baby beaver to kitchen"))  # the kitchen, not the box
    assert 2 not in carried_out(clauses(task), [a.action for a in moved], Game.of(valid))


def test_the_instruction_after_the_last_one_carried_out_comes_before_one_passed_over() -> None:
    """ "Find a living thing" is met by nothing in the kitchen; it does not take the weight
    from "move it to the red box", the next instruction after the focus."""
    task = (
        "Your task is to find a(n) living thing. First, focus on the thing. Then, move it "
        "to the red box in the kitchen."
    )
    valid = ("move baby beaver to red box", "go to living room", "look around")
    history = (step(1, "focus on baby beaver"),)
    turn = Turn(task=task, observation="", valid_actions=valid, history=history)
    scores = InstructionScorer().score(turn)
    assert scores["move baby beaver to red box"] > scores["go to living room"]


COOKING = (
    "You are hungry! Let's cook a delicious meal. Check the cookbook in the kitchen for the "
    "recipe. Once done, enjoy your meal!"
)
RECIPE = """You open the copy of "Cooking: A Modern Approach (3rd Ed.)" and start reading:

Recipe #1
Gather all following ingredients and follow the directions to prepare this tasty meal.

Ingredients:
peanut oil
  red onion

Directions:
chop the red onion
  prepare meal"""


def test_the_text_the_task_sends_the_player_to_read_gives_instructions_too() -> None:
    """ "Check the cookbook" is done by examining it ("cookbook" does not name "cook"); the
    recipe it shows lists what to take and do next."""
    valid = ("take red onion from fridge", "take pork chop from fridge", "examine cookbook")
    read = Step(1, "examine cookbook", RECIPE, 0.0, 0.0, False, False, False)
    before = InstructionScorer().score(Turn(task=COOKING, observation="", valid_actions=valid))
    after = InstructionScorer().score(
        Turn(task=COOKING, observation=RECIPE, valid_actions=valid, history=(read,))
    )
    assert "take red onion from fridge" not in before
    assert after["take red onion from fridge"] > after.get("take pork chop from fridge", 0.0)
    assert "examine cookbook" not in after  # the instruction to read it was carried out


def test_directions_are_followed_in_the_order_given() -> None:
    """ "go north" carries out the first "take a trip north", not the later "go north": the
    next instruction is then "venture east"."""
    task = (
        "First step, take a trip north. Then, venture east. After that, go to the south. "
        "And then, go north."
    )
    scores = scores_after(task, ("go north", "go east", "go south", "look"), "go north")
    assert max(scores, key=scores.__getitem__) == "go east"


# --- reading as a person reads: lists, things seen done, actions that did nothing --------

KITCHEN = (
    "prepare meal",
    "eat meal",
    "drop peanut oil",
    "drop olive oil",
    "take red onion from fridge",
    "cook red onion with oven",
    "examine cookbook",
)
FRIDGE = "The fridge contains a chopped roasted red onion and a raw pork chop."


def kitchen_turn(history: tuple[Step, ...], held: tuple[str, ...], **changes: object) -> Turn:
    """In the kitchen holding ``held``: the state is what the engine's view makes it."""
    turn = Turn(
        task=COOKING,
        observation=history[-1].observation if history else FRIDGE,
        valid_actions=KITCHEN,
        history=history,
        initial_observation=FRIDGE,
        situation=Situation("kitchen", held),
        start=Situation("kitchen", ("olive oil", "peanut oil")),
    )
    return replace(turn, **changes)  # type: ignore[arg-type]


def acted(
    index: int,
    action: str,
    answer: str,
    before: tuple[str, ...],
    held: tuple[str, ...],
    valid: tuple[str, ...] = KITCHEN,
) -> Step:
    """``action`` taken in the kitchen holding ``before`` (``valid`` offered), leaving ``held``."""
    state = state_key(valid, Situation("kitchen", before))
    return Step(
        index, action, answer, 0.0, 0.0, False, False, False, state_key=state, inventory=held
    )


def test_a_list_is_done_while_held_and_directions_seen_done_are_done() -> None:
    """Peanut oil is held (the list's first item is done, and dropping olive oil does nothing
    for it); the fridge shows "a chopped roasted red onion" (chop and roast are done): what
    is left is taking the onion and preparing the meal."""
    held = ("olive oil", "peanut oil")
    read = (acted(1, "examine cookbook", RECIPE, held, held),)
    scores = InstructionScorer().score(kitchen_turn(read, held))
    assert "take red onion from fridge" in scores
    assert "drop peanut oil" not in scores and "drop olive oil" not in scores
    directions = carried_out(clauses(COOKING), [], Game.of(KITCHEN))
    assert not directions  # nothing carried out: "chop" and "roast" are settled, not done
    assert scores.get("cook red onion with oven", 0.0) <= scores["take red onion from fridge"]


def test_an_action_that_did_nothing_carries_nothing_out_and_its_instruction_waits() -> None:
    """ "prepare meal" answered "You still miss something" (same state, same score): it waits
    behind taking the onion; with the onion held it comes first again."""
    held = ("olive oil", "peanut oil")
    history = (
        acted(1, "examine cookbook", RECIPE, held, held),
        acted(2, "prepare meal", "You still miss something.", held, held),
    )
    scores = InstructionScorer().score(kitchen_turn(history, held))
    assert max(scores, key=scores.__getitem__) == "take red onion from fridge"
    assert scores.get("prepare meal", 0.0) < scores["take red onion from fridge"]
    onion = (*held, "red onion")
    took = (*history, acted(3, "take red onion from fridge", "You take it.", held, onion))
    again = InstructionScorer().score(kitchen_turn(took, onion))
    assert max(again, key=again.__getitem__) == "prepare meal"


def test_the_text_read_stands_where_the_sentence_that_sent_the_player_to_it_stood() -> None:
    """ "Once done, enjoy your meal!" comes after the recipe's "prepare meal": once the
    meal is prepared, eating it is next."""
    held = ("olive oil", "peanut oil", "red onion")
    history = (
        acted(1, "examine cookbook", RECIPE, held, held),
        acted(2, "prepare meal", "Adding the meal to your inventory.", held, ("meal",)),
    )
    after = ("eat meal", "drop meal", "examine cookbook")  # no meal to prepare any more
    scores = InstructionScorer().score(kitchen_turn(history, ("meal",), valid_actions=after))
    assert max(scores, key=scores.__getitem__) == "eat meal"


def test_a_recipe_read_in_an_earlier_trial_of_the_game_is_known_from_the_start() -> None:
    steps = (
        ExemplarStep("examine cookbook", RECIPE, 0.0, 0.0, state_key="s1"),
        ExemplarStep("take red onion from fridge", "You take it.", 1.0, 33.0, state_key="s1"),
    )
    earlier = Exemplar(
        "textworld", "cooking", "3", "textworld:cooking@3", COOKING, 33.0, False, steps
    )
    recalled = Recollection(env="textworld", task="cooking", variation="3", exemplars=(earlier,))
    fresh = kitchen_turn((), ("olive oil", "peanut oil"))
    assert fresh.reading.listed == ()
    remembered = replace(fresh, recollection=recalled).reading
    assert set(remembered.listed) == {frozenset({"peanut", "oil"}), frozenset({"red", "onion"})}
    other = Recollection(env="textworld", task="cooking", variation="4", exemplars=(earlier,))
    assert replace(fresh, recollection=other).reading.listed == ()  # another game's recipe


def test_a_trip_east_is_taken_by_going_east_and_the_tool_is_not_asked_for() -> None:
    """ "take a trip east" names the command "take", which cannot act on "east"; "unlock the
    chest" is carried out by "unlock chest with latchkey"."""
    task = "First, take a trip east. Then, unlock the chest. After that, take a trip west."
    valid = ("go east", "go west", "take latchkey", "unlock chest with latchkey", "look")
    history = (step(1, "go east"), step(2, "unlock chest with latchkey"))
    steps = clauses(task)
    done = carried_out(steps, [s.action for s in history], Game.of(valid))
    assert set(done) == {0, 1}
    scores = InstructionScorer().score(
        Turn(task=task, observation="", valid_actions=valid, history=history)
    )
    assert max(scores, key=scores.__getitem__) == "go west"


def test_a_condition_is_no_instruction_and_a_clause_after_a_comma_is_its_own() -> None:
    """ "After opening the hatch, go to the west": opening the hatch is one instruction and
    going west another; "if you can manage that" asks for nothing."""
    task = (
        "First, unlock the hatch. After opening the hatch, go to the west. "
        "If you can manage that, take the key."
    )
    steps = clauses(task)
    assert [sorted(c.words) for c in steps] == [
        ["hatch", "unlock"],
        ["hatch", "opening"],
        ["go", "west"],
        ["key", "take"],
    ]


def test_an_action_carries_out_the_instruction_naming_its_thing_before_a_generic_one() -> None:
    """ "Ensure that the portal is open" names no thing of this room yet (the portal is
    elsewhere): "open hatch" carries out "open the hatch", not that one."""
    task = "Open the hatch. Then, ensure that the portal within the sauna is open. Go west."
    valid = ("open hatch", "go west", "close hatch")
    done = carried_out(clauses(task), ["open hatch"], Game.of(valid))
    assert done == {0: "open hatch"}


def test_directions_wait_for_the_list_before_them_and_leaving_a_thing_is_not_doing_it() -> None:
    """The recipe lists milk, which is not held: "prepare meal" waits (it would only fail);
    "fry the egg" is not carried out by dropping the egg (dropping was seen to leave a thing
    behind)."""
    recipe = """Recipe #1
Gather all following ingredients.

Ingredients:
egg
  milk

Directions:
fry the egg
  prepare meal"""
    held = ("egg",)
    valid = ("prepare meal", "drop egg", "take milk from fridge", "cook egg with stove")
    dropped = acted(1, "drop cup", "You drop the cup.", (*held, "cup"), held, valid)
    read = acted(2, "examine cookbook", recipe, held, held, valid)
    turn = kitchen_turn((dropped, read), held, valid_actions=valid)
    scores = InstructionScorer().score(turn)
    assert max(scores, key=scores.__getitem__) == "take milk from fridge"
    assert "prepare meal" in turn.reading.deferred
    assert "drop egg" not in scores  # the game taught that "drop" leaves things behind


def test_taking_it_is_about_the_thing_the_task_named_even_before_it_is_seen() -> None:
    """ "find the silver coin, take it": taking the blue key on the way does not take "it",
    neither before the coin is in sight nor after."""
    steps = clauses("Your task is to find the silver coin, take it, and then focus on it.")
    unseen = Game.of(("take blue key", "go east"))
    seen = Game.of(("take blue key", "take silver coin", "focus on silver coin"))
    assert carried_out(steps, ["take blue key"], unseen) == {}
    assert carried_out(steps, ["take blue key"], seen) == {}
    taken = carried_out(steps, ["take blue key", "take silver coin"], seen)
    assert list(taken.values()) == ["take silver coin"]


def test_it_in_it_would_be_great_stands_for_nothing() -> None:
    """ "First, it would be great if you could go north": the "it" is no thing, so going
    north carries the sentence out (and not the later "take a trip north")."""
    task = (
        "You are now playing a round of TextWorld! "
        "First, it would be great if you could make an attempt to go north. Following that, "
        "take a trip west. Then, take a trip north."
    )
    game = Game.of(("go north", "go west", "go south"))
    assert carried_out(clauses(task), ["go north"], game) == {1: "go north"}


def test_a_reminder_of_what_was_done_is_no_instruction() -> None:
    """ "After stealing the lettuce, attempt to move north": the game has no "steal", so
    once the lettuce is taken the next thing to do is to go north, not to do something else
    to the lettuce (eat it). "After opening the hatch" asks to open it (the game opens)."""
    task = (
        "Pick-up the lettuce from the floor of the garden. After stealing the lettuce, "
        "attempt to move north. Then, sit the lettuce on the stove."
    )
    valid = ("go north", "eat lettuce", "drop lettuce", "examine lettuce")
    scores = scores_after(task, valid, "take lettuce")
    assert max(scores, key=scores.__getitem__) == "go north"
    assert scores["go north"] > scores["eat lettuce"]  # eating waits for "sit the lettuce"


def test_a_thing_a_list_names_is_to_be_gathered_before_it_is_seen() -> None:
    """The recipe lists a yellow onion that no action offers yet: it is still a thing to
    gather, so "prepare meal" waits; "chop the yellow onion" under "Directions:" is a step
    about it, and the task's sentence after the recipe is no line of the list."""
    recipe = """Recipe #1

Ingredients:
egg
  yellow onion

Directions:
chop the yellow onion
  prepare meal"""
    task = with_text_read(
        "Check the cookbook. Once done, enjoy your meal!",
        [("examine cookbook", recipe)],
        Game.of(("examine cookbook",)),
    )
    steps = {" ".join(sorted(c.words)): c.item for c in clauses(task)}
    assert steps["onion yellow"] and steps["egg"]
    assert not steps["chop onion yellow"] and not steps["enjoy meal"]
    held = ("egg",)
    valid = ("prepare meal", "go north", "cook egg with stove")
    read = acted(1, "examine cookbook", recipe, held, held, valid)
    turn = kitchen_turn((read,), held, valid_actions=valid, start=Situation("kitchen", held))
    assert "prepare meal" in turn.reading.deferred
