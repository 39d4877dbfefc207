"""Following the task's own instructions, in order.

Task descriptions often list their steps ("First, open the drawer. Then take the key. After
that, unlock the door..."). ``InstructionScorer`` splits the description into clauses, finds
the first clause no action of this episode has carried out yet, and favours the valid actions
that carry it out — what a person reading the task would try next. Clauses that nothing in
reach carries out are passed over, so a goal sentence ("boil water") does not block the steps
listed after it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from agent.acting.state import Turn
from agent.acting.text import content_words, object_words, template_of

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


@lru_cache(maxsize=1024)
def clauses(task: str) -> tuple[frozenset[str], ...]:
    """The task's instructions in order, each as its content words."""
    parts = (content_words(p) - _FILLER for p in _SPLIT.split(task))
    return tuple(p for p in parts if p)


def carries_out(action: str, clause: frozenset[str]) -> float:
    """How well ``action`` carries out ``clause``: the share of its objects the clause names
    (0 if it names none), a little more if the clause also names its verb."""
    objects = object_words(action)
    if not objects:
        return 0.0
    share = len(objects & clause) / len(objects)
    verb = template_of(action).split()[0] if template_of(action) else ""
    named = any(word.startswith(verb) for word in clause) if len(verb) > 2 else verb in clause
    return share * (1.2 if named else 1.0) if share >= 0.5 else 0.0  # "unlock" in "unlocked"


def carried_out(steps: tuple[frozenset[str], ...], actions: list[str]) -> set[int]:
    """Which instructions the actions carried out, read in order: an action carries out the
    first instruction after the last one carried out that it fits ("go east" twice carries
    out "venture east" and then "move east", not both at once)."""
    done: set[int] = set()
    position = 0
    for action in actions:
        for index in range(position, len(steps)):
            if carries_out(action, steps[index]) >= 1:
                done.add(index)
                position = index + 1
                break
    return done


class InstructionScorer:
    name = "instruction"

    def __init__(self, weight: float = 1.5, lookahead: float = 0.4) -> None:
        self.weight = weight
        self.lookahead = lookahead

    def score(self, turn: Turn) -> dict[str, float]:
        steps = clauses(turn.task)
        done = carried_out(steps, [step.action for step in turn.history])
        scores: dict[str, float] = {}
        weights = iter((self.weight, self.weight * self.lookahead))
        for index, clause in enumerate(steps):
            if index in done:
                continue  # this instruction was carried out already
            matches = {a: v for a in turn.valid_actions if (v := carries_out(a, clause))}
            if not matches:
                continue  # nothing here carries it out (yet): look further down the list
            weight = next(weights, None)
            if weight is None:
                break
            for action, value in matches.items():
                scores[action] = max(scores.get(action, 0.0), weight * value)
        return scores
