"""What the agent learns, as data: insights (causal abstractions) and exemplar trajectories.

An ``Insight`` is CLIN's "X SHOULD BE NECESSARY to Y" as a typed record: a subject (an
action, or an action pattern), a ``Relation`` from the one enum every writer and reader
shares, a goal, a scope, and the evidence for and against it. Reflectors never edit insights
directly: they emit ``InsightUpdate``s and the store decides whether an update adds, supports,
refutes or supersedes (``memory.insights``).

An ``Exemplar`` is a whole trajectory (a trial, or an imported demonstration) with the credit
reflection gave each step, retrievable as an example of how a task went.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Relation(StrEnum):
    """How a subject bears on a goal. The values are the words prompts and exports use."""

    NECESSARY = "SHOULD BE NECESSARY"
    MAY_BE_NECESSARY = "MAY BE NECESSARY"
    MAY_CONTRIBUTE = "MAY CONTRIBUTE"
    DOES_NOT_CONTRIBUTE = "DOES NOT CONTRIBUTE"
    AVOID = "SHOULD BE AVOIDED"  # it ended the episode or lost the game

    @property
    def positive(self) -> bool:
        return self in POSITIVE

    @property
    def strength(self) -> int:
        """Rank within its polarity: a stronger claim replaces a weaker one when merged."""
        return {
            Relation.MAY_CONTRIBUTE: 1,
            Relation.MAY_BE_NECESSARY: 2,
            Relation.NECESSARY: 3,
            Relation.DOES_NOT_CONTRIBUTE: 1,
            Relation.AVOID: 2,
        }[self]


POSITIVE = frozenset({Relation.NECESSARY, Relation.MAY_BE_NECESSARY, Relation.MAY_CONTRIBUTE})


class Scope(StrEnum):
    """Where an insight holds, narrowest first."""

    VARIATION = "variation"
    TASK = "task"
    ENVIRONMENT = "environment"
    GLOBAL = "global"


class Status(StrEnum):
    ACTIVE = "active"
    SUPERSEDED = "superseded"  # contradicted by stronger evidence; kept, with its successor
    FORGOTTEN = "forgotten"  # hidden by a person; recoverable


class Origin(StrEnum):
    """Where an insight, a piece of evidence or an exemplar came from (its ``origin``), and
    who made a change (an operation's ``actor``). Two are composed with a detail, by ``of``:
    ``imported:<bundle>`` and ``demonstration:<source>`` (``demonstration:oracle``)."""

    EVIDENCE = "evidence"  # the evidence reflector: what score changes showed
    LLM = "llm"  # the model's reflection
    CITATION = "citation"  # insights the model cited while acting, judged by the outcome
    PROMOTION = "promotion"  # meta-memory: what narrower scopes add up to
    PERSON = "person"  # a person's claim or edit
    TRIAL = "trial"  # an exemplar that is a trial's own trajectory
    MIGRATION = "migration"  # a schema migration (an operation's actor only)
    IMPORTED = "imported"  # composed: imported:<bundle name>
    DEMONSTRATION = "demonstration"  # composed: demonstration:<source>

    def of(self, detail: str) -> str:
        """The composed origin: ``Origin.IMPORTED.of("boil.cairn.zip")``."""
        return f"{self.value}:{detail}"


@dataclass(frozen=True)
class Where:
    """Where an insight holds: ``scienceworld/boil/3``, ``textworld/cooking/4,go=6``,
    ``scienceworld/boil``, ``global``... A variation is named by its identity: its index or
    seed and every option that makes it another game (``agent.environments``)."""

    scope: Scope
    env: str | None = None
    task: str | None = None
    variation: str | None = None

    def __str__(self) -> str:
        parts = [p for p in (self.env, self.task, self.variation) if p is not None]
        return "/".join(str(p) for p in parts) or "global"

    def widen(self) -> Where:
        """The next scope up: variation -> task -> environment -> global."""
        if self.scope is Scope.VARIATION:
            return Where(Scope.TASK, self.env, self.task)
        if self.scope is Scope.TASK:
            return Where(Scope.ENVIRONMENT, self.env)
        return Where(Scope.GLOBAL)


def claim(subject: str, relation: Relation, goal: str) -> str:
    """An insight as one line of text, in the grammar every prompt and parser uses."""
    return f"{subject} {relation.value} to {goal}"


_ARTICLES = re.compile(r"\b(?:the|a|an)\b")


def normalise(text: str) -> str:
    """The form used to recognise the same subject or goal written twice."""
    text = _ARTICLES.sub(" ", text.lower())
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Insight:
    subject: str
    relation: Relation
    goal: str
    where: Where
    support: float = 0.0
    refute: float = 0.0
    id: int | None = None
    status: Status = Status.ACTIVE
    origin: str = Origin.EVIDENCE  # an Origin, or a composed one ("imported:<bundle>")
    pinned: bool = False
    order: float | None = None  # mean relative position (0..1) in the trajectories it came from
    superseded_by: int | None = None
    edited_by: str | None = None  # Origin.PERSON once a person changed it by hand

    @property
    def confidence(self) -> float:
        """Laplace-smoothed share of the evidence that supports the claim."""
        return (self.support + 1.0) / (self.support + self.refute + 2.0)

    @property
    def text(self) -> str:
        return claim(self.subject, self.relation, self.goal)

    @property
    def key(self) -> tuple[str, str, str]:
        return normalise(self.subject), normalise(self.goal), str(self.where)


@dataclass(frozen=True)
class InsightUpdate:
    """One piece of evidence a reflector found: "this subject bears on this goal like so"."""

    subject: str
    relation: Relation
    goal: str
    where: Where
    weight: float = 1.0
    origin: str = Origin.EVIDENCE  # an Origin, or a composed one ("imported:<bundle>")
    trial_id: int | None = None
    steps: tuple[int, ...] = ()
    order: float | None = None
    reason: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return normalise(self.subject), normalise(self.goal), str(self.where)


@dataclass(frozen=True)
class ExemplarStep:
    action: str
    observation: str
    reward: float
    score: float
    state_key: str = ""
    credit: float = 0.0  # discounted score gain that followed this step (reflection)
    useful: bool = False  # on the path to the trajectory's final score
    fatal: bool = False  # this action ended the episode badly
    location: str = ""  # where it left the player (the engine's word; "" if not known)


@dataclass(frozen=True)
class Exemplar:
    env: str
    task: str
    variation: str | None  # the variation's identity, as in ``Where``
    spec: str
    task_description: str
    score: float
    won: bool
    steps: tuple[ExemplarStep, ...]
    origin: str = Origin.TRIAL  # or demonstration:oracle, imported:<bundle> (was ...)
    trial_id: int | None = None
    id: int | None = None
    uid: str | None = None  # its name in the home it was made in (``memory.identity``)

    def useful_actions(self) -> list[str]:
        return [step.action for step in self.steps if step.useful]

    def scoring_actions(self) -> list[str]:
        """The steps that raised the score: what of this game carries to another one (the
        rest of its useful steps were the way there, in its layout, with its habits)."""
        raised, before = [], 0.0
        for step in self.steps:
            if step.useful and step.score > before:
                raised.append(step.action)
            before = step.score
        return raised
