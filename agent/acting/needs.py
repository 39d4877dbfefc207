"""What a refused action takes and the player lacks, and the actions that get it.

A command that names what it takes ("craft 1 bookshelf using 6 planks, 3 book", "unlock the
door with the key") and changed nothing says what is missing: the things it takes that the
player does not hold, or holds too few of. A person works back from there, one missing part
at a time: an action whose own thing is a missing one ("craft 4 oak planks using 1 oak
logs", "get 1 oak logs", "take key") comes first, the latest refusal's parts before the
earlier ones', and the refused action is tried again once the player holds what it takes.
Nothing here is learned or game-specific: it reads the commands the game offers and what the
player holds, as a person would (memory then replays the way that won).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.acting.parts import command, refusable
from agent.acting.state import Turn
from agent.acting.text import content_words

WANT = 3.0  # outweighs the explorer's pull and a crowded command's prior
RETRY = 3.5  # the refused action, once it can be done, before more of its parts
DEEPER_FIRST = 0.7  # an earlier refusal's parts weigh less: finish the latest one first

_AMOUNT = re.compile(r"\[?([a-z][a-z' -]*?)\]?\s\((\d+)\)")  # "[oak planks] (4)"


def held(turn: Turn) -> dict[frozenset[str], int]:
    """What the player holds, by name, with how many where the view says ("(4)")."""
    counts = {content_words(name): int(n) for name, n in _AMOUNT.findall(turn.view.lower())}
    return {(name := content_words(item)): counts.get(name, 1) for item in turn.situation.inventory}


@dataclass(frozen=True)
class Refusal:
    action: str
    state: str  # the state it was refused in: tried again only from another


def refusals(turn: Turn) -> list[Refusal]:
    """The actions that take things and changed nothing, not done since, latest last."""
    states = [step.state_key for step in turn.history[1:]] + [turn.state_key]
    states = states[: len(turn.history)]
    found: dict[str, Refusal] = {}
    for step, after in zip(turn.history, states, strict=True):
        if not refusable(step.action):
            continue
        found.pop(step.action, None)
        if after == step.state_key:
            found[step.action] = Refusal(step.action, after)
    return list(found.values())


class NeedsScorer:
    """The parts a refused action lacks: get them, latest refusal first, then retry it."""

    name = "needs"

    def score(self, turn: Turn) -> dict[str, float]:
        if turn.recollection.plan.won:
            return {}  # this game's own way to a win is known: nothing to work back from
        have = held(turn)
        makers: dict[frozenset[str], list[str]] = {}
        for action in turn.valid_actions:
            makers.setdefault(command(action).thing, []).append(action)
        scores: dict[str, float] = {}
        refused = refusals(turn)
        stuck = {r.action for r in refused if r.state == turn.state_key}  # refused as things are
        for depth, refusal in enumerate(reversed(refused)):
            weight = DEEPER_FIRST**depth
            takes = command(refusal.action).takes
            lacking = [name for name, n in takes if have.get(name, 0) < n]
            if not lacking and refusal.state != turn.state_key:
                _vote(scores, refusal.action, RETRY * weight, turn)
                continue
            for name in lacking or [name for name, _ in takes]:  # all held: too few, or
                for action in makers.get(name, ()):  # something unnamed: more of each
                    if action not in stuck:
                        _vote(scores, action, WANT * weight, turn)
        return scores


def _vote(scores: dict[str, float], action: str, value: float, turn: Turn) -> None:
    if action in turn.valid_actions and action not in scores:  # the deepest want counts once
        scores[action] = value
