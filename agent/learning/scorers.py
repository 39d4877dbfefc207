"""Memory acting on the choice: scorers that read the trial's recollection, which every
``Turn`` carries (``turn.recollection``; empty when memory is off, so they are silent).

    experience  what was done before in this very state: actions that led to a score gain up
                (by their credit), actions that changed nothing or lost the game down, and
                actions never tried here a little up (explore where memory is silent)
    insight     actions named by insights: necessary ones not yet done up, fruitless and
                fatal ones down; narrower scopes and higher confidence weigh more
    exemplar    the next step of the best similar trajectories (their useful steps, in
                order, rebound to this variation's objects)
    chain       the next undone action of the task's precondition chain (knowledge graph)

Every vote names the memories behind it, so each decision records what influenced it.
"""

from __future__ import annotations

from collections.abc import Mapping

from agent.acting.grounding import lexical_similarity
from agent.acting.policy import Scorer, Vote
from agent.acting.state import Turn
from agent.acting.text import content_words, object_words, template_of
from agent.learning.recall import SCOPE_WEIGHT, Recollection, relation_weight
from agent.learning.roles import bindings, rebind
from knowledge_graph.entities import location_of
from memory.embedding import Embedder, cosine
from memory.knowledge import Exemplar, Scope, normalise

EXPLORE_BONUS = 0.4
MATCH_THRESHOLD = 0.8
SAME_OBJECTS = 0.6  # share of object words two wordings of one step have in common


class ExperienceScorer:
    name = "experience"

    def score(self, turn: Turn) -> Mapping[str, Vote]:
        records = turn.recollection.experience.get(turn.state_key)
        if not records:
            return {}
        votes = {}
        for action in turn.valid_actions:
            record = records.get(action)
            if record is None:
                votes[action] = Vote(EXPLORE_BONUS)
                continue
            memories = tuple(f"exemplar:{i}" for i in sorted(record.exemplars))
            if record.fatal:
                value = -6.0
            elif record.best_credit > 0:
                value = min(4.0, 1.5 + record.best_credit / 20)
            elif record.idle == record.tries:
                value = -1.0
            else:
                value = -0.3 * record.tries
            votes[action] = Vote(value, memories)
        return votes


class InsightScorer:
    name = "insight"

    def score(self, turn: Turn) -> Mapping[str, Vote]:
        by_subject = turn.recollection.by_subject  # indexed once per trial, not per step
        if not by_subject:
            return {}
        done = {step.action for step in turn.history}
        votes = {}
        for action in turn.valid_actions:
            insights = by_subject.get(normalise(action))
            if not insights:
                continue
            value, memories = 0.0, []
            risky = action in turn.irreversible_actions and not named_by(action, turn.task)
            for insight in insights:
                weight = relation_weight(insight.relation) * SCOPE_WEIGHT[insight.where.scope]
                if weight > 0:
                    if action in done:
                        continue  # necessary once is usually enough
                    if risky and insight.where.scope is not Scope.VARIATION:
                        continue  # true of other variations' objects, maybe not of this one
                    value += weight * (2 * insight.confidence - 1)
                else:
                    value += weight * insight.confidence
                memories.append(f"insight:{insight.id}")
            if value:
                votes[action] = Vote(value, tuple(memories))
        return votes


LOOKAHEAD = 4  # useful steps an episode may skip: another layout needs other moves


def progress(useful: list[str], history: list[str]) -> int:
    """How far along an exemplar's useful steps this episode is: matched in order (the same
    action, or a close one), allowing a few skipped steps — another variation may not need,
    or not offer, every move the exemplar made."""
    position = 0
    for action in history:
        for offset, step in enumerate(useful[position : position + LOOKAHEAD]):
            if similarity(action, step) >= MATCH_THRESHOLD:
                position += offset + 1
                break
    return position


def similarity(action: str, target: str) -> float:
    """How surely ``action`` is ``target`` done on this variation's objects: the same
    template, a close wording, and mostly the same objects ("green light bulb" for "red
    light bulb" passes, "move table to freezer" for "move metal pot to freezer" does not)."""
    if action == target:
        return 1.0
    if template_of(action) != template_of(target):
        return 0.0
    ours, theirs = object_words(action), object_words(target)
    if ours and theirs and len(ours & theirs) / len(ours | theirs) < SAME_OBJECTS:
        return 0.0
    return lexical_similarity(action, target)


def closest(target: str, valid_actions: tuple[str, ...]) -> tuple[str | None, float]:
    """The valid action nearest to ``target``, with its similarity."""
    if target in valid_actions:
        return target, 1.0
    best, value = None, 0.0
    for action in valid_actions:
        candidate = similarity(action, target)
        if candidate > value:
            best, value = action, candidate
    return best, value


def named_by(action: str, task: str) -> bool:
    """Is what ``action`` acts on named in the task's description ("focus on paper clip" in
    "determine if paper clip is conductive")? Then it is this variation's object."""
    objects = object_words(action)
    return bool(objects) and objects <= content_words(task)


class ExemplarScorer:
    """Follow the best recalled trajectories of this task, Synapse-style.

    A trajectory of another variation is first rebound to this one (``agent.learning.roles``: its
    "aluminum foil" becomes this task's "paper clip"); the vote goes to the first of its next
    useful steps that can be taken here, so a step this layout does not offer is skipped.
    The best few trajectories are tried in turn: where one has nothing to say, the next may.
    """

    name = "exemplar"
    CONSULTED = 3

    def __init__(self, weight: float = 1.5) -> None:
        self.weight = weight

    def score(self, turn: Turn) -> Mapping[str, Vote]:
        history = [step.action for step in turn.history]
        recollection = turn.recollection
        for exemplar in self._ranked(recollection)[: self.CONSULTED]:
            pairs = bindings(exemplar.task_description, turn.task)
            useful = [rebind(action, pairs) for action in exemplar.useful_actions()]
            elsewhere = (exemplar.task, exemplar.variation) != (
                recollection.task,
                recollection.variation,
            )
            position = progress(useful, history)
            for offset, target in enumerate(useful[position : position + LOOKAHEAD]):
                action, match = closest(target, turn.valid_actions)
                if (
                    elsewhere
                    and action in turn.irreversible_actions
                    and not named_by(action, turn.task)
                ):
                    continue  # "focus on substance in fountain" was right there, not here
                if action is not None and match >= MATCH_THRESHOLD:
                    strength = self.weight * match * (0.5 + exemplar.score / 100)
                    return {action: Vote(strength * 0.8**offset, (f"exemplar:{exemplar.id}",))}
        return {}

    @staticmethod
    def _ranked(recollection: Recollection) -> list[Exemplar]:
        """Trajectories that scored, this task's before other tasks', best first."""
        scored = [e for e in recollection.exemplars if e.score > 0 and e.useful_actions()]
        return sorted(
            scored,
            key=lambda e: (e.task == recollection.task, e.score, -len(e.steps)),
            reverse=True,
        )


class ChainScorer:
    name = "chain"

    def __init__(self, weight: float = 0.8) -> None:
        self.weight = weight

    def score(self, turn: Turn) -> Mapping[str, Vote]:
        chain = turn.recollection.chain
        if not chain:
            return {}
        done = {step.action for step in turn.history}
        for target in chain:
            if target in done:
                continue
            if target in turn.valid_actions:
                return {target: Vote(self.weight, (f"graph:{target}",))}
        return {}


class FrontierScorer:
    """One calculated risk where memory has run out. When this episode has caught up with the
    best score of earlier trials of this variation and then explored ``STALL`` steps without
    a gain, it tries an irreversible action never tried here — the dead-end guard holds such
    actions back, so without memory the agent would never find out which one is right.

    The candidate is the one whose target is closest in meaning to the task (rooms and doors
    are never the thing to pick), and only if it stands out from the runner-up. A risk that
    lost is remembered and not repeated: one gamble per variation, unless it paid off.
    """

    name = "frontier"
    STALL = 8
    MARGIN = 0.02  # cosine lead over the runner-up needed to take the risk

    def __init__(self, embedder: Embedder, bonus: float = 4.5) -> None:
        self.embedder = embedder
        self.bonus = bonus

    def score(self, turn: Turn) -> Mapping[str, Vote]:
        trials = turn.recollection.own_trials()
        if not trials or not turn.irreversible_actions or not self._stalled(turn):
            return {}
        if turn.history[-1].score < max(e.score for e in trials) or self._lost_a_gamble(turn):
            return {}
        tried = {step.action for e in trials for step in e.steps}
        places = self._places(turn.recollection)
        untried = sorted(
            a
            for a in turn.irreversible_actions
            if a not in tried and not (set(object_words(a)) & places)
        )
        if not untried:
            return {}
        vectors = self.embedder.embed([turn.task, *untried])
        ranked = sorted(
            ((cosine(vectors[0], v), a) for v, a in zip(vectors[1:], untried, strict=True)),
            reverse=True,
        )
        if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < self.MARGIN:
            return {}
        return {ranked[0][1]: Vote(self.bonus, (f"exemplar:{trials[-1].id}",))}

    def _stalled(self, turn: Turn) -> bool:
        history = turn.history
        if len(history) < self.STALL:
            return False
        last_gain = max(
            (i for i in range(1, len(history)) if history[i].score > history[i - 1].score),
            default=0,
        )
        return len(history) - last_gain >= self.STALL

    def _lost_a_gamble(self, turn: Turn) -> bool:
        risky = {template_of(a) for a in turn.irreversible_actions}
        return any(
            step.fatal and template_of(step.action) in risky
            for e in turn.recollection.own_trials()
            for step in e.steps
        )

    @staticmethod
    def _places(recollection: Recollection) -> set[str]:
        """Words naming rooms seen in earlier trials, and doors: never the thing to pick."""
        words = {"door"}
        for exemplar in recollection.exemplars:
            for step in exemplar.steps:
                place = location_of(step.observation)
                if place:
                    words.update(place.split())
        return words


def memory_scorers(embedder: Embedder | None = None) -> list[Scorer]:
    """The scorers through which memory acts (the frontier one needs an embedder)."""
    scorers: list[Scorer] = [ExperienceScorer(), InsightScorer(), ExemplarScorer(), ChainScorer()]
    if embedder is not None:
        scorers.append(FrontierScorer(embedder))
    return scorers
