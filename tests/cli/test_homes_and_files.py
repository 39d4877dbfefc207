"""Where commands read and write: a home that is not there is not made by a command that only
reads it; an output file's name gives its format, and an existing file is kept without
--force. (Subprocesses, as a user runs them; homes written through the store's API.)"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import networkx as nx
import pytest

from tests.cli.homes import home_with_an_insight
from tests.support.cli import cairn, one_error_line

READ_ONLY = [
    ["logs", "runs"],
    ["logs", "trials"],
    ["logs", "steps", "1"],
    ["logs", "calls", "1"],
    ["logs", "path"],
    ["memory", "list"],
    ["memory", "show", "1"],
    ["memory", "search", "broom"],
    ["memory", "stats"],
    ["memory", "history"],
    ["memory", "diff", "1", "2"],
    ["memory", "reindex", "--check"],
    ["graph", "show"],
    ["graph", "export", "TMP/kg.json"],
    ["export", "TMP/out.cairn.zip"],
]


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_a_command_that_only_reads_does_not_make_a_home(
    tmp_path: Path, cache_root: Path, command: list[str]
) -> None:
    home = tmp_path / "mistyped-home"
    args = [word.replace("TMP", str(tmp_path)) for word in command]
    result = cairn(*args, "--home", str(home), cache=cache_root)
    one_error_line(result, f"no cairn home at {home}", "run `cairn run` first or pass --home")
    assert not home.exists() and not list(tmp_path.iterdir())


def test_a_folder_without_a_database_is_no_home(tmp_path: Path, cache_root: Path) -> None:
    result = cairn("memory", "list", "--home", str(tmp_path), cache=cache_root)
    one_error_line(result, f"no cairn home at {tmp_path}")
    assert not (tmp_path / "cairn.db").exists()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return home_with_an_insight(tmp_path / "home")


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("kg.png", lambda p: p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"),
        ("kg.graphml", lambda p: nx.read_graphml(p).number_of_nodes() == 3),
        ("kg.dot", lambda p: p.read_text().startswith("digraph")),
        ("kg.gv", lambda p: p.read_text().startswith("digraph")),
        ("kg.json", lambda p: len(json.loads(p.read_text())["nodes"]) == 3),
    ],
)
def test_graph_export_takes_the_format_from_the_file_name(
    home: Path, tmp_path: Path, cache_root: Path, name: str, check: object
) -> None:
    target = tmp_path / name
    result = cairn("graph", "export", str(target), "--home", str(home), cache=cache_root)
    assert result.returncode == 0, result.stderr
    assert callable(check) and check(target)


def test_export_takes_the_format_from_the_file_name(
    home: Path, tmp_path: Path, cache_root: Path
) -> None:
    playbook, bundle = tmp_path / "playbook.md", tmp_path / "broom.cairn.zip"
    for target in (playbook, bundle):
        result = cairn("export", str(target), "--home", str(home), "--json", cache=cache_root)
        assert result.returncode == 0, result.stderr
    assert playbook.read_text().startswith("# What cairn learned") and "take broom" in (
        playbook.read_text()
    )
    assert "manifest.json" in zipfile.ZipFile(bundle).namelist()


def test_a_name_that_says_no_format_asks_for_format(
    home: Path, tmp_path: Path, cache_root: Path
) -> None:
    h = ("--home", str(home))
    one_error_line(
        cairn("graph", "export", str(tmp_path / "kg.svg"), *h, cache=cache_root), "--format"
    )
    one_error_line(cairn("export", str(tmp_path / "bundle"), *h, cache=cache_root), "--format")
    assert not list(tmp_path.glob("kg.*")) and not (tmp_path / "bundle").exists()
    given = cairn(
        "graph", "export", str(tmp_path / "kg.txt"), "--format", "dot", *h, cache=cache_root
    )
    assert given.returncode == 0 and (tmp_path / "kg.txt").read_text().startswith("digraph")


@pytest.mark.parametrize(
    "command", [["graph", "export", "kg.png"], ["export", "playbook.md"]], ids=" ".join
)
def test_an_existing_file_is_kept_without_force(
    home: Path, tmp_path: Path, cache_root: Path, command: list[str]
) -> None:
    target = tmp_path / command[-1]
    target.write_text("keep me")
    args = (*command[:-1], str(target), "--home", str(home))
    one_error_line(cairn(*args, cache=cache_root), str(target), "--force")
    assert target.read_text() == "keep me"
    forced = cairn(*args, "--force", cache=cache_root)
    assert forced.returncode == 0, forced.stderr
    assert target.read_bytes() != b"keep me"
