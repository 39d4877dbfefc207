"""Numbered schema migrations for the cairn database.

A released migration is never edited: a schema change is a new function appended here.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

MIGRATIONS = Migrations("cairn")


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
