"""What must be done before an instruction can be carried out here: take "it" (whole, in
what holds it) before moving it elsewhere, know where it was left, and open what hides a
thing the task names (``agent.learning.explore`` makes these what the task says to do now)."""

from __future__ import annotations

import re

from agent.acting.game import Game
from agent.acting.instructions import carries_out
from agent.acting.reading import pending
from agent.acting.state import Turn
from agent.acting.text import content_words, goal_words, object_words, template_of
from knowledge_graph.entities import objects_of

# What a view says is shut, and the command that opens it: the games' shared English. A
# view's statements end at a full stop or a line; a bracket's "(that is closed)" is said of
# a door, which hides no thing in the room.
CLOSED, OPEN, _STATEMENT = "closed", "open", re.compile(r"[.\n(]")


def to_take(turn: Turn) -> frozenset[str]:
    """While the thing an open instruction is about is not held ("move it to the red box":
    the pea plant), the actions here that take it or what holds it ("pick up flower pot 9"),
    by the commands seen to make things held."""
    for step in pending(turn):
        if not step.it or holds(turn, step.it):
            continue
        taking = {
            a
            for a in turn.valid_actions
            if template_of(a) in step.game.taking
            and a not in turn.irreversible_actions
            and 0 < carries_out(a, step.clause, step.game, step.it) < 1
            and _names_it(objects_of(a)[0], step.it, step.game)
        }
        # Its holder whole, not a part of it: a plant out of its pot dies. What holds it is
        # seen holding it, or named, here or when it became "it" ("focus on living thing in
        # flower pot 3": flower pot 3, not flower pot 6)
        named = {
            objects_of(a)[-1]
            for a in (*taking, *(done.action for done in turn.heeded))
            if len(objects_of(a)) > 1 and " in " in a and content_words(objects_of(a)[0]) & step.it
        }
        whole = {
            a
            for a in taking
            if objects_of(a)[0] in named or step.game.holder(objects_of(a)[0], step.it)
        }
        if taking:
            return frozenset(whole or taking)
    return frozenset()


def to_open(turn: Turn) -> frozenset[str]:
    """While a thing the task names is offered here but not in sight, and the game refused
    an action on it ("focus on ice cream": "No known action matches that input."), it is
    shut in something: the actions here that open what the view says is closed ("open
    freezer" for "The freezer door is closed.")."""
    goal, refused = goal_words(turn.task), turn.refused_once
    in_sight = content_words(" ".join((turn.view, *turn.situation.inventory)))
    hidden = {
        thing
        for action in turn.valid_actions
        if (thing := object_words(action)) and thing <= goal and not thing <= in_sight
    }
    if not any(object_words(action) in hidden for action in refused):
        return frozenset()
    statements = (content_words(part) for part in _STATEMENT.split(turn.view))
    closed = [words for words in statements if CLOSED in words]
    return frozenset(
        a
        for a in turn.valid_actions
        if template_of(a) == OPEN and any(object_words(a) <= words for words in closed)
    )


def holds(turn: Turn, it: frozenset[str]) -> bool:
    """Does the player hold ``it`` (most of its words: "flower pot 3 (containing a pea
    plant...)" for "living thing in flower pot 3")?"""
    held = content_words(" ".join(turn.situation.inventory))
    return 2 * len(it & held) >= len(it)


def _names_it(name: str, it: frozenset[str], game: Game) -> bool:
    """Is ``name`` the thing ``it`` stands for ("living thing", "flower pot 3" for
    "living thing in flower pot 3"; not "metal pot"), or what holds it?"""
    words = content_words(name)
    return words <= it or it <= words or game.holder(name, it)


def left_at(turn: Turn, it: frozenset[str]) -> str:
    """Where the episode last acted on ``it`` and the game took notice ("focus on living
    thing in flower pot 3" in the greenhouse), or "" if nowhere."""
    before, place, heeded = turn.start.location, "", {step.index for step in turn.heeded}
    for step in turn.history:
        if step.index in heeded and object_words(step.action) & it:
            place = before
        before = step.location
    return place
