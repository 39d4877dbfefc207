"""How far an episode is through its task's instructions, and the scorer that follows them.

``read`` sets the task's instructions (``agent.acting.instructions``), with the text it sent
the player to read, against what the episode did, held and saw (``Turn.reading``, once per
turn): which are done, which the world already satisfies (an item of a list held; a
direction whose thing was seen described as done), which were tried and did nothing, and
which are next. ``InstructionScorer`` favours the valid actions that carry out the next one
in reach — what a person reading the task would try next. Instructions nothing in reach
carries out are passed over, so a goal sentence ("boil water") does not block the steps
listed after it. A text the task sends the player to read ("check the cookbook") is read as
more instructions once it is, and remembered by the game's later trials.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

from agent.acting.instructions import (
    Clause,
    Game,
    carries_out,
    clauses,
    follow,
    fulfils,
    listed,
    open_in_order,
    reminds,
    subject_of,
)
from agent.acting.text import content_words, template_of, words
from knowledge_graph.entities import objects_of
from memory.knowledge import Exemplar

if TYPE_CHECKING:  # a turn carries the trial's plan, which reads the instructions
    from agent.acting.state import Turn


def settled(
    steps: tuple[Clause, ...], held: tuple[str, ...], seen: str, game: Game
) -> frozenset[int]:
    """Instructions the world already satisfies, as a person reading it would see: an item
    of a list (a clause that names only things: "red onion" under "Ingredients:") while
    the player holds it, and a direction whose thing was seen described as done ("chop the
    red onion": "the fridge contains a chopped roasted red onion"); and a reminder of what
    was done ("after stealing the lettuce")."""
    holding = content_words(" ".join(held))
    described = _descriptions(seen)

    def satisfied(clause: Clause) -> bool:
        if (listed(clause, game) and clause.words <= holding) or reminds(clause, game):
            return True
        return any(
            things <= after
            for verb in clause.words
            if (things := clause.words - {verb})
            for form in _participles(verb)
            for after in described.get(form, ())
        )

    return frozenset(index for index, clause in enumerate(steps) if satisfied(clause))


DESCRIBED_WITHIN = 4  # words from "chopped" to the thing it describes ("chopped roasted red onion")


@lru_cache(maxsize=256)
def _descriptions(seen: str) -> dict[str, list[frozenset[str]]]:
    """Each word of ``seen`` that may be a participle ("chopped"), with the words after it."""
    tokens = words(seen)
    found: dict[str, list[frozenset[str]]] = {}
    for i, word in enumerate(tokens):
        if word.endswith("ed"):
            found.setdefault(word, []).append(frozenset(tokens[i + 1 : i + 1 + DESCRIBED_WITHIN]))
    return found


def _participles(verb: str) -> tuple[str, ...]:
    """ "chop" -> "chopped", "dice" -> "diced", "fry" -> "fried", "roast" -> "roasted"."""
    return (verb + "ed", verb + "d", verb + verb[-1] + "ed", verb[:-1] + "ied")


READ_LINES = 3  # an answer of this many lines or more is a text to read, not an echo


def _with_what_was_read(turn: Turn, game: Game) -> str:
    """The task, and the text the task sent the player to read, if it was read: an action
    that carried out one of the task's instructions ("check the cookbook": "examine
    cookbook") and changed nothing but answered with a text of several lines (its recipe's
    ingredients and directions), which are instructions too, in the place of the sentence
    that sent the player to read it (before "Once done, enjoy your meal!"). Read in this
    episode, or remembered from an earlier trial of this game (the same game, the same
    text): a player who read the recipe yesterday knows what to gather today."""
    return with_text_read(turn.task, _texts_read(turn), game)


def with_text_read(task: str, texts: Iterable[tuple[str, str]], game: Game) -> str:
    """``task`` with the first of ``texts`` ((action, text) pairs) that an action carrying
    out one of its instructions got, in the place of that instruction's sentence."""
    sentences = re.split(r"(?<=[.!?\n])", task)
    # each sentence's instructions, read in the task ("move it" is about the sentence before)
    told = [clauses("".join(sentences[:end])) for end in range(len(sentences) + 1)]
    for action, text in texts:
        for end in range(1, len(sentences) + 1):
            if any(fulfils(action, c, game) for c in told[end][len(told[end - 1]) :]):
                before, after = "".join(sentences[:end]), "".join(sentences[end:])
                return f"{before}\n{text}\n\n{after}"  # the blank line ends its lists
    return task


def _texts_read(turn: Turn) -> Iterator[tuple[str, str]]:
    """(action, text) for each step answered with a text of several lines that changed
    nothing else: this episode's, latest first, then those of this game's remembered trials."""
    places = {turn.start.location, *(step.location for step in turn.history)}
    episode = zip(turn.history, _moved(turn), strict=True)
    for step, moved in reversed(list(episode)):
        if not moved and _is_text(step.observation, step.action, places):
            yield step.action, step.observation
    recalled = turn.recollection
    yield from texts_remembered(recalled.exemplars, recalled.task, recalled.variation)


def texts_remembered(
    exemplars: Iterable[Exemplar], task: str, variation: str | None
) -> Iterator[tuple[str, str]]:
    """(action, text) for each step of this game's remembered trials that was answered with
    a text to read and changed nothing else; another game's text is about another game."""
    for exemplar in exemplars:
        if (exemplar.task, exemplar.variation) == (task, variation):
            places = {step.location for step in exemplar.steps}
            for done, after in zip(exemplar.steps, exemplar.steps[1:], strict=False):
                if done.state_key == after.state_key and _is_text(
                    done.observation, done.action, places
                ):
                    yield done.action, done.observation


_CHOICE = re.compile(r"^\s*\d+:", re.MULTILINE)  # "0:\tmix water (in outside)"


def _is_text(observation: str, action: str = "", places: Iterable[str] = ()) -> bool:
    """An answer of several lines: a text to read, not an echo ("You take the knife."), nor
    what a place looks like ("look at outside": the room's things, one a line, are no list
    to gather), nor a question (ScienceWorld's "Ambiguous request: Please enter the
    number…", its choices numbered a line each, are no steps to take)."""
    if sum(1 for line in observation.splitlines() if line.strip()) < READ_LINES:
        return False
    on_a_place = bool(set(objects_of(action)) & {place.lower() for place in places if place})
    return not on_a_place and len(_CHOICE.findall(observation)) < 2


def _moved(turn: Turn) -> list[bool]:
    """For each step of the episode: was the state after it known to differ from before?"""
    after = [step.state_key for step in turn.history[1:]] + [turn.state_key]
    return [
        bool(step.state_key and state) and state != step.state_key
        for step, state in zip(turn.history, after, strict=False)
    ]


def _idle(turn: Turn) -> frozenset[int]:
    """The episode's steps that did nothing: the state (known) and score were the same
    after them, and the answer was not a text to read ("You still miss something.")."""
    found, score = set(), turn.start.score
    for index, (step, moved) in enumerate(zip(turn.history, _moved(turn), strict=True)):
        if step.state_key and not moved and step.score == score and not _is_text(step.observation):
            found.add(index)
        score = step.score
    return frozenset(found)


def _seen(turn: Turn) -> str:
    """Everything the episode has shown the player."""
    shown = (turn.initial_observation, *(step.observation for step in turn.history))
    return "\n".join((*shown, turn.observation))


@dataclass(frozen=True)
class Pending:
    """An open instruction, with what its "it" stands for, the actions that tried it and did
    nothing ("prepare meal": "You still miss something"; "examine coin" for "retrieve the
    coin"), whether it is to wait (``failed``: nothing else here carries it out, or it
    follows a list not yet gathered), and whether it is an item of a list (a thing to have:
    "red onion" under "Ingredients:")."""

    clause: Clause
    game: Game
    it: frozenset[str]
    tried: frozenset[str]
    failed: bool
    listed: bool


@dataclass(frozen=True)
class Reading:
    """How far an episode is through its task's instructions (``Turn.reading``)."""

    open: tuple[Pending, ...]  # in the order a reader takes them
    listed: tuple[frozenset[str], ...]  # the things the instructions list, as their words
    deferred: frozenset[str] = frozenset()  # actions waiting for a list to be gathered


def read(turn: Turn) -> Reading:
    """The task's instructions (with the text it sent the player to read) against what the
    episode did, held and saw. The open ones come after the last one carried out, then
    those passed over, then the failed ones, which may need the others."""
    actions = [step.action for step in turn.history]
    held = (*turn.start.inventory, *(name for step in turn.history for name in step.inventory))
    holdings = tuple(
        frozenset(held) for held in (turn.start.inventory, *(s.inventory for s in turn.history))
    )
    changes = list(zip(actions, pairwise(holdings), strict=True))
    left = {template_of(action) for action, (was, now) in changes if was - now}
    took = {template_of(action) for action, (was, now) in changes if now - was}
    past = turn.recollection.experience
    releasing, taking = frozenset(left | past.releases), frozenset(took | past.takes)
    # each action offered when taken; what holds what as the player sees it now
    commands = frozenset(past.commands)  # "prepare meal", tried in the kitchen, is one
    game = Game.of((*turn.valid_actions, *actions), held, releasing, turn.view, taking, commands)
    steps = clauses(_with_what_was_read(turn, game))
    already = settled(steps, turn.situation.inventory, _seen(turn), game)
    done, tried = follow(steps, actions, game, already, _idle(turn), holdings)
    # A list the steps after it have used ("prepare meal" took the ingredients) is done.
    used = max(done, default=-1)
    items = [i for i, clause in enumerate(steps) if listed(clause, game)]
    already |= {i for i in items if i < used}
    # What follows a list waits for it to be gathered: a recipe's directions need its
    # ingredients ("prepare meal" before the milk is held would only fail), and so does an
    # action that carries one of them out, whatever else it also carries out.
    gathering = min((i for i in items if i not in already), default=len(steps))
    found, deferred = [], set()
    for i in open_in_order(steps, done, already):
        it = subject_of(steps[i], steps, done, game)
        waits = i > gathering and i not in items
        if waits:
            deferred |= {a for a in turn.valid_actions if carries_out(a, steps[i], game, it) >= 1}
        failed = waits or (
            i in tried
            and not any(
                carries_out(a, steps[i], game, it) for a in turn.valid_actions if a not in tried[i]
            )
        )
        found.append(Pending(steps[i], game, it, tried.get(i, frozenset()), failed, i in items))
    return Reading(
        tuple(sorted(found, key=lambda step: step.failed)),
        tuple(steps[i].words for i in items),
        frozenset(deferred),
    )


def pending(turn: Turn) -> list[Pending]:
    """The open instructions not tried and failed, in order."""
    return [step for step in turn.reading.open if not step.failed]


def instructed(turn: Turn) -> frozenset[str]:
    """The valid actions that fully carry out the next instruction something here carries
    out at all, but not those that tried it and did nothing: what a person following the
    task would do now (none: the task is silent, or what it says did not work)."""
    for step in turn.reading.open:
        fits = {a: carries_out(a, step.clause, step.game, step.it) for a in turn.valid_actions}
        if any(fits.values()):
            if step.failed:
                return frozenset()
            waiting = step.tried | turn.reading.deferred
            return frozenset(a for a, v in fits.items() if v >= 1 and a not in waiting)
    return frozenset()


class InstructionScorer:
    """The task's next instruction in reach (``_current``) gets ``weight``, the one after it
    ``lookahead`` of that; an action that tried it and did nothing, or any action of one that
    is to wait, gets no more than the lookahead."""

    name = "instruction"

    def __init__(self, weight: float = 1.5, lookahead: float = 0.4) -> None:
        self.weight = weight
        self.lookahead = lookahead

    def score(self, turn: Turn) -> dict[str, float]:
        scores: dict[str, float] = {}
        weights = iter((self.weight, self.weight * self.lookahead))
        for step in turn.reading.open:
            matches = {
                a: v
                for a in turn.valid_actions
                if (v := carries_out(a, step.clause, step.game, step.it))
            }
            if not matches:
                continue  # nothing here carries it out (yet): look further down the list
            weight = next(weights, None)
            if weight is None:
                break
            for action, value in matches.items():
                waits = step.failed or action in step.tried or action in turn.reading.deferred
                own = min(weight, self.weight * self.lookahead) if waits else weight
                scores[action] = max(scores.get(action, 0.0), own * value)
        return scores
