from __future__ import annotations

from pathlib import Path

import pytest

from agent.environments import Environments, parse
from agent.environments.textworld import GameCache, TextWorld, clean_feedback
from agent.errors import SpecError


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "textworld:coin_collector@11,level=5",
        "textworld:treasure_hunter@12,level=5",
        "textworld:simple@13,rewards=sparse",
        "textworld:cooking@14,recipe=2,take=2,go=6,open=1,cut=1,cook=1",
    ],
)
def test_the_walkthrough_wins(environments: Environments, text: str) -> None:
    env = environments.open(parse(text))
    walkthrough = env.oracle_actions()
    assert walkthrough
    _, start = env.reset()
    rewards = 0.0
    for action in walkthrough:
        _, reward, terminated, _, info = env.step(action)
        rewards += reward
    assert terminated and info["won"] and info["score"] == 100.0
    # each reward is the score's change, not the score
    assert rewards == info["raw_score"] - start["raw_score"]


@pytest.mark.slow
def test_games_are_cached_by_their_parameters(tmp_path: Path) -> None:
    cache = GameCache(tmp_path)
    first = TextWorld(parse("textworld:coin_collector@21,level=2"), cache).path
    built_at = first.stat().st_mtime_ns
    again = TextWorld(parse("textworld:coin_collector@21,level=2"), cache).path
    other = TextWorld(parse("textworld:coin_collector@21,level=3"), cache).path
    assert again == first and first.stat().st_mtime_ns == built_at
    assert other != first
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json", ".json", ".z8", ".z8"]


@pytest.mark.slow
def test_the_observation_has_no_banner_or_prompt(environments: Environments) -> None:
    observation, info = environments.open(parse("textworld:simple@3")).reset()
    assert "$$" not in observation and not observation.rstrip().endswith(">")
    assert info["task"] in observation


def test_clean_feedback_keeps_the_text() -> None:
    raw = "  ___  \n |  \\$$ \n\nWelcome!\n\n-= Kitchen =-\nA room.\n\n>  -= Kitchen =-0/1"
    assert clean_feedback(raw) == "Welcome!\n\n-= Kitchen =-\nA room."


def test_a_missing_game_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no game file"):
        TextWorld(parse(f"textworld:{tmp_path}/nothing.z8"), GameCache(tmp_path))
