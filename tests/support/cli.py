"""The ``cairn`` command run as a user runs it: a subprocess, with its own cache and home."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from memory.store import Store


def cairn(
    *args: str, cache: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "CAIRN_CACHE": str(cache), "COLUMNS": "200"}
    environ.pop("CAIRN_HOME", None)
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=600,
    )


def cairn_json(*args: str, cache: Path) -> Any:
    """The command's ``--json`` report; it must have succeeded."""
    result = cairn(*args, "--json", cache=cache)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def one_error_line(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit 1, no traceback, and one line starting with "error:" that says it all (it may
    follow progress bars of the work done before the error)."""
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in errors[0]


def hash_home(path: Path) -> Path:
    """A home that embeds with the hash model (no torch, no MiniLM): fast enough for the
    fast tier."""
    database = Store.in_home(path)
    database.set_setting("embedder", "hash")
    database.close()
    return path


@contextlib.contextmanager
def running(home: Path, cache: Path, game: str) -> Iterator[int]:
    """A `cairn run` of ``game`` on ``home`` that holds its embedded index, until the block
    ends; yields its pid."""
    command = [sys.executable, "-m", "cli", "run", game, "--policy", "random"]
    command += ["--trials", "1000", "--max-steps", "100", "--home", str(home)]
    run = subprocess.Popen(
        command,
        env={**os.environ, "CAIRN_CACHE": str(cache)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        lock = home / "chroma" / "writer.lock"
        deadline = time.monotonic() + 120
        while f'"pid": {run.pid}' not in (lock.read_text() if lock.exists() else ""):
            assert time.monotonic() < deadline and run.poll() is None, "the run did not start"
            time.sleep(0.2)
        yield run.pid
    finally:
        run.kill()
        run.wait()


def hear_ctrl_c() -> None:
    """In the child: a shell without job control starts background jobs (``make test &``)
    with Ctrl-C ignored, and a child inherits that; a terminal's Ctrl-C is what is tested."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
