"""Memory on a Chroma server (`cairn serve`, a real server on loopback): several `cairn run`
processes share one home at once, and nothing is lost or doubled."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.llm.servers import free_port
from tests.support.cli import cairn, one_error_line
from tests.support.stores import check_store

GAME = "textworld:treasure_hunter@5,level=12"


def start_server(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`cairn serve` on a free loopback port, once it answers."""
    import chromadb

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port), "--path", str(data)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
            return process, f"http://127.0.0.1:{port}"
        except Exception:
            assert process.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.3)


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    process, url = start_server(tmp_path_factory.mktemp("chroma-server"))
    yield url
    process.terminate()
    process.wait(timeout=20)


def test_stopping_cairn_serve_stops_the_server(tmp_path: Path) -> None:
    """A supervisor stops `cairn serve` with SIGTERM: the Chroma server under it must stop
    too, not live on as an orphan holding the port and the data directory."""
    process, url = start_server(tmp_path)
    port = int(url.rsplit(":", 1)[1])
    process.terminate()
    assert process.wait(timeout=30) == 0
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the Chroma server outlived cairn serve"


@pytest.mark.slow
def test_two_processes_share_one_home_through_the_server(
    server_url: str, tmp_path: Path, cache_root: Path
) -> None:
    home = tmp_path / "home"
    command = [
        sys.executable,
        "-m",
        "cli",
        "run",
        GAME,
        "--policy",
        "evidence",
        "--trials",
        "4",
        "--max-steps",
        "30",
        "--home",
        str(home),
        "--memory-url",
        server_url,
    ]
    environ = {**os.environ, "CAIRN_CACHE": str(cache_root)}
    first = cairn(
        "run",
        GAME,
        "--policy",
        "evidence",
        "--trials",
        "1",
        "--max-steps",
        "5",
        "--home",
        str(home),
        "--memory-url",
        server_url,
        cache=cache_root,
    )
    assert first.returncode == 0, first.stderr  # creates the home, records the url
    workers = [
        subprocess.Popen(
            command, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for worker in workers:
        _, errors = worker.communicate(timeout=600)
        assert worker.returncode == 0, errors
    counts = check_store(home)  # integrity, no holes, no claim stored twice
    assert counts["trials"] == 9
    # Later commands find the server through the home; the index matches SQLite.
    check = cairn("memory", "reindex", "--check", "--home", str(home), "--json", cache=cache_root)
    assert check.returncode == 0, check.stderr
    drift = json.loads(check.stdout)["before"]
    assert all(n == 0 for counts in drift.values() for n in counts.values())
    found = json.loads(
        cairn(
            "memory", "search", "go north", "--home", str(home), "--json", cache=cache_root
        ).stdout
    )
    assert found["semantic"]
    assert not (home / "chroma").exists()  # nothing embedded in the home


@pytest.mark.slow
def test_homes_on_one_server_keep_apart_and_a_dead_server_is_one_line(
    server_url: str, tmp_path: Path, cache_root: Path
) -> None:
    for name, claim in (
        ("a", "open door SHOULD BE NECESSARY to win"),
        ("b", "eat apple SHOULD BE AVOIDED to win"),
    ):
        added = cairn(
            "memory",
            "add",
            claim,
            "--home",
            str(tmp_path / name),
            cache=cache_root,
            env={"CAIRN_MEMORY_URL": server_url},
        )
        assert added.returncode == 0, added.stderr
    found = json.loads(
        cairn(
            "memory",
            "search",
            "eat apple",
            "--home",
            str(tmp_path / "a"),
            "--json",
            cache=cache_root,
        ).stdout
    )
    assert [i["subject"] for i in found["semantic"]] == ["open door"]  # only home a's own
    dead = f"http://127.0.0.1:{free_port()}"
    result = cairn(
        "run",
        GAME,
        "--trials",
        "1",
        "--home",
        str(tmp_path / "c"),
        "--memory-url",
        dead,
        cache=cache_root,
    )
    one_error_line(result, "no Chroma server answers at", "cairn serve")
