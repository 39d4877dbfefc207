"""One episode as a generator of immutable ``Step`` records.

    episode = Episode(env, agent, max_steps=50)
    observation, info = episode.reset()
    for step in episode.steps(recollection):   # what memory recalled for this trial
        ...

The episode ends when the environment terminates it, when no action is valid, or at
``max_steps`` (then the last step is marked truncated).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from agent.acting.agent import Agent
from agent.acting.state import Turn, state_key
from agent.environments.base import EnvInfo, TextEnv
from agent.learning.recall import Recollection
from knowledge_graph.entities import objects_of
from memory.records import Situation, Start, Step


class Episode:
    def __init__(
        self, env: TextEnv, agent: Agent, *, max_steps: int, seed: int | None = None
    ) -> None:
        if max_steps < 1:
            raise ValueError("max_steps must be at least 1")
        self.env = env
        self.agent = agent
        self.max_steps = max_steps
        self.seed = seed
        self.task = ""
        self.initial_observation = ""
        self._info: EnvInfo | None = None

    def reset(self) -> tuple[str, EnvInfo]:
        observation, info = self.env.reset(seed=self.seed)
        self.task, self.initial_observation, self._info = info["task"], observation, info
        return observation, info

    def steps(self, recollection: Recollection | None = None) -> Iterator[Step]:
        """The trial's steps; every turn carries ``recollection`` (none: memory is silent)."""
        if self._info is None:
            raise RuntimeError("call reset() before steps()")
        info, observation = self._info, self.initial_observation
        start = situation_of(info)
        history: list[Step] = []
        recollection = Recollection() if recollection is None else recollection
        for index in range(1, self.max_steps + 1):
            if not info["valid_actions"]:
                return
            turn = Turn(
                task=self.task,
                observation=observation,
                valid_actions=tuple(info["valid_actions"]),
                history=tuple(history),
                irreversible_actions=frozenset(info["irreversible_actions"]),
                initial_observation=self.initial_observation,
                situation=situation_of(info),
                start=start,
                view=info["view"],
                max_steps=self.max_steps,
                recollection=recollection,
            )
            decision = self.agent.act(turn)
            started = time.perf_counter()
            observation, reward, terminated, truncated, info = self.env.step(decision.action)
            env_seconds = time.perf_counter() - started
            step = Step(
                index=index,
                action=decision.action,
                observation=observation,
                reward=reward,
                score=info["score"],
                won=info["won"],
                lost=info["lost"],
                terminated=terminated,
                truncated=truncated or (index == self.max_steps and not terminated),
                proposal=decision.proposal,
                grounding=decision.grounding,
                note=decision.note,
                candidates=decision.candidates,
                llm_calls=decision.llm_calls,
                env_seconds=env_seconds,
                llm_seconds=decision.llm_seconds,
                agent_seconds=decision.agent_seconds,
                state_key=turn.state_key,
                cited=decision.cited,
                location=info["location"],
                inventory=tuple(info["inventory"]),
                seen=things_named(info["valid_actions"]),
                choices=tuple(
                    a for a in info["valid_actions"] if a not in info["irreversible_actions"]
                ),
                risks=tuple(info["irreversible_actions"]),
            )
            history.append(step)
            yield step
            if step.done:
                return


def start_of(info: EnvInfo) -> Start:
    """How an episode begins (what the archive records of its start)."""
    situation = situation_of(info)
    valid = tuple(info["valid_actions"])
    return Start(
        situation,
        state_key(valid, situation, info["view"]),
        tuple(a for a in valid if a not in info["irreversible_actions"]),
        things_named(info["valid_actions"]),
        tuple(info["irreversible_actions"]),
    )


def situation_of(info: EnvInfo) -> Situation:
    return Situation(info["location"], tuple(info["inventory"]), info["score"])


def things_named(valid_actions: list[str]) -> tuple[str, ...]:
    """The things the valid actions act on: what the player can see and reach."""
    return tuple(sorted({name for action in valid_actions for name in objects_of(action)}))
