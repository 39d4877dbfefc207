"""The embedded index's lock across real processes: a long-lived holder keeps others out, a
brief holder (a reader between requests) does not."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from memory.embedding import HashEmbedder
from memory.errors import HomeInUse
from memory.lock import hold
from memory.vectors import INSIGHTS, VectorIndex

# A second process adds one insight to the index at argv[1] (holding it for its life), then
# waits for a line on stdin before it exits.
WRITER = """
import sys
from pathlib import Path
from memory.embedding import HashEmbedder
from memory.knowledge import Insight, Relation, Scope, Where
from memory.vectors import VectorIndex
index = VectorIndex(HashEmbedder(), Path(sys.argv[1]))
index.add_insights([Insight(sys.argv[3], Relation.NECESSARY, "win", Where(Scope.GLOBAL),
                            id=int(sys.argv[2]))])
print("written", flush=True)
sys.stdin.readline()
"""
# A second process holds the lock briefly, says so, and lets go a moment later.
BRIEF = """
import sys, time
from pathlib import Path
from memory.lock import briefly
with briefly(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(1.0)
"""


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path / "chroma"), "1", "open door"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline() == "written\n"
    yield process
    process.kill()
    process.wait()


def test_a_brief_reader_is_kept_out_by_a_holder_and_reads_what_it_wrote_once_it_is_gone(
    writer: subprocess.Popen[str], tmp_path: Path
) -> None:
    path = tmp_path / "chroma"
    with pytest.raises(HomeInUse) as refused, VectorIndex.held_briefly(HashEmbedder(), path):
        pass
    assert f"pid {writer.pid}" in refused.value.holder
    assert writer.communicate("done\n") is not None and writer.returncode == 0
    with VectorIndex.held_briefly(HashEmbedder(), path) as index:
        assert [hit.id for hit in index.similar(INSIGHTS, "open door")] == [1]


def test_a_brief_reader_lets_go_and_sees_later_writes(tmp_path: Path) -> None:
    path = tmp_path / "chroma"
    for number, subject in ((1, "open door"), (2, "take bug")):
        written = subprocess.run(  # a writer that holds the index for its life, then exits
            [sys.executable, "-c", WRITER, str(path), str(number), subject],
            input="done\n",
            capture_output=True,
            text=True,
        )
        assert written.returncode == 0, written.stderr  # the lock was free: we let go
        with VectorIndex.held_briefly(HashEmbedder(), path) as index:
            assert index.count(INSIGHTS) == number  # what the last writer left
            assert index.similar(INSIGHTS, subject, k=1)[0].id == number


def test_a_long_lived_holder_waits_for_a_brief_one_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "chroma"
    brief = subprocess.Popen(
        [sys.executable, "-c", BRIEF, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert brief.stdout is not None and brief.stdout.readline() == "held\n"
    hold(path)  # a `cairn run` starting while `cairn mcp` answers a request
    assert brief.wait() == 0
    reader = subprocess.run([sys.executable, "-c", BRIEF, str(path)], capture_output=True)
    assert b"HomeInUse" in reader.stderr  # this process holds it now, for its life
