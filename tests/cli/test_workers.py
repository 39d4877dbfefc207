"""``cairn run --workers N`` on a real local Ray instance: environments in parallel, one memory
service writing for all, and a worker killed mid-run that does not stop the run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.llm.servers import free_port
from tests.support.cli import cairn
from tests.support.stores import check_store

GAMES = [
    "textworld:treasure_hunter@5,level=12",
    "textworld:treasure_hunter@6,level=12",
    "textworld:coin_collector@3,level=5",
]


def ray_workers_playing(title: bytes = b"ray::Worker.play") -> list[int]:
    """Ray names an actor's process after what it runs: ``ray::Worker`` idle, ``.play``
    while playing."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if cmdline.read_bytes().startswith(title):
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


class WorkerWatch(threading.Thread):
    """Every trial worker process seen while it runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.seen: set[int] = set()
        self.running = True

    def run(self) -> None:
        while self.running:
            self.seen.update(ray_workers_playing(b"ray::Worker"))
            time.sleep(0.05)


@pytest.mark.slow
def test_workers_play_in_parallel_and_one_service_writes_everything(
    tmp_path: Path, cache_root: Path
) -> None:
    home = tmp_path / "home"
    result = cairn(
        "run",
        *GAMES,
        "--workers",
        "2",
        "--trials",
        "2",
        "--max-steps",
        "20",
        "--policy",
        "evidence",
        "--home",
        str(home),
        "--json",
        "-",
        cache=cache_root,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    runs = report["runs"]
    assert [r["env"] for r in runs] == GAMES  # in the order asked, whoever played them
    assert len(report["workers"]) == 2  # each worker's start-up, reported
    assert all(0 < w["process"] <= w["ready"] and w["loading"] >= 0 for w in report["workers"])
    assert "2 workers ready in" in result.stderr
    assert all([t["trial"] for t in r["trials"]] == [1, 2] for r in runs)
    counts = check_store(home)
    assert counts["trials"] == 6 and counts["insights"] > 0
    check = cairn("memory", "reindex", "--check", "--home", str(home), cache=cache_root)
    assert check.returncode == 0, check.stderr  # the index matches SQLite
    logged = json.loads(
        cairn("logs", "trials", "--home", str(home), "--json", cache=cache_root).stdout
    )
    assert sorted(t["steps"] for t in logged) == sorted(
        t["steps"] for r in runs for t in r["trials"]
    )
    for second in (t for t in logged if t["trial"] == 2):  # the service's recollection, on
        steps = cairn(  # the worker, moved its choices: their memories are named
            "logs", "steps", str(second["id"]), "--home", str(home), "--json", cache=cache_root
        )
        moved = [c["memories"] for s in json.loads(steps.stdout)["steps"] for c in s["candidates"]]
        assert any(moved), second


@pytest.mark.slow
def test_a_worker_killed_mid_run_fails_its_trials_and_the_run_goes_on(
    tmp_path: Path, cache_root: Path
) -> None:
    home = tmp_path / "home"
    command = [
        sys.executable,
        "-m",
        "cli",
        "run",
        *GAMES,
        "--workers",
        "2",
        "--trials",
        "3",
        "--max-steps",
        "30",
        "--policy",
        "evidence",
        "--home",
        str(home),
        "--json",
        "-",
    ]
    environ = {**os.environ, "CAIRN_CACHE": str(cache_root)}
    driver = subprocess.Popen(
        command, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 300
    while not (playing := ray_workers_playing()):
        assert driver.poll() is None and time.monotonic() < deadline, "no worker started"
        time.sleep(0.1)
    os.kill(playing[0], signal.SIGKILL)
    out, errors = driver.communicate(timeout=600)
    assert driver.returncode == 0, errors
    trials = [t for r in json.loads(out)["runs"] for t in r["trials"]]
    assert len(trials) == 9
    failed = [t for t in trials if t["status"] == "failed"]
    assert failed and all("worker died" in t["error"] for t in failed)
    assert any(t["status"] == "done" for t in trials)  # the others went on
    check_store(home)


@pytest.fixture
def ray_cluster(tmp_path: Path) -> Iterator[str]:
    """A real Ray cluster of one head node, started as a user starts one (`ray start`)."""
    port = free_port()
    # Ray's unix sockets live under its temp dir, and a socket path may not pass 107 bytes:
    # pytest's tmp_path is too deep for it.
    scratch = tempfile.mkdtemp(prefix="ray", dir="/tmp")
    log = tmp_path / "ray-head.log"
    with log.open("wb") as output:
        head = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "ray"),
                "start",
                "--head",
                f"--port={port}",
                "--num-cpus=3",
                "--include-dashboard=false",
                "--disable-usage-stats",
                "--block",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "RAY_TMPDIR": scratch},
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 180
        while True:  # the head is up once its GCS port answers
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                failed = head.poll() is not None or time.monotonic() > deadline
                assert not failed, f"ray start failed: {log.read_text()[-2000:]}"
                time.sleep(0.5)
        yield f"127.0.0.1:{port}"
    finally:
        os.killpg(head.pid, signal.SIGTERM)  # --block: the head takes its cluster down with it
        head.wait(timeout=60)
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.mark.slow
def test_bench_joins_a_ray_cluster_and_plays_each_batch_on_its_workers(
    tmp_path: Path, cache_root: Path, ray_cluster: str
) -> None:
    suite = tmp_path / "suite.toml"
    suite.write_text(
        f'name = "tiny"\ntrials = 2\n[textworld]\nmax_steps = 8\nadapt = {json.dumps(GAMES[:2])}\n'
    )
    report, workdir = tmp_path / "bench.json", tmp_path / "homes"
    watch = WorkerWatch()
    watch.start()
    result = cairn(
        "bench",
        str(suite),
        "--workers",
        "2",
        "--ray-address",
        ray_cluster,
        "--policy",
        "evidence",
        "--workdir",
        str(workdir),
        "--json",
        str(report),
        cache=cache_root,
    )
    watch.running = False
    assert result.returncode == 0, result.stderr
    # Four batches (a home per game and agent), played by the same two workers.
    assert 1 <= len(watch.seen) <= 2, watch.seen
    rows = json.loads(report.read_text())["results"]
    assert {r["agent"] for r in rows} == {"memory", "no-memory"}
    assert all(len(r["mean_by_trial"]) == 2 for r in rows)
    homes = [db.parent for db in workdir.rglob("cairn.db")]
    assert len(homes) == 2 * 2  # ADAPT: a home per game and agent, written by its service
    for home in homes:
        assert check_store(home)["trials"] == 2
