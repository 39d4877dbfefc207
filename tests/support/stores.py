"""Reading a home's database directly, to check it after a crash, a kill or a full disk."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def check_store(home: Path) -> dict[str, int]:
    """Integrity, no hole in any trial's steps, no claim stored twice; the counts of trials,
    steps and insights. Read directly (nothing written, so a full disk does not matter)."""
    db = sqlite3.connect(home / "cairn.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for trial_id, count, top in db.execute(
            "SELECT trial_id, count(*), max(idx) FROM steps GROUP BY trial_id"
        ).fetchall():
            assert count == top, f"trial {trial_id} has a hole in its steps"
        duplicates = db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM insights WHERE status = 'active' "
            "GROUP BY subject_key, goal_key, scope, env, task, variation HAVING count(*) > 1)"
        ).fetchone()[0]
        assert duplicates == 0
        return {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("trials", "steps", "insights")
        }
    finally:
        db.close()
