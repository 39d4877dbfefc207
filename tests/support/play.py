"""Playing a fixed list of actions through the real episode runner (for archive tests)."""

from __future__ import annotations

from agent.acting.episode import Episode, start_of
from agent.environments.base import TextEnv
from agent.learning.demonstrations import Following
from memory.records import Start, Step


def play(env: TextEnv, actions: list[str]) -> tuple[Start, list[Step]]:
    """One episode of exactly these actions: how it started, and its steps."""
    episode = Episode(env, Following(actions), max_steps=len(actions))
    _, info = episode.reset()
    return start_of(info), list(episode.steps())
