"""Numbered schema migrations for the cairn database.

A released migration is never edited: a schema change is a new function appended here.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

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


@MIGRATIONS()
def m0008_run_errors(db: Database) -> None:
    """Why a run ended as it did ("interrupted by SIGTERM", the error line of a failed run);
    empty for a run that finished."""
    db.table("runs").add_column("error", str)
