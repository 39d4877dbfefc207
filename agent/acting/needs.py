"""Working back from a refused action to the first step that can be taken.

A command that names what it takes ("craft 1 bookshelf using 6 planks, 3 book", "unlock the
door with the key") and changed nothing says what is missing: what it takes that the player
holds too few of. A person works back from there through the commands the game offers: a
command whose own thing is a missing part makes it ("craft 4 oak planks using 1 oak logs"),
and what that one lacks is made the same way, down to one that can be done now ("get 1 oak
logs"). The latest refusal is worked on first, and the refused command is taken again once
the player holds what it takes. Nothing here is learned or game-specific: it reads the
offered commands and what the player holds (memory then replays the way that won).
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
    afters = [step.state_key for step in turn.history[1:]] + [turn.state_key]  # each one's result
    found: dict[str, Refusal] = {}
    for step, after in zip(turn.history, afters, strict=False):
        if not refusable(step.action):
            continue
        found.pop(step.action, None)
        if after == step.state_key:
            found[step.action] = Refusal(step.action, after)
    return list(found.values())


class NeedsScorer:
    """The next step of working back from each refused action, latest refusal first."""

    name = "needs"

    def score(self, turn: Turn) -> dict[str, float]:
        if turn.recollection.plan.won:
            return {}  # this game's own way to a win is known: nothing to work back from
        refused = refusals(turn)
        back = WorkingBack(turn, {r.action for r in refused if r.state == turn.state_key})
        scores: dict[str, float] = {}
        for depth, refusal in enumerate(reversed(refused)):
            step = back.next_step(refusal.action)
            if step is not None and step not in scores:
                weight = RETRY if step == refusal.action else WANT
                scores[step] = weight * DEEPER_FIRST**depth
        return scores


class WorkingBack:
    """Means-ends from the offered commands: what an action takes, and which commands make
    it ("craft 4 oak planks using 1 oak logs" makes oak planks; "get 1 oak logs" logs)."""

    def __init__(self, turn: Turn, stuck: set[str]) -> None:
        self.have = held(turn)
        self.stuck = stuck  # refused as things are: doing it again would change nothing
        self.makers: dict[frozenset[str], list[str]] = {}
        for action in turn.valid_actions:
            self.makers.setdefault(command(action).thing, []).append(action)
        self.dead: set[str] = set()  # actions no way back was found for

    def lacking(self, action: str) -> list[tuple[frozenset[str], int]]:
        """What ``action`` takes that the player holds too few of, and how many more."""
        takes = command(action).takes
        return [
            (name, n - self.have.get(name, 0)) for name, n in takes if self.have.get(name, 0) < n
        ]

    def next_step(self, action: str, seen: frozenset[str] = frozenset()) -> str | None:
        """``action`` itself if the player holds what it takes; else the next step of making
        the first part it lacks that the offered commands can make (the maker lacking least
        first, then the one making most of what is short: "get 4 string" for four, not "get 1
        string"). Refused though all it names is held: too few of something, more of each."""
        lacking = self.lacking(action)
        if not lacking:
            if action not in self.stuck:
                return action
            lacking = list(command(action).takes)
        seen |= {action}
        for name, short in lacking:
            makers = sorted(
                self.makers.get(name, ()),
                key=lambda a: (len(self.lacking(a)), -min(command(a).makes, short)),
            )
            for maker in makers:
                if maker not in seen and maker not in self.dead:
                    step = self.next_step(maker, seen)
                    if step is not None:
                        return step
                    self.dead.add(maker)
        return None
