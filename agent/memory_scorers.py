"""Memory acting on the choice: scorers that read the trial's recollection.

    experience  what was done before in this very state: actions that led to a score gain up
                (by their credit), actions that changed nothing or lost the game down, and
                actions never tried here a little up (explore where memory is silent)
    insight     actions named by insights: necessary ones not yet done up, fruitless and
                fatal ones down; narrower scopes and higher confidence weigh more
    exemplar    the next step of the best similar trajectory (its useful steps, in order)
    chain       the next undone action of the task's precondition chain (knowledge graph)

Every vote names the memories behind it, so each decision records what influenced it.
"""

from __future__ import annotations

from collections.abc import Mapping

from agent.grounding import lexical_similarity
from agent.policy import Scorer, Vote
from agent.recall import SCOPE_WEIGHT, RecallBox, relation_weight
from agent.state import Turn
from agent.text import template_of
from memory.knowledge import Exemplar, Insight, normalise

EXPLORE_BONUS = 0.4
MATCH_THRESHOLD = 0.8


class ExperienceScorer:
    name = "experience"

    def __init__(self, box: RecallBox) -> None:
        self.box = box

    def score(self, turn: Turn) -> Mapping[str, Vote]:
        records = self.box.recollection.experience.get(turn.state_key)
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

    def __init__(self, box: RecallBox) -> None:
        self.box = box
        self._indexed: object = None
        self._by_subject: dict[str, list[Insight]] = {}

    def score(self, turn: Turn) -> Mapping[str, Vote]:
        recollection = self.box.recollection
        if self._indexed is not recollection:  # index once per trial, not per step
            self._indexed, self._by_subject = recollection, recollection.by_subject()
        if not self._by_subject:
            return {}
        done = {step.action for step in turn.history}
        votes = {}
        for action in turn.valid_actions:
            insights = self._by_subject.get(normalise(action))
            if not insights:
                continue
            value, memories = 0.0, []
            for insight in insights:
                weight = relation_weight(insight.relation) * SCOPE_WEIGHT[insight.where.scope]
                if weight > 0:
                    if action in done:
                        continue  # necessary once is usually enough
                    value += weight * (2 * insight.confidence - 1)
                else:
                    value += weight * insight.confidence
                memories.append(f"insight:{insight.id}")
            if value:
                votes[action] = Vote(value, tuple(memories))
        return votes


def progress(useful: list[str], history: list[str]) -> int:
    """How far along an exemplar's useful steps this episode is: matched in order (the same
    action, or a close one: another variation names its objects differently)."""
    position = 0
    for action in history:
        if position < len(useful) and (
            action == useful[position]
            or lexical_similarity(action, useful[position]) >= MATCH_THRESHOLD
        ):
            position += 1
    return position


def closest(target: str, valid_actions: tuple[str, ...]) -> tuple[str | None, float]:
    """The valid action nearest to ``target`` (same command template), with its similarity."""
    if target in valid_actions:
        return target, 1.0
    template = template_of(target)
    best, similarity = None, 0.0
    for action in valid_actions:
        if template_of(action) == template:
            value = lexical_similarity(target, action)
            if value > similarity:
                best, similarity = action, value
    return best, similarity


class ExemplarScorer:
    name = "exemplar"

    def __init__(self, box: RecallBox, weight: float = 1.5) -> None:
        self.box = box
        self.weight = weight

    def score(self, turn: Turn) -> Mapping[str, Vote]:
        best = self._best(self.box.recollection.exemplars)
        if best is None:
            return {}
        useful = best.useful_actions()
        position = progress(useful, [step.action for step in turn.history])
        if position >= len(useful):
            return {}
        action, similarity = closest(useful[position], turn.valid_actions)
        if action is None or similarity < MATCH_THRESHOLD:
            return {}
        strength = self.weight * similarity * (0.5 + best.score / 100)
        return {action: Vote(strength, (f"exemplar:{best.id}",))}

    @staticmethod
    def _best(exemplars: tuple[Exemplar, ...]) -> Exemplar | None:
        scored = [e for e in exemplars if e.score > 0 and e.useful_actions()]
        return max(scored, key=lambda e: (e.score, -len(e.steps))) if scored else None


class ChainScorer:
    name = "chain"

    def __init__(self, box: RecallBox, weight: float = 0.8) -> None:
        self.box = box
        self.weight = weight

    def score(self, turn: Turn) -> Mapping[str, Vote]:
        chain = self.box.recollection.chain
        if not chain:
            return {}
        done = {step.action for step in turn.history}
        for target in chain:
            if target in done:
                continue
            if target in turn.valid_actions:
                return {target: Vote(self.weight, (f"graph:{target}",))}
        return {}


def memory_scorers(box: RecallBox) -> list[Scorer]:
    return [
        ExperienceScorer(box),
        InsightScorer(box),
        ExemplarScorer(box),
        ChainScorer(box),
    ]
