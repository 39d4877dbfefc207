"""Working back from a refused action: its missing parts first, then the action again."""

from __future__ import annotations

from dataclasses import replace

from agent.acting.instructions import Game, carries_out, clauses
from agent.acting.needs import RETRY, WANT, NeedsScorer, held
from agent.acting.parts import command
from agent.acting.state import Turn, state_key
from agent.learning.plans import Plan
from agent.learning.recall import Recollection
from memory.records import Situation, Step

SHELF = "craft 1 bookshelf using 6 oak planks, 3 book"
PLANKS = "craft 4 oak planks using 1 oak logs"
BOOK = "craft 1 book using 3 paper, 1 leather"
PAPER = "craft 3 paper using 3 sugar cane"
VALID = (SHELF, PLANKS, BOOK, PAPER, "get 1 oak logs", "get 3 sugar cane", "inventory")
REFUSED = "Could not find enough items to craft it"
EMPTY = "Inventory: You are not carrying anything."


def turn(history: tuple[str, ...] = (), view: str = EMPTY, held: tuple[str, ...] = ()) -> Turn:
    """A turn after ``history``, each action refused in the state the turn is in."""
    situation = Situation("crafting table", held)
    here = state_key(VALID, situation, view)
    steps = tuple(
        Step(i, action, REFUSED, 0.0, 0.0, False, False, False, state_key=here)
        for i, action in enumerate(history, 1)
    )
    return Turn("craft bookshelf", "", VALID, steps, situation=situation, view=view)


def test_an_action_reads_as_what_it_makes_and_what_it_takes() -> None:
    made = command(SHELF)
    assert made.thing == {"bookshelf"}
    assert made.takes == (({"oak", "planks"}, 6), ({"book"}, 3))
    assert command("unlock wooden door with key").takes == (({"key"}, 1),)
    assert command("take key from table") == command("take key")  # where from is no part
    assert not command("get 3 sugar cane").takes and not command("inventory").takes


def test_a_refused_action_works_back_to_the_first_part_it_can_get() -> None:
    scores = NeedsScorer().score(turn((SHELF,)))
    assert scores == {"get 1 oak logs": WANT}  # for the planks: not the shelf again
    logs = "Inventory: [oak logs] (1)"
    got = replace(turn((), logs, ("oak logs",)), history=turn((SHELF, "get 1 oak logs")).history)
    assert NeedsScorer().score(got) == {PLANKS: WANT}  # then the planks, from the logs


def test_the_latest_refusals_parts_come_first() -> None:
    scores = NeedsScorer().score(turn((SHELF, BOOK)))
    assert scores["get 3 sugar cane"] > scores["get 1 oak logs"]  # the book's paper first
    assert BOOK not in scores and SHELF not in scores  # refused as things are


def after_getting(view: str) -> Turn:
    """The shelf refused with nothing held, then a step that got the player ``view``."""
    refused = turn((SHELF, "get 1 oak logs"))
    return replace(turn((), view, ("book", "oak planks")), history=refused.history)


def test_the_refused_action_is_tried_again_once_its_parts_are_held() -> None:
    now = after_getting("Inventory: [book] (3) [oak planks] (8)")
    assert held(now) == {frozenset({"book"}): 3, frozenset({"oak", "planks"}): 8}
    assert NeedsScorer().score(now)[SHELF] == RETRY


def test_too_few_of_a_part_wants_more_of_it() -> None:
    now = after_getting("Inventory: [book] (3) [oak planks] (4)")  # six planks are asked for
    assert NeedsScorer().score(now) == {"get 1 oak logs": WANT}  # logs for more planks


def test_an_action_that_did_something_is_no_refusal() -> None:
    done = turn((PAPER,))
    moved = replace(done.history[0], state_key="the state before it")
    assert NeedsScorer().score(replace(done, history=(moved,))) == {}


def test_it_is_silent_once_the_games_own_way_to_a_win_is_known() -> None:
    won = Recollection(plan=Plan(("get 1 oak logs",), won=True))
    assert NeedsScorer().score(replace(turn((SHELF,)), recollection=won)) == {}


def test_making_a_part_is_not_making_the_thing_named_after_it() -> None:
    """ "craft 1 book" does not carry out "craft writable book": the game has both things."""
    offered = (
        "craft 1 writable book using 1 book, 1 ink sac, 1 feather",
        "craft 1 book using 3 paper, 1 leather",
    )
    game = Game.of(offered)
    (step,) = clauses("craft writable book")
    assert carries_out(offered[0], step, game) > 1
    assert carries_out(offered[1], step, game) == 0
