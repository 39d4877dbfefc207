"""Following the task's own instructions, in order.

Task descriptions often list their steps ("First, open the drawer. Then take the key. After
that, unlock the door..."). ``InstructionScorer`` splits the description into clauses, finds
the first clause no action of this episode has carried out yet, and favours the valid actions
that carry it out — what a person reading the task would try next. Clauses that nothing in
reach carries out are passed over, so a goal sentence ("boil water") does not block the steps
listed after it. A clause that says "it" is about the thing of the instruction before ("focus
on the paper clip ... place it in the red box": only moving the paper clip there does it); if
that instruction named no thing of the game ("focus on the thing"), "it" is what the action
that carried it out acted on ("focus on baby beaver": move the baby beaver). A text the task
sends the player to read ("check the cookbook") is read as more instructions once it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from agent.acting.text import content_words, object_words, template_of, words

if TYPE_CHECKING:  # a turn carries the trial's plan, which reads the instructions
    from agent.acting.state import Turn

_SPLIT = re.compile(
    r"[.!?;\n]|\b(?:then|after that|after|once|and then|finally|first|next|with that done)\b",
    re.IGNORECASE,
)
# Words that carry no instruction: filler of TextWorld's and ScienceWorld's task texts.
_FILLER = frozenset(
    """your task objective try attempt make ensure sure that within inside done
    accomplished thanks alright okay ok good hey something need me today welcome
    coming over textworld hello win once all handled stop you've""".split()
)


_PRONOUNS = frozenset({"it", "them"})
PARTIAL = 0.5  # an action on "it" that does not reach the clause's own things ("pick up X")


@dataclass(frozen=True)
class Clause:
    """One instruction: its own content words, and the instruction its "it" stands for."""

    words: frozenset[str]
    refers_to: int | None = None  # index of an earlier clause (None: says no "it")


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
    """The task's instructions in order; "it" refers to the last one that did not say it."""
    found: list[Clause] = []
    last: int | None = None
    for part in _SPLIT.split(task):
        own = content_words(part) - _FILLER
        if not own:
            continue
        if _PRONOUNS & set(words(part)):
            found.append(Clause(own, last))
        else:
            found.append(Clause(own))
            last = len(found) - 1
    return tuple(found)


_INFLECTION = re.compile(r"(?:s|es|ed|d|ing|en)$")


def _names(words: frozenset[str], verb: str) -> bool:
    """Do the words name the verb, inflected or not ("unlocked", "unlocking", "chopped"; not
    "cookbook" for "cook")?"""
    if not verb:
        return False
    for word in words:
        rest = word[len(verb) :] if word.startswith(verb) else None
        if rest is not None and (not rest or _INFLECTION.fullmatch(rest.removeprefix(verb[-1]))):
            return True
    return False


def _verb(action: str) -> str:
    return template_of(action).split()[0] if template_of(action) else ""


def _asks_another_command(action: str, clause: Clause, game: Game) -> bool:
    """The clause names one of the game's commands, not the action's ("focus on the paper
    clip" is not done by "pick up paper clip")."""
    return not _names(clause.words, _verb(action)) and any(
        _names(clause.words, command) for command in game.commands
    )


def _fit(action: str, clause: Clause, game: Game, subject: frozenset[str]) -> tuple[float, float]:
    """How well ``action`` fits ``clause``: the share of its objects the clause names (0 if
    it names none; a little more if the clause names its verb), and the share of the things
    the clause names that it acts on. ``subject`` is what the clause's "it" stands for: an
    action that does not act on it does nothing for the clause ("place it in the red box"
    is not done by "look in red box"); one that acts on it alone only prepares it
    (``PARTIAL``: "pick up paper clip")."""
    objects = object_words(action)
    if not objects or (subject and not subject & objects):
        return 0.0, 0.0
    own = clause.words & game.things
    coverage = len(own & objects) / len(own) if own else 1.0
    if subject and not coverage:
        return PARTIAL, 0.0  # whatever its command: "pick up baby beaver" before moving it
    if _asks_another_command(action, clause, game):
        return 0.0, coverage
    share = len(objects & (clause.words | subject)) / len(objects)
    if share < 0.5:
        return 0.0, coverage
    return share * (1.2 if _names(clause.words, _verb(action)) else 1.0), coverage


def carries_out(
    action: str, clause: Clause, game: Game = Game(), subject: frozenset[str] = frozenset()
) -> float:
    """The instruction's say on ``action`` (``_fit``): more for covering more of what it
    names ("move it to the red box in the kitchen": the red box before the kitchen)."""
    value, coverage = _fit(action, clause, game, subject)
    return value * (1 + coverage) / 2


def fulfils(
    action: str, clause: Clause, game: Game = Game(), subject: frozenset[str] = frozenset()
) -> bool:
    """Does ``action`` carry the instruction out: all it acts on is named there, and at least
    half of what is named there is acted on? A clause that names the action's command and no
    thing of the game ("focus on the thing") is carried out by that command on anything."""
    value, coverage = _fit(action, clause, game, subject)
    generic = _names(clause.words, _verb(action)) and not clause.words & game.things
    return (value >= 1 and coverage >= 0.5) or (generic and bool(object_words(action)))


def carried_out(
    steps: tuple[Clause, ...], actions: list[str], game: Game = Game()
) -> dict[int, str]:
    """Which instructions the actions carried out, and by which action: each action the next
    one not yet carried out that it fulfils, in the order ``_open`` gives ("go east" twice
    carries out "venture east" and then "move east", not both at once, nor a later "go
    east"), unless it covers more of what a later one names ("focus on paper clip" carries
    out "focus on the paper clip", not "the paper clip is in the workshop"). One passed over
    stays open for a later action: a task's goal sentence ("determine if the paper clip is
    conductive") is met after the place it names."""
    done: dict[int, str] = {}
    for action in actions:
        fits: list[tuple[int, float]] = []  # (instruction, how much of it the action covers)
        for index in _open(steps, done):
            subject = subject_of(steps[index], steps, done, game)
            if fulfils(action, steps[index], game, subject):
                fits.append((index, _fit(action, steps[index], game, subject)[1]))
        if fits:  # the one it covers best, the next in order among equals
            done[max(fits, key=lambda fit: fit[1])[0]] = action
    return done


def subject_of(
    clause: Clause, steps: tuple[Clause, ...], done: dict[int, str], game: Game
) -> frozenset[str]:
    """What the clause's "it" stands for: the things its instruction named, or else what the
    action that carried that instruction out acted on."""
    if clause.refers_to is None:
        return frozenset()
    named = steps[clause.refers_to].words & game.things
    action = done.get(clause.refers_to)
    return named or (object_words(action) if action else frozenset())


def _open(steps: tuple[Clause, ...], done: dict[int, str]) -> list[int]:
    """The instructions not carried out, next first: those after the last one carried out,
    in order, then those passed over (a goal sentence nothing has met yet)."""
    last = max(done, default=-1)
    waiting = [index for index in range(len(steps)) if index not in done]
    return [i for i in waiting if i > last] + [i for i in waiting if i < last]


READ_LINES = 3  # an answer of this many lines or more is a text to read, not an echo


def _with_what_was_read(turn: Turn, game: Game) -> str:
    """The task, and the text the task sent the player to read, if it was read: an action
    that carried out one of the task's instructions ("check the cookbook": "examine
    cookbook") answered with a text of several lines (its recipe's ingredients and
    directions), which are instructions too, after the task's own."""
    steps = clauses(turn.task)
    for step in reversed(turn.history):
        lines = [line for line in step.observation.splitlines() if line.strip()]
        if len(lines) >= READ_LINES and any(fulfils(step.action, c, game) for c in steps):
            return f"{turn.task}\n{step.observation}"
    return turn.task


class InstructionScorer:
    name = "instruction"

    def __init__(self, weight: float = 1.5, lookahead: float = 0.4) -> None:
        self.weight = weight
        self.lookahead = lookahead

    def score(self, turn: Turn) -> dict[str, float]:
        game = Game.of(turn.valid_actions)
        actions = [step.action for step in turn.history]
        steps = clauses(_with_what_was_read(turn, game))
        done = carried_out(steps, actions, game)
        scores: dict[str, float] = {}
        weights = iter((self.weight, self.weight * self.lookahead))
        for index in _open(steps, done):
            clause = steps[index]
            subject = subject_of(clause, steps, done, game)
            matches = {
                a: v for a in turn.valid_actions if (v := carries_out(a, clause, game, subject))
            }
            if not matches:
                continue  # nothing here carries it out (yet): look further down the list
            weight = next(weights, None)
            if weight is None:
                break
            for action, value in matches.items():
                scores[action] = max(scores.get(action, 0.0), weight * value)
        return scores
