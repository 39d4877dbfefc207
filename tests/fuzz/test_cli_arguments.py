"""Fuzzing the command line: any arguments to any cairn command that reads or edits memory.

``cli.main.main`` runs in this process (a subprocess per input would take hours); each input
either works, or ends in one error line with exit 1 (ours) or 2 (click's usage errors). Any
other exception is a crash. A command that failed must have changed nothing, and after all
of them the store must be sound and its index must match SQLite.

Commands that play (run, bench) or serve (mcp, serve) are fuzzed through their options'
parsing only (with --help appended nothing runs): playing is fuzzed by the spec fuzzer.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.main import get_command

from cli.main import app, main
from tests.support.fuzz import fuzz
from tests.support.stores import check_store

COMMANDS = [
    ["memory", "list"],
    ["memory", "show"],
    ["memory", "search"],
    ["memory", "stats"],
    ["memory", "history"],
    ["memory", "diff"],
    ["memory", "add"],
    ["memory", "edit"],
    ["memory", "pin"],
    ["memory", "unpin"],
    ["memory", "forget"],
    ["memory", "restore"],
    ["memory", "reindex", "--check"],
    ["memory", "kinds"],
    ["memory", "archive"],
    ["memory", "procedure"],
    ["graph", "show"],
    ["graph", "export"],
    ["logs", "runs"],
    ["logs", "trials"],
    ["logs", "steps"],
    ["logs", "calls"],
    ["logs", "path"],
    ["export"],
    ["import"],
    ["envs"],
    ["run", "--help"],
    ["bench", "--help"],
    ["mcp", "--help"],
    ["serve", "--help"],
    ["memory", "reembed", "--help"],
    [],
    ["memory"],
    ["nope"],
]
VALUES = [
    *("1", "2", "3", "0", "-1", "99999999999999999999", "0.5", "1.5", "nan", "inf", "-0.0"),
    *("task", "variation", "environment", "global", "textworld", "scienceworld", "treasure_hunter"),
    *("json", "graphml", "dot", "png", "markdown", "bundle", "AVOID", "SHOULD BE NECESSARY"),
    *("confidence", "active", "forgotten", "last", "go north", "take bug", "room:kitchen"),
    *("take bug SHOULD BE NECESSARY to win treasure_hunter 3", "out.zip", "g.json", "p.md"),
    *("--", "-", "-h", "''", "../escape", "/dev/null", "\x00", "é", " ", "--json"),
]


def options_of(command: list[str]) -> list[str]:
    """The command's own options, read from the app (so new options are fuzzed too)."""
    node = get_command(app)
    for name in command:
        subcommands = getattr(node, "commands", {})
        if name not in subcommands:
            return []
        node = subcommands[name]
    return [o for param in node.params for o in param.opts if o.startswith("-") and o != "--home"]


def arguments(command: list[str]) -> st.SearchStrategy[list[str]]:
    """Mostly what a person might type — a value or two, then options each with a value —
    to get past parsing; sometimes anything at all."""
    value = st.sampled_from(VALUES)
    options = st.sampled_from(options_of(command) or ["--json"])
    typed = st.builds(
        lambda positional, pairs: positional + [word for pair in pairs for word in pair],
        st.lists(value, max_size=2),
        st.lists(st.tuples(options, value) | options.map(lambda o: (o,)), max_size=3),
    )
    anything = st.lists(value | options | st.text(max_size=24), max_size=6)
    return typed | anything


GAME = "textworld:treasure_hunter@3,level=8"


def cairn(argv: list[str]) -> int:
    """Run the command in this process; its exit code."""
    try:
        main(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    return 0


def counts(home: Path) -> tuple[int, ...]:
    db = sqlite3.connect(home / "cairn.db")
    try:
        tables = ("insights", "insight_ops", "exemplars", "imports", "trials", "steps")
        return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)
    finally:
        db.close()


@pytest.fixture(scope="module")
def fuzzed_home(tmp_path_factory: pytest.TempPathFactory, cache_root: Path) -> Iterator[Path]:
    """A home that learned a walkthrough, on the hash embedder (a step costs milliseconds),
    with the process inside a scratch folder: a fuzzed output path lands there."""
    home = tmp_path_factory.mktemp("fuzzed-home")
    scratch = tmp_path_factory.mktemp("fuzz-cwd")
    before = Path.cwd(), os.environ.get("CAIRN_HOME")
    os.chdir(scratch)
    os.environ["CAIRN_HOME"] = str(home)  # also where "--" sends a fuzzed --home
    for argv in (["memory", "demo", GAME], ["memory", "reembed", "--model", "hash"]):
        assert cairn([*argv, "--home", str(home)]) == 0
    yield home
    os.chdir(before[0])
    if before[1] is None:
        os.environ.pop("CAIRN_HOME", None)
    else:
        os.environ["CAIRN_HOME"] = before[1]


@pytest.mark.slow
def test_any_arguments_work_or_fail_in_one_line_and_a_failure_changes_nothing(
    fuzzed_home: Path,
) -> None:
    outcomes: Counter[int] = Counter()

    @fuzz
    @given(data=st.data())
    def one(data: st.DataObject) -> None:
        command = data.draw(st.sampled_from(COMMANDS), label="command")
        extra = data.draw(arguments(command), label="arguments")
        before = counts(fuzzed_home)
        code = cairn([*command, *extra])
        outcomes[code] += 1
        assert code in (0, 1, 2, 130)
        if code != 0:
            assert counts(fuzzed_home) == before, f"a failed command wrote: {command + extra}"

    one()
    print(f"exit codes of {sum(outcomes.values())} commands: {dict(outcomes)}")
    assert outcomes[0] and outcomes[1] and outcomes[2]  # it reached past parsing, both ways
    check_store(fuzzed_home)
    assert cairn(["memory", "reindex", "--check", "--home", str(fuzzed_home)]) == 0
