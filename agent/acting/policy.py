"""The policy: a choice over every valid action, scored by the model's preference plus evidence.

Each ``Scorer`` gives sparse evidence (a number per action it has an opinion on). The policy
adds them up with the model's log-probability for the action, so the model is one voice among
several — the next layer of evidence (memory) plugs in as more scorers. The scorers here guard
against the two ways small models waste episodes: loops (repeating what changed nothing) and
dead ends (ScienceWorld's wrong ``focus on`` ends the episode with a score of −100).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from agent.acting.needs import NeedsScorer
from agent.acting.reading import InstructionScorer
from agent.acting.state import Turn
from agent.acting.text import content_words, goal_words, object_words, template_of, words
from memory.records import Candidate


@dataclass(frozen=True)
class Vote:
    """A scorer's say on one action, with the memories behind it (``insight:12``...)."""

    value: float
    memories: tuple[str, ...] = ()


class Scorer(Protocol):
    name: str

    def score(self, turn: Turn) -> Mapping[str, float | Vote]: ...


@dataclass
class Evidence:
    """Every scorer's contribution to every valid action, and the memories behind them."""

    parts: dict[str, dict[str, float]] = field(default_factory=dict)  # action -> scorer -> value
    memories: dict[str, list[str]] = field(default_factory=dict)

    def total(self, action: str) -> float:
        return sum(self.parts[action].values())

    def __iter__(self) -> Iterator[str]:
        return iter(self.parts)


class Relevance:
    """Actions whose objects are named in the task, or just appeared (rarer words count more).

    Only the words after the command template count: a task that says "focus on the
    substance" must not make every "focus on X" look relevant. Words new in the latest
    observation (what an action just revealed) count more than words seen all along.
    """

    name = "relevance"

    def __init__(self, task: float = 1.0, new: float = 0.5, seen: float = 0.1) -> None:
        self.weights = (task, new, seen)

    def score(self, turn: Turn) -> dict[str, float]:
        task = content_words(turn.task)
        current = content_words(turn.observation)
        new = current - content_words(_previous_observation(turn))
        groups = (task, new, current - new)
        frequency = Counter(w for a in turn.valid_actions for w in object_words(a))
        total = len(turn.valid_actions) + 1
        scores = {}
        for action in turn.valid_actions:
            own = object_words(action)
            if not own:
                continue
            rarity = {w: math.log(total / (1 + frequency[w])) + 1 for w in own}
            norm = sum(rarity.values())
            value = sum(
                weight * sum(rarity[w] for w in own & group) / norm
                for weight, group in zip(self.weights, groups, strict=True)
            )
            if value:
                scores[action] = value
        return scores


def _previous_observation(turn: Turn) -> str:
    """What the agent saw before the latest observation ("" at the start: all is new)."""
    if len(turn.history) >= 2:
        return turn.history[-2].observation
    return turn.initial_observation if turn.history else ""


class TemplatePrior:
    """Choose a command first, then its object: an action of a template with many instances
    (``move X to Y`` over every pair of objects) is a priori less likely than ``look around``.
    """

    name = "template"

    def __init__(self, weight: float = 0.3) -> None:
        self.weight = weight

    def score(self, turn: Turn) -> dict[str, float]:
        sizes = Counter(template_of(a) for a in turn.valid_actions)
        return {
            a: -self.weight * math.log(sizes[template_of(a)])
            for a in turn.valid_actions
            if sizes[template_of(a)] > 1
        }


class DeadEndGuard:
    """Keep away from irreversible actions the task does not point at, or already taken.

    The target must share a word with what the task is *about*: words in destination
    phrases ("move it to the red box") do not count, since focusing on the destination is
    the classic ScienceWorld dead end. Memory can overturn this prior with evidence.
    """

    name = "dead_end"

    def __init__(
        self, penalty: float = 3.0, repeat_penalty: float = 8.0, caution: float = 1.0
    ) -> None:
        self.penalty = penalty
        self.repeat_penalty = repeat_penalty
        self.caution = caution  # even a plausible irreversible action needs a good reason

    def score(self, turn: Turn) -> dict[str, float]:
        goal = goal_words(turn.task)
        done = {step.action for step in turn.heeded}  # one the game ignored is still to take
        places = self.places(turn)
        scores = {}
        for action in turn.irreversible_actions:
            target = content_words(" ".join(words(action)[2:]))  # "focus on X" -> X
            if action in done:
                scores[action] = -self.repeat_penalty
            elif not target & goal or target <= places:
                scores[action] = -self.penalty
            else:
                scores[action] = -self.caution
        return scores

    @staticmethod
    def places(turn: Turn) -> frozenset[str]:
        """Words of the rooms been in so far (as the engine names them), and doors: places
        are where things are, not the thing a task asks to pick ("focus on living room" is
        not "a living thing")."""
        rooms = [turn.start.location, turn.situation.location]
        rooms += [step.location for step in turn.history]
        return content_words(" ".join(rooms)) | {"door"}


def default_scorers() -> list[Scorer]:
    return [
        Relevance(),
        InstructionScorer(),
        TemplatePrior(),
        DeadEndGuard(),
        NeedsScorer(),
    ]


@dataclass(frozen=True)
class Choice:
    action: str
    candidates: tuple[Candidate, ...]  # the best few, with their evidence, best first


class Policy:
    """Adds the model's preference to the scorers' evidence and picks the best action."""

    def __init__(
        self,
        scorers: Sequence[Scorer] | None = None,
        *,
        llm_weight: float = 1.0,
        seed: int = 0,
        keep: int = 5,
    ) -> None:
        self.scorers = list(default_scorers() if scorers is None else scorers)
        self.llm_weight = llm_weight
        self.keep = keep
        self._random = random.Random(seed)

    def reseed(self, seed: int) -> None:
        """Tie-breaking from ``seed`` on (each trial gets its own: retrying differs)."""
        self._random = random.Random(seed)

    def evidence(self, turn: Turn) -> Evidence:
        evidence = Evidence({a: {} for a in turn.valid_actions})
        for scorer in self.scorers:
            for action, vote in scorer.score(turn).items():
                value = vote.value if isinstance(vote, Vote) else vote
                if action not in evidence.parts or not value:
                    continue
                evidence.parts[action][scorer.name] = value
                if isinstance(vote, Vote) and vote.memories:
                    evidence.memories.setdefault(action, []).extend(vote.memories)
        return evidence

    def shortlist(self, evidence: Evidence, size: int, per_verb: int = 3) -> list[str]:
        """The ``size`` best actions by evidence alone, at most ``per_verb`` of each verb.

        This is the menu the model is shown: what a person would look at first, not the
        hundreds of junk combinations an engine admits.
        """
        ranked = sorted(
            evidence, key=lambda a: (evidence.total(a), self._random.random()), reverse=True
        )
        chosen: list[str] = []
        verbs: Counter[str] = Counter()
        for action in ranked:
            verb = template_of(action)
            if verbs[verb] < per_verb:
                chosen.append(action)
                verbs[verb] += 1
                if len(chosen) == size:
                    return chosen
        picked = set(chosen)
        return chosen + [a for a in ranked if a not in picked][: size - len(chosen)]

    def choose(
        self, turn: Turn, evidence: Evidence, preference: Mapping[str, float] | None = None
    ) -> Choice:
        """``preference`` maps actions to the model's log-probabilities (absent: the lowest)."""
        preference = dict(preference or {})
        floor = min(preference.values()) - 1.0 if preference else 0.0
        ranked = []
        for action, found in evidence.parts.items():
            parts = dict(found)
            if preference:
                parts["llm"] = self.llm_weight * preference.get(action, floor)
            total = sum(parts.values()) + self._random.uniform(0, 1e-3)  # fair tie-breaking
            memories = tuple(dict.fromkeys(evidence.memories.get(action, ())))
            ranked.append(Candidate(action, round(total, 4), parts, memories))
        ranked.sort(key=lambda c: c.score, reverse=True)
        return Choice(ranked[0].action, tuple(ranked[: self.keep]))


class RandomPolicy(Policy):
    """The scale-setting baseline: a uniformly random valid action, no evidence, no model."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__([], seed=seed)

    def choose(
        self, turn: Turn, evidence: Evidence, preference: Mapping[str, float] | None = None
    ) -> Choice:
        action = self._random.choice(turn.valid_actions)
        return Choice(action, (Candidate(action, 0.0, {}),))
