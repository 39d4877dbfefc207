"""Following the task's own instructions, in order.

Task descriptions often list their steps ("First, open the drawer. Then take the key. After
that, unlock the door..."). ``InstructionScorer`` splits the description into clauses, finds
the first clause no action of this episode has carried out yet, and favours the valid actions
that carry it out — what a person reading the task would try next. Clauses that nothing in
reach carries out are passed over, so a goal sentence ("boil water") does not block the steps
listed after it; a clause that says "it" is about the thing of the instruction before ("focus
on the paper clip. ... place it in the red box": only moving the paper clip there does it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from agent.acting.state import Turn
from agent.acting.text import content_words, object_words, template_of, words

_SPLIT = re.compile(
    r"[.!?;]|\b(?:then|after that|after|once|and then|finally|first|next|with that done)\b",
    re.IGNORECASE,
)
# Words that carry no instruction: filler of TextWorld's and ScienceWorld's task texts.
_FILLER = frozenset(
    """your task objective try attempt make ensure sure that within inside done
    accomplished thanks alright okay ok good hey something need me today welcome
    coming over textworld hello win once all handled stop you've""".split()
)


_PRONOUNS = frozenset({"it", "them"})


@dataclass(frozen=True)
class Clause:
    """One instruction: its own content words, and what its "it" stands for (the words of
    the last instruction before it that did not say "it"; empty if it says no "it")."""

    words: frozenset[str]
    antecedent: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Game:
    """What the game offers now: the verbs of its commands and the words of its things."""

    commands: frozenset[str] = frozenset()
    things: frozenset[str] = frozenset()

    @classmethod
    def of(cls, valid_actions: tuple[str, ...]) -> Game:
        commands = frozenset(v.split()[0] for v in map(template_of, valid_actions) if v)
        things = frozenset(w for action in valid_actions for w in object_words(action))
        return cls(commands, things)


@lru_cache(maxsize=1024)
def clauses(task: str) -> tuple[Clause, ...]:
    """The task's instructions in order."""
    found: list[Clause] = []
    antecedent: frozenset[str] = frozenset()
    for part in _SPLIT.split(task):
        own = content_words(part) - _FILLER
        if not own:
            continue
        if _PRONOUNS & set(words(part)):
            found.append(Clause(own, antecedent))
        else:
            found.append(Clause(own))
            antecedent = own
    return tuple(found)


def _names(words: frozenset[str], verb: str) -> bool:
    """Do the words name the verb ("unlock" in "unlocked"; short verbs exactly)?"""
    return any(word.startswith(verb) for word in words) if len(verb) > 2 else verb in words


def carries_out(action: str, clause: Clause, game: Game = Game()) -> float:
    """How well ``action`` carries out ``clause``: the share of its objects the clause names
    (0 if it names none), a little more if the clause also names its verb. A clause that
    names one of the game's commands asks for that command ("focus on the paper clip" is not
    done by "pick up paper clip"); one that says "it" of a thing in the game asks for that
    thing, and what the clause itself names ("place it in the red box" is done neither by
    "look in red box" nor by "pick up paper clip")."""
    objects = object_words(action)
    if not objects:
        return 0.0
    verb = template_of(action).split()[0] if template_of(action) else ""
    named = _names(clause.words, verb)
    if not named and any(_names(clause.words, command) for command in game.commands):
        return 0.0
    subject = clause.antecedent & game.things  # "it": the paper clip, not "focus on"
    own = clause.words & game.things  # and what it is done with: the red box
    if subject and not (subject & objects and (objects & own or not own)):
        return 0.0
    share = len(objects & (clause.words | subject)) / len(objects)
    return share * (1.2 if named else 1.0) if share >= 0.5 else 0.0


def carried_out(steps: tuple[Clause, ...], actions: list[str], game: Game = Game()) -> set[int]:
    """Which instructions the actions carried out: each action the first one not yet carried
    out that it fits best (one that names its verb before one that does not; "go east" twice
    carries out "venture east" and then "move east", not both at once). One passed over stays
    open for a later action: a task's goal sentence ("determine if the paper clip is
    conductive") is met after the place it names."""
    done: set[int] = set()
    for action in actions:
        fits = {
            index: value
            for index, clause in enumerate(steps)
            if index not in done and (value := carries_out(action, clause, game)) >= 1
        }
        if fits:
            done.add(max(fits, key=lambda index: (fits[index], -index)))
    return done


class InstructionScorer:
    name = "instruction"

    def __init__(self, weight: float = 1.5, lookahead: float = 0.4) -> None:
        self.weight = weight
        self.lookahead = lookahead

    def score(self, turn: Turn) -> dict[str, float]:
        steps = clauses(turn.task)
        game = Game.of(turn.valid_actions)
        done = carried_out(steps, [step.action for step in turn.history], game)
        scores: dict[str, float] = {}
        weights = iter((self.weight, self.weight * self.lookahead))
        for index, clause in enumerate(steps):
            if index in done:
                continue  # this instruction was carried out already
            matches = {a: v for a in turn.valid_actions if (v := carries_out(a, clause, game))}
            if not matches:
                continue  # nothing here carries it out (yet): look further down the list
            weight = next(weights, None)
            if weight is None:
                break
            for action, value in matches.items():
                scores[action] = max(scores.get(action, 0.0), weight * value)
        return scores
