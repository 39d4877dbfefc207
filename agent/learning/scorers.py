"""Memory acting on the choice: scorers that read the trial's recollection, which every
``Turn`` carries (``turn.recollection``; empty when memory is off, so they are silent).

    insight     actions named by insights: necessary ones not yet done up, fruitless and
                fatal ones down; narrower scopes and higher confidence weigh more
    exemplar    the next step of the best similar trajectories (their useful steps, in
                order, rebound to this variation's objects)
    chain       the next undone action of the task's precondition chain (knowledge graph)

Every vote names the memories behind it, so each decision records what influenced it.
What the archive of the game says (what each action did in each cell, the plan of the
trial) acts through the explorer (``agent.learning.explore``).
"""

from __future__ import annotations

from collections.abc import Mapping

from agent.acting.grounding import MATCH_THRESHOLD, closest, similarity
from agent.acting.policy import Scorer, Vote, default_scorers
from agent.acting.state import Turn
from agent.acting.text import content_words, object_words
from agent.learning.explore import Explorer
from agent.learning.recall import SCOPE_WEIGHT, Recollection, relation_weight
from agent.learning.roles import bindings, rebind
from memory.knowledge import Exemplar, Scope, normalise


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


def memory_scorers() -> list[Scorer]:
    """The scorers through which memory's insights, exemplars and graph act (the archive
    acts through the explorer, ``agent.learning.explore``, with memory on or off)."""
    return [InsightScorer(), ExemplarScorer(), ChainScorer()]


def policy_scorers(memory: bool) -> list[Scorer]:
    """Every voice of the policy: the priors of acting, the explorer (with memory off it
    explores from what the episode saw), and memory's own scorers if memory is on."""
    return [*default_scorers(), Explorer(), *(memory_scorers() if memory else [])]
