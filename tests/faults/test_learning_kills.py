"""``kill -9`` in the middle of learning, again and again: a trial teaches all or nothing.

The victim (``tests.faults.learning_victim``) learns from one made-up trial after another
with the real learner. It is killed at random moments spread over its learning. After every
kill, each finished trial has its exemplar, its evidence and its operations all stored, or
none of them; the vector index never holds what SQLite does not (it is written after the
commit), and what it lacks is repaired when the next process starts. ``CAIRN_LEARNING_KILLS``
sets how many kills (default 25).
"""

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

from tests.support.cli import cairn
from tests.support.stores import check_store

KILLS = int(os.environ.get("CAIRN_LEARNING_KILLS", "25"))


class Victim:
    def __init__(self, home: Path, seed: int, trials: int, batch: int = 1) -> None:
        command = [sys.executable, "-m", "tests.faults.learning_victim", str(home)]
        self.process = subprocess.Popen(
            [*command, str(seed), str(trials), str(batch)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.drift = json.loads(self.line("drift"))

    def line(self, word: str) -> str:
        """The rest of the next line that starts with ``word``."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith(word + " "):
                return line.split(" ", 1)[1]
        raise AssertionError(f"the victim ended: {self.process.communicate()[1]}")

    def kill(self) -> str:
        """Kill -9; return the lines it printed that were not read yet."""
        self.process.send_signal(signal.SIGKILL)
        rest, _ = self.process.communicate()
        return rest


def exemplars_by_trial(home: Path) -> dict[int, int]:
    """How many exemplars each trial left (learned twice, a trial would have two)."""
    db = sqlite3.connect(home / "cairn.db")
    try:
        rows = db.execute("SELECT trial_id, COUNT(*) FROM exemplars GROUP BY trial_id")
        return {trial: count for trial, count in rows}
    finally:
        db.close()


def learned_by_trial(home: Path) -> dict[int, tuple[bool, bool, bool]]:
    """For each finished trial: has it an exemplar, evidence rows, operation-log entries?"""
    db = sqlite3.connect(home / "cairn.db")
    try:
        done = [row[0] for row in db.execute("SELECT id FROM trials WHERE status = 'done'")]
        found = {
            table: {row[0] for row in db.execute(f"SELECT DISTINCT trial_id FROM {table}")}
            for table in ("exemplars", "insight_evidence", "insight_ops")
        }
    finally:
        db.close()
    return {
        t: (t in found["exemplars"], t in found["insight_evidence"], t in found["insight_ops"])
        for t in done
    }


def learning_seconds(home: Path) -> float:
    """How long one trial's learning takes on this machine, from a victim left alone."""
    victim = Victim(home, seed=0, trials=3)
    longest = 0.0
    for _ in range(3):
        victim.line("learning")
        started = time.monotonic()
        victim.line("learned")
        longest = max(longest, time.monotonic() - started)
    assert victim.process.wait(timeout=60) == 0
    return longest


@pytest.mark.slow
def test_a_kill_during_learning_keeps_a_trials_lessons_whole_or_not_at_all(
    tmp_path: Path, cache_root: Path
) -> None:
    home, chooser = tmp_path / "home", random.Random(11)
    spread = 1.2 * learning_seconds(home)
    cut_short = 0  # kills that landed while a trial was being learned from
    for kill in range(1, KILLS + 1):
        victim = Victim(home, seed=kill, trials=1000)
        assert all(counts["extra"] == 0 for counts in victim.drift.values()), victim.drift
        for _ in range(chooser.randint(1, 2)):
            trial = victim.line("learning").strip()
        time.sleep(chooser.uniform(0, spread))
        cut_short += f"learned {trial}" not in victim.kill()
        check_store(home)
        for trial_id, (exemplar, evidence, ops) in learned_by_trial(home).items():
            assert exemplar == evidence == ops, (
                f"kill {kill}: trial {trial_id} was learned in part: exemplar {exemplar}, "
                f"evidence {evidence}, operations {ops}"
            )
    assert cut_short > 0, "no kill landed during learning: the test did not test"
    last = Victim(home, seed=0, trials=1)  # repairs what the kills left behind, learns once
    assert last.process.wait(timeout=60) == 0, last.process.communicate()[1]
    check = cairn("memory", "reindex", "--check", "--home", str(home), "--json", cache=cache_root)
    assert check.returncode == 0, check.stdout + check.stderr  # index and SQLite agree
    print(f"{KILLS} kills, {cut_short} during learning, {len(learned_by_trial(home))} trials")


@pytest.mark.slow
def test_a_kill_mid_batch_keeps_the_whole_batch_or_none_of_it_and_nothing_twice(
    tmp_path: Path, cache_root: Path
) -> None:
    """The memory service learns the trials that arrive together in one transaction: a kill
    in the middle of such a batch keeps every trial of it or none, and none is learned twice."""
    home, chooser = tmp_path / "home", random.Random(12)
    spread = 3 * 1.2 * learning_seconds(home)
    cut_short = 0
    for kill in range(1, KILLS // 2 + 1):
        victim = Victim(home, seed=kill, trials=1000, batch=3)
        for _ in range(chooser.randint(1, 2)):
            batch = [int(t) for t in victim.line("learning").strip().split(",")]
        time.sleep(chooser.uniform(0, spread))
        rest = victim.kill()
        cut_short += f"learned {','.join(map(str, batch))}" not in rest
        check_store(home)
        learned = {t for t, (exemplar, _, _) in learned_by_trial(home).items() if exemplar}
        assert set(batch) <= learned or not set(batch) & learned, (
            f"kill {kill}: batch {batch} was learned in part: {sorted(set(batch) & learned)}"
        )
        twice = {t: n for t, n in exemplars_by_trial(home).items() if n > 1}
        assert not twice, f"kill {kill}: trials learned twice: {twice}"
    assert cut_short > 0, "no kill landed during a batch: the test did not test"
    last = Victim(home, seed=0, trials=3, batch=3)
    assert last.process.wait(timeout=60) == 0, last.process.communicate()[1]
    check = cairn("memory", "reindex", "--check", "--home", str(home), "--json", cache=cache_root)
    assert check.returncode == 0, check.stdout + check.stderr
