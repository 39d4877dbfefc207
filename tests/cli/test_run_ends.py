"""However ``cairn run`` ends — a file that is no game, SIGTERM, Ctrl-C — its run and trial
records are closed with why, and the terminal is told in one line."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.cli import cairn, hear_ctrl_c, one_error_line


def records(home: Path, cache: Path) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The runs and the last run's trials, as `cairn logs ... --json` reports them."""
    runs = cairn("logs", "runs", "--home", str(home), "--json", cache=cache)
    trials = cairn("logs", "trials", "--home", str(home), "--json", cache=cache)
    assert runs.returncode == 0, runs.stderr
    return json.loads(runs.stdout), json.loads(trials.stdout) if trials.returncode == 0 else []


def story_like_bytes(seed: int) -> bytes:
    """Random bytes with a Z-code version 8 header of the right length: they pass a look at
    the header, and jericho's Frotz ends its process on them ("Story file read error")."""
    data = bytearray(random.Random(seed).randbytes(8192))
    data[0] = 8
    data[0x1A : 0x1A + 2] = (8192 // 8).to_bytes(2, "big")
    return bytes(data)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (bytes([0xF2]) + random.Random(1).randbytes(4095), "is not a Z-machine story file"),
        (story_like_bytes(1), "the engine stopped with 'Fatal error: Story file read error'"),
    ],
    ids=["random-bytes", "header-ok-engine-fails"],
)
def test_a_file_that_is_not_a_game_is_one_line_and_closes_the_run(
    tmp_path: Path, cache_root: Path, content: bytes, fragment: str
) -> None:
    game, home = tmp_path / "x.z8", tmp_path / "home"
    game.write_bytes(content)
    result = cairn(
        "run", f"textworld:{game}", "--policy", "random", "--home", str(home), cache=cache_root
    )
    one_error_line(result, str(game), fragment)
    assert "Fatal error" not in result.stderr.replace(fragment, "")  # the engine's own words
    (run,), trials = records(home, cache_root)
    assert run["status"] == "failed" and fragment in str(run["error"])
    assert all(t["status"] != "running" for t in trials)


def wait_for_steps(home: Path, count: int, process: subprocess.Popen[str]) -> None:
    """Until the running trial has recorded ``count`` steps (read-only: WAL lets us)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        if (home / "cairn.db").exists():
            db = sqlite3.connect(f"file:{home / 'cairn.db'}?mode=ro", uri=True)
            try:
                found = db.execute(
                    "SELECT count(*) FROM steps JOIN trials ON trials.id = steps.trial_id "
                    "WHERE trials.status = 'running'"
                ).fetchone()[0]
            except sqlite3.OperationalError:  # the schema is still being made
                found = 0
            finally:
                db.close()
            if found >= count:
                return
        time.sleep(0.1)
    raise AssertionError("the trial did not get under way")


def cairn_run_until_signal(
    home: Path, cache: Path, number: signal.Signals, *flags: str
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cli", "run", "scienceworld:boil@dev:0", "--home", str(home)]
    command += ["--policy", "evidence", "--trials", "2", "--max-steps", "5000", *flags]
    environ = {**os.environ, "CAIRN_CACHE": str(cache), "COLUMNS": "200"}
    process = subprocess.Popen(
        command, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=hear_ctrl_c,
    )  # fmt: skip
    wait_for_steps(home, 3, process)
    process.send_signal(number)
    out, errors = process.communicate(timeout=120)
    return subprocess.CompletedProcess(command, process.returncode, out, errors)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("number", "code", "said"),
    [
        (signal.SIGTERM, 143, "interrupted by SIGTERM"),
        (signal.SIGINT, 130, "interrupted"),  # py4j used to turn it into a failed step
    ],
)
def test_a_signal_mid_trial_ends_the_run_and_trial_as_interrupted(
    tmp_path: Path, cache_root: Path, number: signal.Signals, code: int, said: str
) -> None:
    home = tmp_path / "home"
    result = cairn_run_until_signal(home, cache_root, number)
    assert result.returncode == code, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1] == said and "Traceback" not in result.stderr, result.stderr
    (run,), (trial,) = records(home, cache_root)
    assert (run["status"], run["error"]) == ("interrupted", said)
    assert (trial["status"], trial["error"]) == ("interrupted", said)
    assert int(str(trial["steps"])) >= 3


@pytest.mark.slow
def test_sigterm_ends_a_run_on_workers_as_interrupted(tmp_path: Path, cache_root: Path) -> None:
    """ray.init sets its own SIGTERM handler in the driver (exit at once): ours is kept, and
    the memory service closes the trial its killed worker was playing. (Ray replaces the
    interrupt by one of its own, so the driver knows only that the trial was interrupted.)"""
    home = tmp_path / "home"
    result = cairn_run_until_signal(home, cache_root, signal.SIGTERM, "--workers", "1")
    assert result.returncode == 143, result.stderr
    assert result.stderr.splitlines()[-1] == "interrupted by SIGTERM"
    (run,), trials = records(home, cache_root)
    assert (run["status"], run["error"]) == ("interrupted", "interrupted by SIGTERM")
    assert [(t["status"], t["error"]) for t in trials] == [("interrupted", "interrupted")]
