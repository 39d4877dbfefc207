"""Every adapter passes check_env, on real engines."""

from __future__ import annotations

import pytest

from agent.environments import Environments, parse
from agent.environments.check import check_env

SPECS = [
    "scienceworld:boil@dev:0",
    "scienceworld:find-living-thing@train:1,simplification=none",
    "textworld:coin_collector@1,level=3",
    "textworld:treasure_hunter@2,level=3",
    "textworld:simple@3",
    "textworld:cooking@4,recipe=2,take=1,go=6",
]


@pytest.mark.slow
@pytest.mark.parametrize("text", SPECS)
def test_adapter_conforms(environments: Environments, text: str) -> None:
    check_env(environments.open(parse(text)), steps=8)


# TextCraft needs no JVM and no build: its games conform in the fast tier.
FAST_SPECS = ["textcraft:gray_banner@1", "textcraft:any@3,depth=4", "textcraft:any@8,distractors=0"]


@pytest.mark.parametrize("text", FAST_SPECS)
def test_a_fast_adapter_conforms(environments: Environments, text: str) -> None:
    check_env(environments.open(parse(text)), steps=8)


@pytest.mark.slow
def test_a_game_file_conforms(environments: Environments) -> None:
    generated = environments.open(parse("textworld:simple@5"))
    path = generated.path  # type: ignore[attr-defined]
    check_env(environments.open(parse(f"textworld:{path}")))
