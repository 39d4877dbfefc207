"""Migrations of homes made by earlier versions: nothing learned is lost on the way."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from memory.knowledge import Scope, Status, Where
from memory.legacy_variations import legacy_variation_key
from memory.migrations import MIGRATIONS
from memory.store import Store

LEVEL_2, LEVEL_8, DEFAULT = (
    "textworld:coin_collector@3,level=2",
    "textworld:coin_collector@3,level=8",
    "textworld:coin_collector@3,level=5",
)


def legacy_home(path: Path) -> None:
    """A database as cairn wrote it before m0007: variations named by their number only, and
    one insight that gathered evidence from two different games (level 2 and level 8)."""
    db = Database(sqlite3.connect(path))
    MIGRATIONS.apply(db, stop_before="m0007_variation_identity")
    db.table("runs").insert({"id": 1, "status": "done", "command": "cairn run", "config": "{}"})
    for trial_id, spec in enumerate((LEVEL_2, LEVEL_8, DEFAULT), 1):
        db.table("trials").insert(
            {
                "id": trial_id,
                "run_id": 1,
                "env": spec,
                "trial": 1,
                "task": "coin_collector",
                "variation": 3,
                "status": "done",
            }
        )
        db.table("exemplars").insert(
            {
                "id": trial_id,
                "trial_id": trial_id,
                "env": "textworld",
                "task": "coin_collector",
                "variation": 3,
                "spec": spec,
                "task_description": "Find the coin.",
                "score": 0.0,
                "won": 0,
                "origin": "trial",
                "steps": "[]",
            }
        )
    db.table("insights").insert(
        {
            "id": 1,
            "subject": "go west",
            "subject_key": "go west",
            "relation": "SHOULD BE NECESSARY",
            "goal": "find the coin",
            "goal_key": "find coin",
            "scope": "variation",
            "env": "textworld",
            "task": "coin_collector",
            "variation": 3,
            "where_key": "textworld/coin_collector/3",
            "support": 3.0,
            "refute": 0.5,
            "status": "active",
            "origin": "evidence",
            "pinned": 0,
        }
    )
    for trial_id, kind, weight in (
        (1, "support", 1.0),
        (1, "support", 1.0),
        (2, "refute", 0.5),
        (2, "support", 1.0),
    ):
        db.table("insight_evidence").insert(
            {
                "insight_id": 1,
                "trial_id": trial_id,
                "steps": "[1]",
                "weight": weight,
                "kind": kind,
                "origin": "evidence",
                "reason": "",
                "at": "",
            }
        )
    db.conn.close()


def test_an_insight_learned_from_two_games_is_split_into_one_per_game(tmp_path: Path) -> None:
    path = tmp_path / "cairn.db"
    legacy_home(path)
    store = Store(path)
    keys = [t["variation"] for t in store.trials()]
    assert keys == ["3,level=2", "3,level=8", "3"]  # level=5 is the default: the same game
    assert [e.variation for e in store.exemplars.all()] == keys
    level_2 = store.insights.find("go west", "find the coin", where("3,level=2"))
    level_8 = store.insights.find("go west", "find the coin", where("3,level=8"))
    assert level_2 is not None and level_8 is not None
    assert (level_2.support, level_2.refute) == (2.0, 0.0)  # its own trial's evidence
    assert (level_8.support, level_8.refute) == (1.0, 0.5)
    assert {r["trial_id"] for r in store.insights.evidence(level_8.id or 0)} == {2}
    assert level_8.status is Status.ACTIVE
    assert store.insights.for_task("textworld", "coin_collector", "3") == []
    # Word search still works on the rebuilt table, and the rewrite is in the log.
    assert {i.id for i in store.insights.search_text("west")} == {level_2.id, level_8.id}
    ops = [op for op in store.insights.operations() if op["op"] in ("split", "migrate")]
    assert [op["op"] for op in ops] == ["split", "migrate"]
    assert ops[0]["details"]["from"] == level_2.id
    store.close()


def where(variation: str) -> Where:
    return Where(Scope.VARIATION, "textworld", "coin_collector", variation)


def test_legacy_keys_spell_options_one_way_and_drop_defaults() -> None:
    assert legacy_variation_key("textworld:cooking@4,go=6,open=true,take=1", 4) == "4,go=6,open=1"
    assert legacy_variation_key("scienceworld:boil@dev:0", 17) == "17"
    assert (
        legacy_variation_key("scienceworld:boil@dev:0,simplification=openDoors+teleportAction", 17)
        == "17,simplification=openDoors+teleportAction"
    )
    assert legacy_variation_key("textworld:game.z8", None) is None


def test_evidence_and_exemplars_made_before_m0008_are_named_by_this_home(tmp_path: Path) -> None:
    path = tmp_path / "cairn.db"
    legacy_home(path)  # no home id yet: m0008 makes it
    db = Database(sqlite3.connect(path))
    MIGRATIONS.apply(db, stop_before="m0008_evidence_identity")
    db.table("exemplars").insert(
        {"id": 9, "env": "textworld", "task": "t", "spec": "textworld:t", "score": 0.0, "won": 0}
        | {"origin": "demonstration:oracle", "steps": "[]"}
    )
    db.conn.close()
    store = Store(path)
    home = store.home_id()
    rows = store.db.query("select id, uid from insight_evidence order by id")
    assert [r["uid"] for r in rows] == [f"{home}:evidence:{n}" for n in (1, 2, 3, 4)]
    named = {e.id: e.uid for e in store.exemplars.all()}
    assert named == {
        1: f"{home}:trial:1",
        2: f"{home}:trial:2",
        3: f"{home}:trial:3",
        9: f"{home}:exemplar:9",
    }
    store.close()
    assert Store(path).home_id() == home  # made once


def test_m0008_names_rows_by_the_home_id_a_home_has_already(tmp_path: Path) -> None:
    path = tmp_path / "cairn.db"
    legacy_home(path)
    db = Database(sqlite3.connect(path))
    MIGRATIONS.apply(db, stop_before="m0008_evidence_identity")
    db.table("settings").insert({"key": "home_id", "value": "0123456789abcdef"})
    db.conn.close()
    store = Store(path)
    assert store.home_id() == "0123456789abcdef"
    assert store.insights.has_evidence("0123456789abcdef:evidence:1")
    store.close()
