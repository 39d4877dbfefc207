"""`cairn mcp` as another agent uses it: the real `mcp` client talking to the real server
over stdio, on a home that learned a real TextWorld game's walkthrough."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.support.cli import cairn, cairn_json, running

pytestmark = pytest.mark.slow
GAME = "textworld:treasure_hunter@3,level=8"  # walkthrough: go north, go east, ..., take bug
Call = Callable[..., Awaitable[Any]]


@pytest.fixture(scope="module")
def learned_home(tmp_path_factory: pytest.TempPathFactory, cache_root: Path) -> Path:
    """The walkthrough learned three times: three identical trajectories are stored."""
    home = tmp_path_factory.mktemp("learned")
    for _ in range(3):
        result = cairn("memory", "demo", GAME, "--home", str(home), cache=cache_root)
        assert result.returncode == 0, result.stderr
    return home


def with_client(
    home: Path, cache: Path, errors: Path, body: Callable[[Call], Awaitable[Any]]
) -> Any:
    """Run ``body(call)`` against `cairn mcp --home HOME`; the server's stderr goes to
    ``errors``. ``call(tool, **arguments)`` returns the structured answer, or the error text
    as ``("error", text)``."""
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "cli", "mcp", "--home", str(home)],
        env={
            "CAIRN_CACHE": str(cache),
            "HF_HUB_OFFLINE": "1",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        },
    )

    async def session() -> Any:
        with errors.open("w") as errlog:
            async with (
                stdio_client(server, errlog=errlog) as (read, write),
                ClientSession(read, write) as client,
            ):
                await client.initialize()

                async def call(tool: str, **arguments: Any) -> Any:
                    result = await client.call_tool(tool, arguments)
                    if result.is_error:
                        return ("error", result.content[0].text)  # type: ignore[union-attr]
                    answer = result.structured_content or {"result": result.content[0].text}  # type: ignore[union-attr]
                    return answer.get("result", answer)

                return await body(call)

    return anyio.run(session)


def test_an_mcp_client_searches_and_recalls_what_cairn_learned(
    learned_home: Path, tmp_path: Path, cache_root: Path
) -> None:
    async def body(call: Call) -> dict[str, Any]:
        return {
            "search": await call("search_insights", query="pick up the insect", limit=2),
            "words": await call("search_insights", query="bug", limit=5),
            "recall": await call(
                "recall", env="textworld", task="treasure_hunter", variation="3,level=8"
            ),
            "nothing": await call("recall", env="scienceworld", task="boil"),
            "facts": await call("graph_facts", entity="bug"),
            "playbook": await call("playbook", env="textworld"),
        }

    answers = with_client(learned_home, cache_root, tmp_path / "stderr", body)
    (first, _) = answers["search"]["insights"]
    assert first["subject"] == "take bug" and 0 < first["similarity"] <= 1  # by meaning
    assert answers["search"]["searched_by"] == ["meaning", "words"]
    (by_word,) = [i for i in answers["words"]["insights"] if i["fts_rank"] is not None]
    assert by_word["subject"] == "take bug" and by_word["fts_rank"] < 0  # bm25: lower is better

    recalled = answers["recall"]
    assert {i["subject"] for i in recalled["insights"]} == {"go north", "go east", "take bug"}
    chains = cairn_json("graph", "show", "--home", str(learned_home), cache=cache_root)["chains"]
    assert recalled["precondition_chain"] == chains["win treasure_hunter@3,level=8"] != []
    (exemplar,) = recalled["exemplars"]  # the walkthrough, once, though stored three times
    assert (exemplar["task"], exemplar["copies"]) == ("treasure_hunter", 3)
    assert exemplar["useful_steps"][-1] == "take bug"
    assert answers["nothing"] == {
        "insights": [],
        "exemplars": [],  # no other task's trajectories passed off as this one's
        "precondition_chain": [],
        "chains": [],
        "kinds": {"variations": [], "any_member": False, "things": [], "found_at": {}},
        "procedure": {"written_by_person": False, "won_variations": 0, "steps": []},
        "places": {},
    }
    assert any(f["other"] == "action:take bug" for f in answers["facts"])
    assert "take bug" in answers["playbook"]


def test_bad_requests_are_one_line_tool_errors_and_no_traceback(
    learned_home: Path, tmp_path: Path, cache_root: Path
) -> None:
    requests = {
        "negative limit": ("search_insights", {"query": "bug", "limit": -1}, "limit must be"),
        "limit too big": ("search_insights", {"query": "bug", "limit": 101}, "from 1 to 100"),
        "empty query": ("search_insights", {"query": "  "}, "query is empty"),
        "unknown env": (
            "recall",
            {"env": "nosuchenv", "task": "boil"},
            "use one of scienceworld, textworld",
        ),
        "unknown task": (
            "recall",
            {"env": "textworld", "task": "nosuchtask"},
            "learned about treasure_hunter",
        ),
    }

    async def body(call: Call) -> dict[str, Any]:
        return {
            name: await call(tool, **arguments) for name, (tool, arguments, _) in requests.items()
        }

    answers = with_client(learned_home, cache_root, tmp_path / "stderr", body)
    for name, (_, _, fragment) in requests.items():
        kind, text = answers[name]
        assert kind == "error" and fragment in text and "\n" not in text, (name, text)
    assert "Traceback" not in (tmp_path / "stderr").read_text()


def test_the_server_keeps_no_lock_and_answers_from_the_home_as_it_is_now(
    learned_home: Path, tmp_path: Path, cache_root: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(learned_home, home)
    h = ("--home", str(home))
    added = "open chest SHOULD BE NECESSARY to win treasure_hunter@3,level=8"
    where = ("--scope", "variation", "--env", "textworld", "--task", "treasure_hunter")

    async def body(call: Call) -> dict[str, Any]:
        before = await call("search_insights", query="open the chest", limit=5)
        # While the client is connected, the home is free for others:
        edit = cairn(
            "memory", "add", added, *where, "--variation", "3,level=8", *h, cache=cache_root
        )
        search = cairn("memory", "search", "chest", *h, "--json", cache=cache_root)
        after = {
            "search": await call("search_insights", query="open the chest", limit=5),
            "recall": await call(
                "recall", env="textworld", task="treasure_hunter", variation="3,level=8"
            ),
            "facts": await call("graph_facts", entity="open chest"),
        }
        with running(home, cache_root, GAME) as run:
            busy = await call("search_insights", query="chest", limit=5)
        return {
            "before": before,
            "edit": edit,
            "search": search,
            "after": after,
            "busy": busy,
            "run": run,
        }

    answers = with_client(home, cache_root, tmp_path / "stderr", body)
    assert answers["edit"].returncode == 0, answers["edit"].stderr
    assert answers["search"].returncode == 0, answers["search"].stderr
    assert "open chest" not in {i["subject"] for i in answers["before"]["insights"]}
    assert answers["after"]["search"]["insights"][0]["subject"] == "open chest"  # fresh index
    assert "open chest" in answers["after"]["recall"]["precondition_chain"]  # fresh graph
    assert answers["after"]["facts"]  # the graph knows it now
    busy = answers["busy"]
    assert busy["searched_by"] == ["words"] and f"pid {answers['run']}" in busy["note"]
    assert "open chest" in {i["subject"] for i in busy["insights"]}  # by words, still found
    assert {i["similarity"] for i in busy["insights"]} == {None}
