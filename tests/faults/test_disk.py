"""A home whose disk fills up under a running ``cairn run``, and a home on a read-only file
system: one clear line, exit 1, and everything saved before intact. A file cairn writes on a
disk that is full keeps what it held, and no temporary file is left. Real file systems: a
small tmpfs mounted for the test (skipped where mounting is not allowed)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge_graph.graph import KnowledgeGraph
from memory.errors import DiskFull
from tests.support.cli import cairn, one_error_line
from tests.support.stores import check_store

GAME = "textworld:treasure_hunter@5,level=12"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> None:
    """Leave no room on the disk: one file takes whatever space is left."""
    with (disk / "filler").open("wb", buffering=0) as filler, contextlib.suppress(OSError):
        while True:
            filler.write(b"\0" * 65536)


def test_a_graph_the_full_disk_cannot_take_leaves_the_one_before(small_disk: Path) -> None:
    path = small_disk / "graph.json"
    KnowledgeGraph().save(path)
    before = path.read_text()
    fill(small_disk)
    bigger = KnowledgeGraph()
    bigger.graph.add_node("action:" + "open the cupboard " * 1000)
    with pytest.raises(DiskFull, match="cannot write to the cairn home's knowledge graph"):
        bigger.save(path)
    assert path.read_text() == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "graph.json"]


def test_a_report_the_full_disk_cannot_take_is_one_line(
    small_disk: Path, tmp_path: Path, cache_root: Path
) -> None:
    report = small_disk / "out.json"
    fill(small_disk)
    result = cairn(
        "run",
        "toy:fetch@3",
        "--trials",
        "1",
        "--policy",
        "evidence",
        "--home",
        str(tmp_path / "home"),
        "--json",
        str(report),
        cache=cache_root,
    )
    one_error_line(result, f"cannot write {report}", "free some space or choose another --json")
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]
    trials = cairn("logs", "trials", "--home", str(tmp_path / "home"), "--json", cache=cache_root)
    assert '"status": "done"' in trials.stdout  # the run itself is recorded whole


@pytest.fixture(scope="module")
def learned(tmp_path_factory: pytest.TempPathFactory, cache_root: Path) -> Path:
    home = tmp_path_factory.mktemp("learned")
    result = cairn("memory", "demo", GAME, "--home", str(home), cache=cache_root)
    assert result.returncode == 0, result.stderr
    return home


@pytest.mark.slow
def test_a_disk_that_fills_up_mid_run_is_one_line_and_loses_nothing(
    small_disk: Path, learned: Path, cache_root: Path
) -> None:
    home = small_disk / "home"
    shutil.copytree(learned, home)
    before = check_store(home)
    result = cairn(
        "run",
        GAME,
        "--policy",
        "evidence",
        "--trials",
        "100",
        "--max-steps",
        "40",
        "--home",
        str(home),
        cache=cache_root,
    )
    one_error_line(result, "cannot write to the cairn home", "free some space")
    after = check_store(home)  # integrity, no holes, no duplicate claims
    assert after["trials"] > before["trials"] and after["insights"] >= before["insights"]
    again = cairn(
        "memory",
        "add",
        "go north SHOULD BE NECESSARY to win",
        "--home",
        str(home),
        cache=cache_root,
    )
    one_error_line(again, "is full", "free some space")


@pytest.mark.slow
def test_a_read_only_home_is_one_line_and_stays_as_it_was(
    small_disk: Path, learned: Path, cache_root: Path
) -> None:
    home = small_disk / "home"
    shutil.copytree(learned, home)
    before = check_store(home)
    bundle = small_disk.parent / "learned.cairn.zip"
    assert cairn("export", str(bundle), "--home", str(learned), cache=cache_root).returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    for command in (
        ("run", GAME, "--trials", "1", "--policy", "evidence"),
        ("memory", "add", "go north SHOULD BE NECESSARY to win"),
        ("import", str(bundle)),
    ):
        result = cairn(*command, "--home", str(home), cache=cache_root)
        one_error_line(result, "not writable", "Read-only file system")
    subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert check_store(home) == before
