"""Exploring within one trial, with nothing recalled: the explorer's own bookkeeping."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import pytest

from agent.acting.agent import Agent
from agent.acting.episode import Episode
from agent.acting.policy import Policy
from agent.acting.reading import instructed
from agent.acting.state import Turn
from agent.environments import parse
from agent.environments.toy import ToyWorld
from agent.learning.experience import PROMISING, Experience, Knowledge
from agent.learning.explore import GAMBLE, Explorer
from agent.learning.plans import Plan
from agent.learning.recall import Recollection
from agent.learning.scorers import policy_scorers
from memory.archive import Archive, Cell, Outcome
from memory.records import Situation, Step
from tests.support.turns import best, in_kitchen_after, moved, turn_in

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
        Step(2, "focus on adult adult beaver", "", 50.0, 75.0, False, False, False),
    )
    again = Explorer().score(replace(turn, history=focused))
    assert "focus on adult adult beaver" not in again  # taken once: left to the dead-end guard
    refused = Step(
        2,
        "focus on adult adult beaver",
        "No known action matches that input.",
        0,
        0,
        False,
        False,
        False,
    )
    # the game answers "eat beaver" alike: the answer says nothing was done
    eat = replace(refused, index=1, action="eat beaver")
    ignored = (eat, replace(refused, state_key="before the door was opened"))
    retry = Explorer().score(replace(turn, history=ignored))
    assert retry["focus on adult adult beaver"].value == GAMBLE  # the game took no notice


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


def test_what_the_score_rose_for_is_kept() -> None:
    """The onion was taken and the score rose; dropping things was seen to leave them
    behind: dropping the onion is held back, dropping the olive oil is not."""
    history = (
        Step(1, "drop cup", "", 0.0, 0.0, False, False, False, inventory=("olive oil",)),
        Step(
            2,
            "take red onion",
            "",
            1.0,
            33.0,
            False,
            False,
            False,
            inventory=("olive oil", "red onion"),
        ),
    )
    valid = ("drop red onion", "drop olive oil")
    turn = in_kitchen_after(history, valid, "Cook a meal.", ("cup", "olive oil"))
    votes = Explorer().score(turn)
    assert votes["drop red onion"].value < votes["drop olive oil"].value


def test_what_the_task_names_is_not_kept_from_its_use() -> None:
    """The meal scored when it was prepared, like the onion when it was taken; but the task
    names the meal ("enjoy your meal"): eating it is not held back as leaving it behind."""
    history = (
        Step(1, "eat apple", "", 0.0, 0.0, False, False, False, inventory=("red onion",)),
        Step(2, "prepare meal", "", 1.0, 67.0, False, False, False, inventory=("meal",)),
    )
    task = "Let's cook a delicious meal. Once done, enjoy your meal!"
    turn = in_kitchen_after(history, ("eat meal", "look"), task, ("apple", "red onion"))
    assert best(Explorer().score(turn)) == "eat meal"


def test_once_a_command_with_no_warning_lost_the_game_untried_ones_wait() -> None:
    """ "eat peanut oil" lost this game, and the engine had not flagged it: an untried
    command ("cook X") falls below what is worth a try, a known one on a new thing does not."""
    ate = Outcome("eat peanut oil", "s0", "s0#end", "den||0", changed=True, fatal=True)
    took = Outcome("take cup", "s0", "s1", "den|cup|0", changed=True)
    cell = Cell("den||0", "den", (), 0.0, tried=(ate, took))
    archive = Archive("textworld", "cooking", "1", start="s0", trials=1, cells={cell.key: cell})
    known = Knowledge(Experience.of_archive(archive), Experience())
    assert known.surprised
    assert (
        known.novelty("den", "cook egg with stove") < PROMISING <= known.novelty("den", "take egg")
    )
    focus = Cell(
        "den||0",
        "den",
        (),
        0.0,
        tried=(replace(ate, action="focus on egg"),),
        risks=("focus on egg",),
    )
    warned = Archive("scienceworld", "melt", "1", start="s0", trials=1, cells={focus.key: focus})
    assert not Knowledge(Experience.of_archive(warned), Experience()).surprised


def test_a_way_that_led_nowhere_leads_somewhere_new_once_the_door_is_open() -> None:
    """ "go east" was tried when the door was closed (nothing happened); the door is open
    now (another state): it is a new way again, before anything else here."""
    valid = ("go east", "go west", "look", "open door to east")
    before = moved(1, "go west", "hall")
    tried = moved(2, "go east", "den", state="closed", answer="The door is closed.")
    opened = moved(3, "open door to east", "den", state="closed")
    turn = turn_in(
        "den", valid, task="Find the cup.", history=(before, tried, opened), start=Situation("den")
    )
    assert best(Explorer().score(turn)) == "go east"


def test_the_explorer_yields_to_an_instruction_that_says_what_to_do_and_goes_where_it_says() -> (
    None
):
    task = "First, pick up the lamp. Then, put it in the box in the attic."
    here = turn_in("hall", ("pick up lamp", "look", "open drawer", "go north"), task=task)
    votes = Explorer().score(here)
    assert votes["open drawer"].value < 0.5 < votes["pick up lamp"].value  # curiosity yields
    walked = moved(1, "go north", "attic")
    looked = moved(2, "look in box", "attic")
    back = moved(3, "go south", "hall")
    took = moved(4, "pick up lamp", "hall", held=("lamp",))
    holding = turn_in(
        "hall",
        ("go north", "go east", "look", "drop lamp"),
        task=task,
        history=(walked, looked, back, took),
        start=Situation("hall"),
    )
    holding = replace(holding, situation=Situation("hall", ("lamp",)))
    assert best(Explorer().score(holding)) == "go north"  # to the attic the instruction names


def test_a_listed_thing_seen_nowhere_is_looked_for_in_places_not_seen_yet() -> None:
    """The list asks for saffron, which no place seen so far offers: the way to the hall,
    which has a way on nobody took, comes before the kitchen's own untried actions."""
    task = "Gather all following ingredients:\nsaffron\n\nThen prepare meal."
    north = replace(moved(1, "go north", "hall", state="h"), choices=("go south", "go east"))
    back = replace(moved(2, "go south", "kitchen", state="k"), choices=("go north", "open fridge"))
    valid = ("go north", "open fridge", "take knife from counter", "look")
    turn = turn_in("kitchen", valid, task=task, history=(north, back), start=Situation("kitchen"))
    assert best(Explorer().score(turn)) == "go north"


def test_an_action_refused_twice_is_not_news_in_a_new_state() -> None:
    """ "look at ice cream" was refused twice, in two states (the world moved on between),
    with the answer "eat ice cream" got too: a third state does not make it worth a try
    again, as it would an action that did something."""
    refused = "No known action matches that input."
    history = (
        moved(1, "eat ice cream", "kitchen", state="a", answer=refused),
        moved(2, "look at ice cream", "kitchen", state="a", answer=refused),
        moved(3, "activate stove", "kitchen", state="a", answer="The stove is now on."),
        moved(4, "look at ice cream", "kitchen", state="b", answer=refused),
        moved(5, "activate sink", "kitchen", state="b", answer="The sink is now on."),
    )
    valid = ("look at ice cream", "activate stove", "open freezer")
    start = Situation("kitchen")
    turn = turn_in("kitchen", valid, task="Melt ice cream.", history=history, start=start)
    votes = Explorer().score(turn)
    assert votes["look at ice cream"].value < 0 < votes["activate stove"].value
    assert best(votes) == "open freezer"


KITCHEN = """This room is called the kitchen. In it, you see:
\ta freezer. The freezer door is closed.
\ta oven, which is turned off. The oven door is closed.
\ta table. On the table is: a glass cup (containing nothing).
You also see:
\tA door to the hallway (that is open)"""


def test_a_thing_the_task_names_offered_but_refused_is_looked_for_in_what_is_closed() -> None:
    """ScienceWorld offers "focus on ice cream" while the ice cream is shut in the freezer,
    and answers it "No known action matches that input.": the closed things here are opened
    first, not the door, nor the stove; once it is in sight, opening waits again."""
    refused = "No known action matches that input."
    history = (
        moved(1, "focus on ice cream", "kitchen", state="a", answer=refused),
        moved(2, "eat ice cream", "kitchen", state="a", answer=refused),
    )
    valid = (
        "focus on ice cream",
        "open freezer",
        "open oven",
        "open door to hallway",
        "activate stove",
        "look at table",
    )
    task = "Your task is to melt ice cream. First, focus on the substance."
    turn = turn_in(
        "kitchen", valid, task=task, history=history, start=Situation("kitchen"), view=KITCHEN
    )
    votes = Explorer().score(turn)
    opening = min(votes["open freezer"].value, votes["open oven"].value)
    assert opening > max(votes[a].value for a in valid[3:])
    # nothing refused: no reason to look inside things first
    untold = Explorer().score(replace(turn, history=history[1:2]))
    assert untold["open freezer"].value <= untold["activate stove"].value
    in_sight = KITCHEN.replace("freezer door is closed.", "freezer door is open. In it: ice cream.")
    seen = Explorer().score(replace(turn, view=in_sight))
    assert seen["open oven"].value <= seen["activate stove"].value


def test_an_action_that_never_did_anything_is_not_news_in_a_new_state() -> None:
    """ "look around" changed nothing twice, in two states: a third state does not make it
    worth a try again ("look around" in every new state ate half of a ScienceWorld trial)."""
    history = (
        moved(1, "look around", "kitchen", state="a"),
        moved(2, "activate stove", "kitchen", state="a"),
        moved(3, "look around", "kitchen", state="b"),
        moved(4, "activate sink", "kitchen", state="b"),
    )
    valid = ("look around", "activate stove")
    start = Situation("kitchen")
    turn = turn_in("kitchen", valid, task="Melt ice cream.", history=history, start=start)
    votes = Explorer().score(turn)
    assert votes["look around"].value < 0 < votes["activate stove"].value


def test_new_places_come_before_a_dead_end_s_own_untried_actions() -> None:
    """The supermarket has only the way back south, and the street beyond it an exit no
    trial took: that exit (Go-Explore's unvisited places first) comes before dropping or
    examining things here, which a new place may make worth doing."""
    south = replace(moved(1, "go south", "street", state="s"), choices=("go north", "go east"))
    north = replace(moved(2, "go north", "supermarket", state="m"), choices=("go south",))
    valid = ("go south", "drop egg", "examine showcase", "put egg on showcase", "inventory")
    turn = turn_in(
        "supermarket",
        valid,
        task="Let's cook a delicious meal. Check the cookbook in the kitchen for the recipe.",
        history=(south, north),
        start=Situation("supermarket"),
    )
    assert best(Explorer().score(turn)) == "go south"


def test_a_command_that_lost_the_game_does_not_carry_out_an_instruction_it_may_not_mean() -> None:
    """ "dice the red bell pepper" names no command the game has offered ("dice X with knife"
    needs the knife): "eat red bell pepper" acts on the pepper, but eating lost this game
    once, so it is not what the instruction says to do."""
    task = "Let's cook a delicious meal. Check the cookbook for the recipe."
    recipe = "Ingredients:\nred bell pepper\n\nDirections:\ndice the red bell pepper\n"
    held = ("red bell pepper",)
    ate = Outcome("eat white tuna", "s0", "s0#end", "den|red bell pepper|0", True, fatal=True)
    cell = Cell("den|red bell pepper|0", "den", held, 0.0, tried=(ate,))
    archive = Archive("textworld", "cooking", "1", start="s0", trials=1, cells={cell.key: cell})
    valid = ("eat red bell pepper", "go north", "look")
    read = moved(1, "examine cookbook", "den", answer=recipe, held=held)
    turn = turn_in(
        "den",
        valid,
        task=task,
        history=(read,),
        start=Situation("den", held),
        recollection=Recollection(archive=archive),
    )
    turn = replace(turn, situation=Situation("den", held))
    assert "eat red bell pepper" in instructed(turn)  # by its words, with no knife in sight
    votes = Explorer().score(turn)
    assert votes["eat red bell pepper"].value < 0  # and curiosity is not muted for it:
    unread = Explorer().score(replace(turn, task="Let's cook a delicious meal."))
    assert votes["go north"].value == unread["go north"].value > 0  # the knife may be there


def test_what_only_a_command_that_lost_the_game_would_do_here_is_done_elsewhere() -> None:
    """The recipe says to fry the green apple and prepare the meal. In the backyard only
    "cook green apple with BBQ" would carry out frying, and cooking lost this game once
    (the apple was fried already): the way back to the kitchen, where an earlier trial
    tried "prepare meal", comes before the backyard's own untried actions."""
    recipe = "Ingredients:\ngreen apple\n\nDirections:\nfry the green apple\nprepare meal\n"
    held = ("cookbook", "green apple")
    cooked = Outcome("cook carrot with BBQ", "b0", "b0#end", "backyard|carrot|0", True, fatal=True)
    back = Outcome("go south", "b0", "k0", "kitchen|carrot|0", True)  # the way back, known
    cell = Cell("backyard|carrot|0", "backyard", ("carrot",), 0.0, tried=(cooked, back))
    tried = Outcome("prepare meal", "k0", "k0", "kitchen|carrot|0", False)  # too early then
    kitchen = Cell("kitchen|carrot|0", "kitchen", ("carrot",), 0.0, tried=(tried,))
    cells = {cell.key: cell, kitchen.key: kitchen}
    archive = Archive("textworld", "cooking", "1", start="b0", trials=1, cells=cells)
    read = replace(
        moved(1, "examine cookbook", "kitchen", state="k", answer=recipe, held=held),
        choices=("prepare meal", "go north"),
    )
    out = replace(moved(2, "go north", "backyard", state="k", held=held), choices=("go south",))
    valid = ("cook green apple with BBQ", "go south", "drop cookbook", "put cookbook on chair")
    turn = turn_in(
        "backyard",
        valid,
        task="Let's cook a delicious meal. Check the cookbook in the kitchen for the recipe.",
        history=(read, out),
        start=Situation("kitchen", held),
        recollection=Recollection(archive=archive),
    )
    turn = replace(turn, situation=Situation("backyard", held))
    assert best(Explorer().score(turn)) == "go south"
