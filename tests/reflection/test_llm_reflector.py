"""The LLM reflector with a scripted model: valid lines learned, the rest dropped with reasons."""

from __future__ import annotations

import pytest

from memory.knowledge import Insight, Relation, Scope, Where
from memory.records import Step
from reflection.llm import LLMReflector
from reflection.trajectory import Trajectory
from tests.fakes import ScriptedLLM

TRAJECTORY = Trajectory(
    "scienceworld",
    "boil",
    3,
    "scienceworld:boil@3",
    "Your task is to boil water.",
    "You are in the hallway.",
    (Step(1, "go to kitchen", "You move to the kitchen.", 10.0, 10.0, False, False, False),),
    trial_id=4,
)


def test_valid_lines_become_updates_and_the_rest_is_dropped_with_reasons() -> None:
    model = ScriptedLLM()
    model.enqueue(
        "Here are my insights:\n"
        "1. going to the kitchen SHOULD BE NECESSARY to boil water\n"
        "- waiting may contribute to boiling water\n"
        "The stove is probably important.\n"
        "focusing on the door SHOULD BE AVOIDED\n"
    )
    result = LLMReflector(model).reflect(TRAJECTORY)
    assert [(u.subject, u.relation, u.goal) for u in result.updates] == [
        ("going to the kitchen", Relation.NECESSARY, "boil water"),
        ("waiting", Relation.MAY_CONTRIBUTE, "boiling water"),
        ("focusing on the door", Relation.AVOID, "boil water"),
    ]
    assert all(u.origin == "llm" and u.weight == 0.5 and u.trial_id == 4 for u in result.updates)
    assert [d.line for d in result.dropped] == [
        "Here are my insights:",
        "The stove is probably important.",
    ]
    assert all(d.reason for d in result.dropped)
    assert {line for line, _ in result.repaired} >= {"focusing on the door SHOULD BE AVOIDED"}
    assert result.call is not None and result.call.model == "scripted"


def test_the_prompt_shows_the_trial_the_prior_beliefs_and_the_grammar() -> None:
    model = ScriptedLLM()
    model.enqueue("")
    prior = [
        Insight(
            "open door",
            Relation.NECESSARY,
            "boil water",
            Where(Scope.TASK, "scienceworld", "boil"),
            3,
            1,
            id=5,
        )
    ]
    result = LLMReflector(model).reflect(TRAJECTORY, prior)
    prompt = model.requests[0].messages[0]["content"]
    assert "go to kitchen -> You move to the kitchen. [score 0 -> 10]" in prompt
    assert "open door SHOULD BE NECESSARY to boil water (confidence 0.67)" in prompt
    assert all(r.value in prompt for r in Relation)
    assert result.updates == () and result.dropped == ()


def test_a_flood_of_lines_is_capped() -> None:
    model = ScriptedLLM()
    model.enqueue("\n".join(f"step {i} MAY CONTRIBUTE to winning" for i in range(30)))
    result = LLMReflector(model, limit=5).reflect(TRAJECTORY)
    assert len(result.updates) == 5
    assert {d.reason for d in result.dropped} == {"more than 5 insights"}


@pytest.mark.slow
def test_a_real_small_model_never_crashes_the_reflector(smollm2) -> None:  # type: ignore[no-untyped-def]
    """SmolLM2 rarely writes valid insights; whatever it writes is learned or dropped with a
    reason, and the call is returned for the log."""
    result = LLMReflector(smollm2).reflect(TRAJECTORY)
    assert result.call is not None and result.call.response is not None
    lines = [line for line in result.call.response.splitlines() if line.strip()]
    assert len(result.updates) + len(result.dropped) == min(len(lines), 20)
    assert all(d.reason for d in result.dropped)
