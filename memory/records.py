"""The vocabulary every layer shares: immutable records of runs, trials, steps and LLM calls.

These are plain frozen dataclasses. The store (``memory.store``) persists them; the agent
produces them; reflection reads them. Nothing here knows about environments or models beyond
their names. The closed sets of words the records store (how a step was grounded, how a run
or trial stands) are enums whose values are the stored strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Grounding(StrEnum):
    """How a step's action was reached (``Step.grounding``)."""

    LABEL = "label"  # the menu label the model rated highest
    EXACT = "exact"  # the model wrote a valid action, word for word
    LEXICAL = "lexical"  # ... near enough in its characters
    EMBEDDING = "embedding"  # ... near enough in meaning (MiniLM, with a margin)
    NONE = "none"  # what the model wrote is no valid action (a proposal's, never a step's)
    POLICY = "policy"  # the policy chose, the model had no say or was outweighed
    DEMONSTRATION = "demonstration"  # an oracle path's step (``cairn memory demo``)


class RunStatus(StrEnum):
    """How a run or a trial stands: running until it ends, then done, failed or interrupted
    (Ctrl-C, SIGTERM, SIGHUP)."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class Situation:
    """Where the player is, what it holds and its score, as the environment reports them."""

    location: str = ""
    inventory: tuple[str, ...] = ()
    score: float = 0.0

    @property
    def cell(self) -> str:
        """A coarse state, Go-Explore's cell: the place, what is held, the score reached
        ("kitchen|orange|25"). Readable, so the archive can be inspected by a person."""
        return f"{self.location}|{','.join(self.inventory)}|{self.score:g}"


@dataclass(frozen=True)
class Start:
    """How an episode began: the situation, its fine state (``Turn.state_key``), the
    reversible actions valid there, the things they named and the irreversible ones."""

    situation: Situation = field(default_factory=Situation)
    state: str = ""
    choices: tuple[str, ...] = ()
    seen: tuple[str, ...] = ()
    risks: tuple[str, ...] = ()


@dataclass(frozen=True)
class LLMCall:
    """One request to a language model and what came back (or the error that did)."""

    model: str
    messages: tuple[dict[str, str], ...]
    options: dict[str, Any]
    response: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    error: str | None = None


@dataclass(frozen=True)
class Candidate:
    """One action the policy weighed, with the evidence that made up its score and the
    memories (``insight:12``, ``exemplar:5``...) behind that evidence."""

    action: str
    score: float
    evidence: dict[str, float] = field(default_factory=dict)
    memories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """What happened at one step of an episode: the decision, the action and its outcome.

    ``proposal`` is what the model wrote (if it wrote free text); ``grounding`` names how
    the action was reached (a ``Grounding``). ``note`` is the feedback about invalid output
    that the model sees next turn.
    """

    index: int
    action: str
    observation: str
    reward: float
    score: float
    won: bool
    terminated: bool
    truncated: bool
    proposal: str | None = None
    lost: bool = False
    grounding: Grounding = Grounding.POLICY
    note: str | None = None
    candidates: tuple[Candidate, ...] = ()
    llm_calls: tuple[LLMCall, ...] = ()
    env_seconds: float = 0.0
    llm_seconds: float = 0.0
    agent_seconds: float = 0.0
    state_key: str = ""  # identifies the situation the action was taken in (see agent.acting.state)
    cited: tuple[int, ...] = ()  # insight ids the model said it used for this decision
    # Where the action left the player (like ``observation``, the step's result): its place,
    # what it held, and the things the valid actions there named.
    location: str = ""
    inventory: tuple[str, ...] = ()
    seen: tuple[str, ...] = ()
    # What could be done next (the reversible valid actions after it): for exploring, which
    # reads it during the episode and into the archive after it. Not stored with the step.
    choices: tuple[str, ...] = field(default=(), compare=False, repr=False)
    risks: tuple[str, ...] = field(default=(), compare=False, repr=False)  # irreversible ones

    @property
    def done(self) -> bool:
        return self.terminated or self.truncated

    @property
    def situation(self) -> Situation:
        """Where the step left the player."""
        return Situation(self.location, self.inventory, self.score)


@dataclass(frozen=True)
class TrialOutcome:
    """The result of one trial, as reported to the user."""

    score: float
    won: bool
    steps: int
    seconds: float
    status: RunStatus = RunStatus.DONE
    error: str | None = None
