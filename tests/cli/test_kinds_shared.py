"""Kinds learned on a task's variations reach people and other agents: `cairn memory kinds`,
the Markdown playbook and what `cairn mcp`'s recall answers (``agent.learning.kinds``). A
real home that played the toy world's fetch task, where focusing on the named thing pays
and on anything else loses."""

from __future__ import annotations

from pathlib import Path

from agent.learning.recall import Recaller
from cli.mcp_answers import recall_answer
from knowledge_graph.graph import KnowledgeGraph
from memory.memory import Memory
from memory.store import Store
from tests.support.cli import cairn, cairn_json, hash_home, one_error_line

GAME = "toy:fetch@3"


def played(home: Path, cache: Path) -> Path:
    """A home that played ``GAME`` twice."""
    run = cairn(
        "run", GAME, "--policy", "evidence", "--trials", "2", "--home", str(hash_home(home)),
        cache=cache,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return home


def test_the_playbook_and_recall_carry_what_turned_out_right(
    tmp_path: Path, cache_root: Path
) -> None:
    home = played(tmp_path / "home", cache_root)
    store = Store.in_home(home)
    (trial, *_) = store.db.execute("select task_description from trials limit 1").fetchone()
    target = trial.split("find the ")[1].split(",")[0]  # "find the red key, take it, ..."

    playbook = tmp_path / "playbook.md"
    exported = cairn("export", str(playbook), "--home", str(home), cache=cache_root)
    assert exported.returncode == 0, exported.stderr
    text = playbook.read_text()
    assert "## What carries to a new variation" in text and "### toy fetch" in text
    assert f'Kinds for "find the {target}' in text
    assert f"- {target}: right " in text

    h = ("--home", str(home))
    (listed,) = cairn_json("memory", "kinds", *h, cache=cache_root)
    assert (listed["env"], listed["task"], listed["variations"]) == ("toy", "fetch", ["3"])
    assert listed["things"][0]["thing"] == target
    shown = cairn("memory", "kinds", "--task", "fetch", *h, cache=cache_root)
    assert target in shown.stdout and "right" in shown.stdout
    assert cairn_json("memory", "kinds", "--task", "maze", *h, cache=cache_root) == []

    answer = recall_answer(
        Recaller(Memory(store)).recall("toy", "fetch", None, trial), KnowledgeGraph()
    )
    kinds = answer["kinds"]
    assert kinds["variations"] == ["3"] and not kinds["any_member"]  # "the red key"
    assert kinds["things"][0]["thing"] == target and kinds["things"][0]["right"] >= 1


def test_a_person_says_better_than_the_outcomes_and_bundles_carry_it(
    tmp_path: Path, cache_root: Path
) -> None:
    home = played(tmp_path / "home", cache_root)
    h = ("--home", str(home))
    (listed,) = cairn_json("memory", "kinds", *h, cache=cache_root)
    target, goal = listed["things"][0]["thing"], listed["goal"]
    named = ("--env", "toy", "--task", "fetch", "--goal", goal)

    (said,) = cairn_json("memory", "kinds", *named, "--wrong", target, *h, cache=cache_root)
    assert said["things"][0] == {**listed["things"][0], "person_says": False}
    store = Store.in_home(home)
    (trial, *_) = store.db.execute("select task_description from trials limit 1").fetchone()
    kinds = Recaller(Memory(store)).recall("toy", "fetch", "9", trial).kinds
    assert kinds.verdict(f"focus on {target}") < 0  # the person outweighs what paid

    bundle = tmp_path / "said.cairn.zip"
    assert cairn("export", str(bundle), *h, cache=cache_root).returncode == 0
    other = hash_home(tmp_path / "other")
    imported = cairn_json("import", str(bundle), "--home", str(other), cache=cache_root)
    assert imported["new"]["kinds_said"] == 1
    assert Store.in_home(other).person_kinds.said("toy", "fetch", goal) == {target: False}

    (back,) = cairn_json("memory", "kinds", *named, "--unsay", target, *h, cache=cache_root)
    assert back["things"][0]["person_says"] is None
    one_error_line(
        cairn("memory", "kinds", *named, "--unsay", target, *h, cache=cache_root),
        "nothing to take back",
    )
    one_error_line(cairn("memory", "kinds", "--wrong", target, *h, cache=cache_root), "--goal")
    wrong_goal = ("--env", "toy", "--task", "fetch", "--goal", "find a unicorn")
    one_error_line(
        cairn("memory", "kinds", *wrong_goal, "--right", "x", *h, cache=cache_root),
        "the goals are",
    )
