"""What a user reads: error lines in their own words (no Python reprs, no text lost to
markup), JSON of one shape across commands, help that lists choices, tables that keep the
names a user must type. (Subprocesses; homes written through the store's API.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.homes import FAILURE, home_with_an_insight, home_with_trials
from tests.support.cli import cairn, one_error_line

REPRS = re.compile(r"\['|\{'|invalid literal|\(\('")  # a Python list, dict or tuple shown


def no_repr(text: str) -> None:
    assert not REPRS.search(text), text


def test_an_error_line_keeps_its_brackets(tmp_path: Path, cache_root: Path) -> None:
    bad_spec = cairn("run", "scienceworld", "--home", str(tmp_path), cache=cache_root)
    one_error_line(bad_spec, "NAME:TASK[@VARIATION][,key=value...]")
    suite = tmp_path / "suite.toml"
    suite.write_text("[textworld]\nbogus_key = 1\n")
    bad_suite = cairn("bench", str(suite), cache=cache_root)
    one_error_line(bad_suite, "unknown key(s) bogus_key in [textworld]", "use max_steps")
    no_repr(bad_suite.stderr)


def test_a_suite_number_that_is_not_one_is_one_line(tmp_path: Path, cache_root: Path) -> None:
    suite = tmp_path / "suite.toml"
    suite.write_text('[textworld]\nmax_steps = "many"\nadapt = ["textworld:simple"]\n')
    result = cairn("bench", str(suite), cache=cache_root)
    one_error_line(result, "max_steps in [textworld] must be a whole number")


def test_a_bad_level_asks_for_a_whole_number(tmp_path: Path, cache_root: Path) -> None:
    result = cairn(
        "run", "textworld:coin_collector,level=abc", "--home", str(tmp_path), cache=cache_root
    )
    one_error_line(result, "bad value 'abc' for level", "use a whole number")
    no_repr(result.stderr)


def test_choices_are_listed_in_help_and_errors_without_reprs(
    tmp_path: Path, cache_root: Path
) -> None:
    listing = cairn("memory", "list", "--help", cache=cache_root).stdout
    assert "active|superseded|forgotten|all" in listing
    assert "confidence|support|recent|id" in listing
    assert "json|graphml|dot|png" in cairn("graph", "export", "--help", cache=cache_root).stdout
    assert "bundle|markdown" in cairn("export", "--help", cache=cache_root).stdout
    home = home_with_an_insight(tmp_path / "home")
    for option in ("--status", "--sort", "--relation"):
        wrong = cairn("memory", "list", option, "bogus", "--home", str(home), cache=cache_root)
        assert wrong.returncode == 2 and option in wrong.stderr, wrong.stderr
        no_repr(wrong.stderr)


@pytest.mark.parametrize(
    "command",
    [
        ["logs", "runs"],
        ["logs", "steps"],
        ["logs", "calls"],
        ["memory", "list"],
        ["memory", "show"],
        ["memory", "search"],
        ["memory", "history"],
        ["memory", "diff"],
        ["memory", "edit"],
        ["memory", "add"],
    ],
    ids=" ".join,
)
def test_help_shows_no_sqlite_limit(cache_root: Path, command: list[str]) -> None:
    result = cairn(*command, "--help", cache=cache_root)
    assert result.returncode == 0 and "9223372036854775807" not in result.stdout


def test_an_id_sqlite_cannot_hold_is_still_a_usage_error(tmp_path: Path, cache_root: Path) -> None:
    result = cairn(
        "logs", "steps", "99999999999999999999", "--home", str(tmp_path), cache=cache_root
    )
    assert result.returncode == 2 and "less than or equal to" in result.stderr, result.stderr


def test_memory_history_and_graph_summary_read_as_text(tmp_path: Path, cache_root: Path) -> None:
    home = ("--home", str(home_with_an_insight(tmp_path / "home")))
    history = cairn("memory", "history", *home, cache=cache_root)
    assert (
        history.returncode == 0
        and "support=1" in history.stdout
        and "support=3" in (history.stdout)
    )
    no_repr(history.stdout)
    summary = cairn("graph", "show", *home, cache=cache_root)
    assert "3 nodes (1 action, 1 goal, 1 object)" in summary.stdout, summary.stdout
    no_repr(summary.stdout)


def test_graph_facts_have_named_fields_like_mcp(tmp_path: Path, cache_root: Path) -> None:
    home = ("--home", str(home_with_an_insight(tmp_path / "home")))
    facts = json.loads(cairn("graph", "show", "broom", *home, "--json", cache=cache_root).stdout)
    assert facts == [
        {
            "node": "object:broom",
            "relation": "uses",
            "direction": "<-",
            "other": "action:take broom",
        }
    ]


def test_logs_json_has_booleans_and_objects(tmp_path: Path, cache_root: Path) -> None:
    home = ("--home", str(home_with_trials(tmp_path / "home")))
    (run,) = json.loads(cairn("logs", "runs", *home, "--json", cache=cache_root).stdout)
    assert run["config"]["trials"] == 2
    trials = json.loads(cairn("logs", "trials", *home, "--json", cache=cache_root).stdout)
    assert [t["won"] for t in trials] == [True, False]
    steps = json.loads(cairn("logs", "steps", "1", *home, "--json", cache=cache_root).stdout)
    assert steps["trial"]["won"] is True
    assert [(s["won"], s["terminated"], s["lost"]) for s in steps["steps"]] == [
        (False, False, False),
        (True, True, False),
    ]
    path = json.loads(cairn("logs", "path", *home, "--json", cache=cache_root).stdout)
    assert path == {"path": str(tmp_path / "home" / "cairn.db")}


def test_logs_trials_says_why_a_trial_failed(tmp_path: Path, cache_root: Path) -> None:
    home = ("--home", str(home_with_trials(tmp_path / "home")))
    table = cairn("logs", "trials", *home, cache=cache_root).stdout
    assert "error" in table and FAILURE.split(":")[0] in " ".join(table.split())


def test_logs_calls_shows_the_label_a_menu_read(tmp_path: Path, cache_root: Path) -> None:
    home = ("--home", str(home_with_trials(tmp_path / "home")))
    table = cairn("logs", "calls", "1", *home, cache=cache_root).stdout
    (row,) = [line for line in table.splitlines() if "embedded:test" in line]
    cells = [cell.strip() for cell in row.strip("│ ").split("│")]
    assert "2" in cells and "You" not in cells  # the label, not the greedy token


def test_envs_keeps_task_names_whole_at_80_columns(cache_root: Path) -> None:
    tasks = {e["task"] for e in json.loads(cairn("envs", "--json", cache=cache_root).stdout)}
    table = cairn("envs", cache=cache_root, env={"COLUMNS": "80"}).stdout
    assert max(len(line) for line in table.splitlines()) <= 80
    cells = {cell.strip() for line in table.splitlines() for cell in line.split("│")}
    assert tasks <= cells, tasks - cells
