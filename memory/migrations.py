"""Numbered schema migrations for the cairn database.

A released migration is never edited: a schema change is a new function appended here.
"""

from __future__ import annotations

import json
import uuid

from sqlite_utils import Database, Migrations

from memory.clock import now as _now  # the released migrations' bodies stay as written
from memory.legacy_variations import legacy_variation_key, split_insight

MIGRATIONS = Migrations("cairn")
BY_SUBJECT = "insights_by_subject"  # an index queries name (the planner, without statistics,
# prefers broader ones)


@MIGRATIONS()
def m0001_runs_trials_steps_llm_calls(db: Database) -> None:
    db.table("runs").create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "command": str,
            "config": str,
            "cairn_version": str,
        },
        pk="id",
    )
    db.table("trials").create(
        {
            "id": int,
            "run_id": int,
            "env": str,
            "trial": int,
            "task": str,
            "variation": int,
            "seed": int,
            "task_description": str,
            "initial_observation": str,
            "status": str,
            "score": float,
            "won": int,
            "steps": int,
            "seconds": float,
            "error": str,
            "started_at": str,
            "finished_at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
    )
    db.table("steps").create(
        {
            "id": int,
            "trial_id": int,
            "idx": int,
            "action": str,
            "observation": str,
            "reward": float,
            "score": float,
            "won": int,
            "terminated": int,
            "truncated": int,
            "proposal": str,
            "grounding": str,
            "note": str,
            "candidates": str,
            "env_seconds": float,
            "llm_seconds": float,
            "agent_seconds": float,
        },
        pk="id",
        foreign_keys=[("trial_id", "trials", "id")],
    )
    db.table("llm_calls").create(
        {
            "id": int,
            "run_id": int,
            "trial_id": int,
            "step": int,
            "model": str,
            "messages": str,
            "options": str,
            "response": str,
            "prompt_tokens": int,
            "completion_tokens": int,
            "seconds": float,
            "error": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id"), ("trial_id", "trials", "id")],
    )
    db.table("trials").create_index(["run_id"])
    db.table("steps").create_index(["trial_id", "idx"], unique=True)
    db.table("llm_calls").create_index(["trial_id", "step"])


@MIGRATIONS()
def m0002_insights_exemplars(db: Database) -> None:
    db.table("insights").create(
        {
            "id": int,
            "subject": str,
            "subject_key": str,
            "relation": str,
            "goal": str,
            "goal_key": str,
            "scope": str,
            "env": str,
            "task": str,
            "variation": int,
            "where_key": str,
            "support": float,
            "refute": float,
            "status": str,
            "origin": str,
            "pinned": int,
            "ord": float,
            "superseded_by": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"subject", "relation", "goal", "scope", "status"},
    )
    db.table("insights").create_index(["where_key", "subject_key", "goal_key", "status"])
    db.table("insights").create_index(["env", "task", "status"])
    db.table("insight_evidence").create(
        {
            "id": int,
            "insight_id": int,
            "trial_id": int,
            "steps": str,
            "weight": float,
            "kind": str,  # "support" | "refute"
            "origin": str,
            "reason": str,
            "at": str,
        },
        pk="id",
        foreign_keys=[("insight_id", "insights", "id")],
    )
    db.table("insight_evidence").create_index(["insight_id"])
    db.table("insight_ops").create(
        {
            "id": int,
            "insight_id": int,
            "op": str,
            "actor": str,
            "trial_id": int,
            "details": str,
            "at": str,
        },
        pk="id",
    )
    db.table("insight_ops").create_index(["insight_id"])
    db.table("exemplars").create(
        {
            "id": int,
            "trial_id": int,
            "env": str,
            "task": str,
            "variation": int,
            "spec": str,
            "task_description": str,
            "score": float,
            "won": int,
            "origin": str,
            "steps": str,
            "created_at": str,
        },
        pk="id",
    )
    db.table("exemplars").create_index(["env", "task", "variation"])
    db.table("exemplars").create_index(["trial_id"], unique=True)
    db.table("steps").add_column("state_key", str)
    db.table("steps").add_column("cited", str)
    db.table("steps").add_column("lost", int)


@MIGRATIONS()
def m0003_search_and_person_edits(db: Database) -> None:
    db.table("insights").enable_fts(["subject", "goal"], create_triggers=True)
    db.table("insights").add_column("edited_by", str)  # "person" once a person changed it


@MIGRATIONS()
def m0004_imports(db: Database) -> None:
    db.table("imports").create(
        {"id": int, "sha256": str, "name": str, "at": str, "counts": str}, pk="id"
    )
    db.table("imports").create_index(["sha256"], unique=True)


@MIGRATIONS()
def m0005_settings(db: Database) -> None:
    """Settings that belong to the home, e.g. the id that names its collections on a shared
    Chroma server and the server's URL once it has been used."""
    db.table("settings").create({"key": str, "value": str}, pk="key")


@MIGRATIONS()
def m0006_recall_index(db: Database) -> None:
    """Recall ranks one scope at a time: the first index holds all it needs to find and rank
    them (a covering index), so it reads no table row until the chosen ones. Without it, an
    environment's insights were found by scanning every row of that environment."""
    db.table("insights").create_index(
        ["status", "scope", "env", "task", "variation", "pinned", "support", "refute"]
    )
    # Promotion after a trial reads only the subjects the trial changed.
    db.table("insights").create_index(
        ["subject_key", "status", "scope", "env", "task"], index_name=BY_SUBJECT
    )


# --- m0007: a variation is named by everything that makes it another game ----------------
@MIGRATIONS()
def m0007_variation_identity(db: Database) -> None:
    """A variation was named by its number alone, so ``coin_collector@3,level=2`` and
    ``@3,level=8`` (two maps) shared one memory. It is now a text key of the number and the
    options that make it another game. Trials and exemplars get the key of the spec they were
    played with; an insight that gathered evidence from several such games is split into one
    insight per game, each with the evidence of its own trials (nothing is dropped)."""
    for name in ("trials", "exemplars", "insights"):
        db.table(name).transform(types={"variation": str})
    db.table("insights").enable_fts(["subject", "goal"], create_triggers=True, replace=True)
    trial_keys: dict[int, str | None] = {}
    for row in db.query("select id, env, variation from trials where variation is not null"):
        trial_keys[row["id"]] = key = legacy_variation_key(row["env"] or "", row["variation"])
        db.execute("update trials set variation = ? where id = ?", [key, row["id"]])
    rows = list(db.query("select id, trial_id, spec, variation from exemplars"))
    for row in rows:
        if row["variation"] is None:
            continue
        key = trial_keys.get(row["trial_id"]) or legacy_variation_key(row["spec"], row["variation"])
        db.execute("update exemplars set variation = ? where id = ?", [key, row["id"]])
    split = [
        split_insight(db, insight, trial_keys)
        for insight in list(
            db.query("select * from insights where scope = 'variation' and variation is not null")
        )
    ]
    if not (trial_keys or rows or split):
        return  # a new home: nothing was rewritten
    # Logged, so the saved graph's stamp is stale and the graph is rebuilt from the new keys.
    db.table("insight_ops").insert(
        {
            "insight_id": None,
            "op": "migrate",
            "actor": "migration",
            "details": json.dumps({"migration": "m0007_variation_identity", "split": sum(split)}),
            "at": _now(),
        }
    )


@MIGRATIONS()
def m0008_evidence_identity(db: Database) -> None:
    """Every evidence row and exemplar is named by the home and row (or trial) it was made
    in, so bundles that bring it again are not counted twice (``memory.identity``); the
    weight an insight took from another home beyond evidence rows is kept per origin in
    ``residuals``. Existing rows get the names of this home, made now if it had none."""
    found = list(db.query("select value from settings where key = 'home_id'"))
    home = found[0]["value"] if found else uuid.uuid4().hex[:16]
    if not found:
        db.table("settings").insert({"key": "home_id", "value": home})
    db.table("insight_evidence").add_column("uid", str)
    db.table("exemplars").add_column("uid", str)
    db.execute("update insight_evidence set uid = ? || ':evidence:' || id", [home])
    db.execute(
        "update exemplars set uid = ? || case when trial_id is null then ':exemplar:' || id "
        "else ':trial:' || trial_id end",
        [home],
    )
    db.table("insight_evidence").create_index(["uid"], unique=True)
    db.table("exemplars").create_index(["uid"], unique=True)
    # positive: the polarity of the claim the weight was given for (the local insight it
    # went to may hold the contrary one); at: when the origin last changed it.
    db.table("residuals").create(
        {
            "uid": str,
            "insight_id": int,
            "positive": int,
            "support": float,
            "refute": float,
            "at": str,
        },
        pk="uid",
    )
    db.table("residuals").create_index(["insight_id"])


@MIGRATIONS()
def m0009_run_errors(db: Database) -> None:
    """Why a run ended as it did ("interrupted by SIGTERM", the error line of a failed run);
    empty for a run that finished."""
    db.table("runs").add_column("error", str)


@MIGRATIONS()
def m0010_archive(db: Database) -> None:
    """The archive of cells that exploring builds (``memory.archive``): one row per game
    (a variation: env, task and its identity), one per cell of it; and where each step left
    the player (its place and what it held), kept with the step."""
    db.table("games").create(
        {
            "id": int,
            "env": str,
            "task": str,
            "variation": str,
            "start_state": str,
            "trials": int,
            "setbacks": int,
            "updated_at": str,
        },
        pk="id",
    )
    db.table("games").create_index(["env", "task", "variation"], unique=True)
    db.table("cells").create(
        {
            "game_id": int,
            "key": str,
            "place": str,
            "inventory": str,
            "score": float,
            "path": str,
            "reached": int,
            "chosen": int,
            "won": int,
            "tried": str,
            "offered": str,
            "seen": str,
            "risks": str,
            "first_trial": int,
            "last_trial": int,
            "updated_at": str,
        },
        pk=("game_id", "key"),
        foreign_keys=[("game_id", "games", "id")],
    )
    db.table("steps").add_column("location", str)
    db.table("steps").add_column("inventory", str)


@MIGRATIONS()
def m0011_procedures(db: Database) -> None:
    """A task's won ways, read per variation to merge its procedure
    (``agent.learning.procedures``) without reading every trajectory of the task; the
    procedures a person wrote, which stand in for the learned one; and what a person said
    of a task's kind (``memory.person_kinds``)."""
    db.table("exemplars").create_index(["env", "task", "won", "variation"])
    db.table("procedures").create(
        {"env": str, "task": str, "steps": str, "edited_at": str}, pk=("env", "task")
    )
    db.table("person_kinds").create(
        {"env": str, "task": str, "goal": str, "thing": str, "right": int, "said_at": str},
        pk=("env", "task", "goal", "thing"),
    )


@MIGRATIONS()
def m0012_person_places(db: Database) -> None:
    """Where a person said a task's things are, or are not (``memory.person_places``)."""
    db.table("person_places").create(
        {"env": str, "task": str, "thing": str, "place": str, "at": int, "said_at": str},
        pk=("env", "task", "thing", "place"),
    )
