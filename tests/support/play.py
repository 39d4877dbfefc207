"""Playing a fixed list of actions through the real episode runner (for archive tests)."""

from __future__ import annotations

from dataclasses import replace

from agent.acting.agent import Agent, Decision
from agent.acting.episode import Episode, start_of
from agent.acting.policy import RandomPolicy
from agent.acting.state import Turn
from agent.environments.base import TextEnv
from memory.records import Start, Step


class Scripted(Agent):
    """An agent that takes the given actions in order (a real Agent: its decision records
    are made as usual, then the action is the script's)."""

    def __init__(self, actions: list[str]) -> None:
        super().__init__(RandomPolicy())
        self.actions = iter(actions)

    def act(self, turn: Turn) -> Decision:
        return replace(super().act(turn), action=next(self.actions))


def play(env: TextEnv, actions: list[str]) -> tuple[Start, list[Step]]:
    """One episode of exactly these actions: how it started, and its steps."""
    episode = Episode(env, Scripted(actions), max_steps=len(actions))
    _, info = episode.reset()
    return start_of(info), list(episode.steps())
