"""Small cairn homes written through the store's own API (real SQLite), for CLI tests that
need something recorded without playing a game or loading a model."""

from __future__ import annotations

from pathlib import Path

from memory.knowledge import InsightUpdate, Relation, Scope, Where
from memory.records import LLMCall, Step, TrialOutcome
from memory.store import Store

CONFIG = {"envs": ["textworld:treasure_hunter@3"], "trials": 2, "memory": True}
FAILURE = "the model endpoint failed 4 times: connection refused"


def home_with_trials(home: Path) -> Path:
    """One run: a won trial of two steps (the second one scored by a menu call) and a failed
    trial with its reason."""
    store = Store.in_home(home)
    try:
        run = store.start_run("cairn run textworld:treasure_hunter@3", CONFIG, "test")
        won = store.start_trial(run, "textworld:treasure_hunter@3", 1, seed=0)
        store.add_step(run, won, Step(1, "go east", "A kitchen.", 0.0, 0.0, False, False, False))
        call = LLMCall(
            model="embedded:test",
            messages=({"role": "user", "content": "1. look\n2. take broom"},),
            options={"labels": ["1", "2"], "label_logprobs": {"1": -3.0, "2": -0.1}, "label": "2"},
            response="You",
        )
        step = Step(2, "take broom", "Taken.", 1.0, 100.0, True, True, False, llm_calls=(call,))
        store.add_step(run, won, step)
        store.finish_trial(won, TrialOutcome(100.0, True, 2, 1.5))
        failed = store.start_trial(run, "textworld:treasure_hunter@3", 2, seed=0)
        store.finish_trial(failed, TrialOutcome(0.0, False, 0, 0.1, "failed", FAILURE))
        store.finish_run(run, "failed")
    finally:
        store.close()
    return home


def home_with_an_insight(home: Path) -> Path:
    """One insight ("take broom SHOULD BE NECESSARY to win treasure_hunter"), edited by a
    person once, so its history holds values logged as dicts."""
    store = Store.in_home(home)
    try:
        where = Where(Scope.TASK, "textworld", "treasure_hunter")
        update = InsightUpdate(
            "take broom", Relation.NECESSARY, "win treasure_hunter", where, reason="score rose"
        )
        (op, *_) = store.edits.add(update)
        assert op.insight_id is not None
        store.edits.edit(op.insight_id, support=3.0)
    finally:
        store.close()
    return home
