"""Demonstrations: an environment's own oracle path (ScienceWorld's gold path, TextWorld's
walkthrough) played and remembered as an exemplar, its origin marked.

Evaluation data stays out: ScienceWorld *test*-split variations and TextWorld games with
seeds >= 10000 are refused, so nothing learned from them can inflate an evaluation.
"""

from __future__ import annotations

from agent.acting.state import state_key
from agent.environments.base import TextEnv
from agent.environments.textworld import seed_of
from agent.errors import EnvError, SpecError
from agent.learning.learner import MemoryLearner
from memory.knowledge import Exemplar, Origin
from memory.records import Grounding, Step
from reflection.trajectory import Trajectory

RESERVED_SEED = 10_000


def reserved_reason(env: TextEnv) -> str | None:
    """Why ``env`` is reserved for evaluation, or None."""
    if env.spec.name == "textworld" and env.variation and seed_of(env.spec) >= RESERVED_SEED:
        return f"TextWorld seeds >= {RESERVED_SEED} are reserved for evaluation"
    split_of = getattr(env, "split", None)
    if callable(split_of) and split_of() == "test":
        return "ScienceWorld test-split variations are reserved for evaluation"
    return None


def play_oracle(env: TextEnv) -> Trajectory:
    """Play the environment's oracle actions and record them as a trajectory."""
    actions = env.oracle_actions()
    if not actions:
        raise EnvError(f"{env.spec} has no oracle path to demonstrate")
    observation, info = env.reset()
    initial, task, steps = observation, info["task"], []
    for index, action in enumerate(actions, 1):
        key = state_key(tuple(info["valid_actions"]))
        observation, reward, terminated, truncated, info = env.step(action)
        steps.append(
            Step(
                index,
                action,
                observation,
                reward,
                info["score"],
                info["won"],
                terminated,
                truncated,
                lost=info["lost"],
                grounding=Grounding.DEMONSTRATION,
                state_key=key,
            )
        )
        if terminated:
            break
    return Trajectory(
        env.spec.name, env.spec.task, env.variation, str(env.spec), task, initial, tuple(steps)
    )


def demonstrate(env: TextEnv, learner: MemoryLearner) -> Exemplar:
    reason = reserved_reason(env)
    if reason is not None:
        raise SpecError(f"{env.spec}: {reason}; demonstrate a train or dev variation")
    return learner.learn_from(play_oracle(env), origin=Origin.DEMONSTRATION.of("oracle"))
