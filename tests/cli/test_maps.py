"""What exploring found, from the command line: `cairn memory archive`, `cairn graph show
--map` and `cairn graph export ... --map` on a home that played a toy maze."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import cairn, cairn_json, hash_home, one_error_line

MAZE = "toy:maze@2,rooms=8"


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory, cache_root: Path) -> tuple[Path, Path]:
    home = hash_home(tmp_path_factory.mktemp("maps") / "home")
    h = ("--home", str(home))
    result = cairn("run", MAZE, "--policy", "evidence", "--trials", "2", *h, cache=cache_root)
    assert result.returncode == 0, result.stderr
    return home, cache_root


def test_the_archive_lists_each_game_and_one_games_cells(played: tuple[Path, Path]) -> None:
    home, cache = played
    h = ("--home", str(home))
    (game,) = cairn_json("memory", "archive", *h, cache=cache)
    assert (game["env"], game["task"], game["variation"]) == ("toy", "maze", "2,rooms=8")
    assert game["trials"] == 2 and game["won"] is True and game["cells"] >= 8
    cells = cairn_json("memory", "archive", MAZE, *h, cache=cache)["cells"]
    (won,) = [c for c in cells if c["won"]]
    assert won["way"][-1] == "take coin"
    shown = cairn("memory", "archive", MAZE, *h, cache=cache)
    assert shown.returncode == 0 and "2 trials" in shown.stdout and won["cell"] in shown.stdout
    one_error_line(
        cairn("memory", "archive", "toy:maze@9", *h, cache=cache), "no archive for toy:maze@9"
    )


def test_the_map_is_drawn_from_the_start_and_read_as_json(played: tuple[Path, Path]) -> None:
    home, cache = played
    h = ("--home", str(home))
    found = cairn_json("graph", "show", "--map", MAZE, *h, cache=cache)
    assert found["game"] == "toy/maze/2,rooms=8" and len(found["places"]) == 8  # all explored
    assert any("coin" in things for things in found["seen"].values())
    assert not any({"north", "south", "east", "west"} & set(t) for t in found["seen"].values())
    tree = cairn("graph", "show", "--map", MAZE, *h, cache=cache).stdout
    assert tree.startswith(f"map of {found['game']} · {found['start']}")
    assert all(place in tree for place in found["places"])  # every place, under its way in


def test_one_games_map_is_exported_alone(played: tuple[Path, Path], tmp_path: Path) -> None:
    home, cache = played
    h = ("--home", str(home))
    target = tmp_path / "map.json"
    assert cairn("graph", "export", str(target), "--map", MAZE, *h, cache=cache).returncode == 0
    nodes = json.loads(target.read_text())["nodes"]
    assert {n["kind"] for n in nodes} <= {"place", "object"}
    assert len([n for n in nodes if n["kind"] == "place"]) == 8
    png = tmp_path / "map.png"
    assert cairn("graph", "export", str(png), "--map", MAZE, *h, cache=cache).returncode == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    refused = cairn(
        "graph", "export", str(tmp_path / "other.png"), "--map", "toy:maze@9", *h, cache=cache
    )
    one_error_line(refused, "no archive for toy:maze@9")
    assert not (tmp_path / "other.png").exists()
