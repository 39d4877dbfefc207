"""What carries to a new variation reaches people and other agents: `cairn memory
procedure` reads it, binds it to a new description and takes a person's procedure; bundles
carry it, with each insight's role form. A real home that played two variations of the toy
world's fetch task ("find the old lamp, take it, and then focus on it")."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from memory.store import Store
from tests.support.cli import cairn, cairn_json, hash_home, one_error_line

NEW = "Your task is to find the brass bell, take it, and then focus on it."


def played(home: Path, cache: Path) -> Path:
    hash_home(home)
    for variation in ("1", "2"):
        run = cairn(
            "run", f"toy:fetch@{variation}", "--policy", "evidence", "--trials", "2",
            "--home", str(home), cache=cache,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
    return home


def test_a_tasks_procedure_is_read_bound_written_and_cleared(
    tmp_path: Path, cache_root: Path
) -> None:
    h = ("--home", str(played(tmp_path / "home", cache_root)))
    shown = cairn_json("memory", "procedure", "toy:fetch", "--bind", NEW, *h, cache=cache_root)
    assert "find the {1}, take it" in shown["template"]
    assert set(shown["roles"]) == {"1", "2"} and all("{1}" in r for r in shown["roles"].values())
    learned = [s["step"] for s in shown["procedure"]["steps"] if s["required"]]
    assert shown["procedure"]["won_variations"] == 2
    assert learned[-2:] == ["take {1}", "focus on {1}"]
    bound = [s["step"] for s in shown["bound"]["steps"]]
    assert bound[-2:] == ["take brass bell", "focus on brass bell"]
    assert {a["subject"] for a in shown["agreed"]} >= {"take {1}", "focus on {1}"}

    steps = tmp_path / "steps.txt"
    steps.write_text("1. go north\n\n2. take {1}\n3. focus on {1}\n")
    written = cairn_json("memory", "procedure", "toy:fetch", "--write", str(steps), *h,
                         cache=cache_root)  # fmt: skip
    assert written["procedure"]["written_by_person"]
    assert [s["step"] for s in written["procedure"]["steps"] if s["required"]] == [
        "go north",
        "take {1}",
        "focus on {1}",
    ]
    text = cairn("memory", "procedure", "toy:fetch", "--bind", NEW, *h, cache=cache_root)
    assert "written by a person" in text.stdout and "3. focus on brass bell" in text.stdout

    cleared = cairn_json("memory", "procedure", "toy:fetch", "--clear", *h, cache=cache_root)
    assert not cleared["procedure"]["written_by_person"]
    one_error_line(
        cairn("memory", "procedure", "toy:fetch", "--clear", *h, cache=cache_root),
        "nothing to clear",
    )
    one_error_line(cairn("memory", "procedure", "toy:nope", *h, cache=cache_root), "nope")
    one_error_line(cairn("memory", "procedure", "fetch", *h, cache=cache_root), "ENV:TASK")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    one_error_line(
        cairn("memory", "procedure", "toy:fetch", "--write", str(empty), *h, cache=cache_root),
        "one per line",
    )


def test_bundles_carry_role_forms_and_a_persons_procedure(tmp_path: Path, cache_root: Path) -> None:
    home = played(tmp_path / "home", cache_root)
    h = ("--home", str(home))
    steps = tmp_path / "steps.txt"
    steps.write_text("take {1}\nfocus on {1}\n")
    cairn_json("memory", "procedure", "toy:fetch", "--write", str(steps), *h, cache=cache_root)
    bundle = tmp_path / "fetch.cairn.zip"
    assert cairn_json("export", str(bundle), *h, cache=cache_root)["counts"]["tasks"] == 1
    with zipfile.ZipFile(bundle) as packed:
        insights = [json.loads(line) for line in packed.read("insights.jsonl").splitlines()]
        (task,) = [json.loads(line) for line in packed.read("tasks.jsonl").splitlines()]
        assert json.loads(packed.read("manifest.json"))["format_version"] == 6
    lifted = {i["subject"]: i["role_subject"] for i in insights if i.get("role_subject")}
    assert any(form == "take {1}" for form in lifted.values()), lifted
    assert task["procedure"]["written_by_person"] and "{1}" in task["template"]

    other = hash_home(tmp_path / "other")
    imported = cairn_json("import", str(bundle), "--home", str(other), cache=cache_root)
    assert imported["new"]["procedures"] == 1
    store = Store.in_home(other)
    assert store.procedures.written("toy", "fetch") == ["take {1}", "focus on {1}"]
