"""Memory belongs to the game it came from: a variation is everything that makes it a game."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import cairn


@pytest.mark.slow
def test_two_levels_of_one_seed_are_two_games_to_memory(tmp_path: Path, cache_root: Path) -> None:
    home = str(tmp_path / "home")

    def run(spec: str, *args: str) -> None:
        result = cairn("run", spec, "--policy", "evidence", "--home", home, *args, cache=cache_root)
        assert result.returncode == 0, result.stderr

    def insights() -> dict[int, dict[str, object]]:
        listed = cairn("memory", "list", "--home", home, "--json", cache=cache_root)
        return {i["id"]: i for i in json.loads(listed.stdout)}

    run("textworld:coin_collector@3,level=2", "--trials", "2")
    learned = insights()
    assert learned and all(
        i["where"] == "textworld/coin_collector/3,level=2" for i in learned.values()
    )
    run("textworld:coin_collector@3,level=8", "--trials", "1", "--max-steps", "15")

    trials = json.loads(cairn("logs", "trials", "--home", home, "--json", cache=cache_root).stdout)
    assert [t["variation"] for t in trials] == ["3,level=8"]  # the last run's
    steps = json.loads(
        cairn(
            "logs", "steps", str(trials[-1]["id"]), "--home", home, "--json", cache=cache_root
        ).stdout
    )["steps"]
    used = {m for s in steps for c in s["candidates"] for m in c["memories"]}
    assert not used & {f"insight:{i}" for i in learned}  # nothing of level 2 acted on level 8
    assert not any("experience" in c["evidence"] for s in steps for c in s["candidates"])
    after = insights()
    for insight_id, before in learned.items():  # level 8's trial is no evidence about level 2
        assert (after[insight_id]["support"], after[insight_id]["refute"]) == (
            before["support"],
            before["refute"],
        )
