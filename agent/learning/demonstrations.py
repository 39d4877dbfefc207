"""Demonstrations: an environment's own oracle path (ScienceWorld's gold path, TextWorld's
walkthrough) played and remembered as an exemplar, its origin marked.

Evaluation data stays out: ScienceWorld *test*-split variations and TextWorld and TextCraft
games with seeds >= 10000 are refused, so nothing learned from them can inflate an evaluation.
"""

from __future__ import annotations

from agent.acting.agent import Agent, Decision
from agent.acting.episode import Episode, start_of
from agent.acting.policy import RandomPolicy
from agent.acting.state import Turn
from agent.environments.base import TextEnv
from agent.environments.textworld import seed_of
from agent.errors import EnvError, SpecError
from agent.learning.learner import MemoryLearner
from memory.knowledge import Exemplar, Origin
from memory.records import Candidate, Grounding
from reflection.trajectory import Trajectory

RESERVED_SEED = 10_000


def reserved_reason(env: TextEnv) -> str | None:
    """Why ``env`` is reserved for evaluation, or None."""
    seeded = {"textworld": "TextWorld", "textcraft": "TextCraft"}  # a seed names the game
    name = seeded.get(env.spec.name)
    if name and env.variation and seed_of(env.spec) >= RESERVED_SEED:
        return f"{name} seeds >= {RESERVED_SEED} are reserved for evaluation"
    split_of = getattr(env, "split", None)
    if callable(split_of) and split_of() == "test":
        return "ScienceWorld test-split variations are reserved for evaluation"
    return None


class Following(Agent):
    """Takes the oracle's actions in order: each step is recorded like any agent's."""

    def __init__(self, actions: list[str]) -> None:
        super().__init__(RandomPolicy())
        self.actions = iter(actions)

    def act(self, turn: Turn) -> Decision:
        action = next(self.actions)
        return Decision(
            action, None, Grounding.DEMONSTRATION, None, (Candidate(action, 0.0),), (), 0.0, 0.0
        )


def play_oracle(env: TextEnv) -> Trajectory:
    """Play the environment's oracle actions and record them as a trajectory."""
    actions = env.oracle_actions()
    if not actions:
        raise EnvError(f"{env.spec} has no oracle path to demonstrate")
    episode = Episode(env, Following(actions), max_steps=len(actions))
    observation, info = episode.reset()
    steps = tuple(episode.steps())
    return Trajectory(
        env.spec.name,
        env.spec.task,
        env.variation,
        str(env.spec),
        info["task"],
        observation,
        steps,
        start=start_of(info),
    )


def demonstrate(env: TextEnv, learner: MemoryLearner) -> Exemplar:
    reason = reserved_reason(env)
    if reason is not None:
        raise SpecError(f"{env.spec}: {reason}; demonstrate a train or dev variation")
    return learner.learn_from(play_oracle(env), origin=Origin.DEMONSTRATION.of("oracle"))
