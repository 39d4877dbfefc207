from __future__ import annotations

from dataclasses import replace

from agent.acting.policy import (
    DeadEndGuard,
    Evidence,
    Policy,
    RandomPolicy,
    Relevance,
)
from agent.acting.state import Turn
from memory.records import Step

TASK = (
    "Your task is to boil water. First, focus on the substance. "
    "Then, move it to the red box in the kitchen."
)
VALID = (
    "look around",
    "open door to kitchen",
    "focus on water",
    "focus on red box",
    "focus on door",
    "pick up thermometer",
)


def step(index: int, action: str, observation: str, reward: float = 0.0) -> Step:
    return Step(index, action, observation, reward, 0.0, False, False, False)


def turn(history: tuple[Step, ...] = (), observation: str = "You are in the hallway.") -> Turn:
    return Turn(
        task=TASK,
        observation=observation,
        valid_actions=VALID,
        history=history,
        irreversible_actions=frozenset(a for a in VALID if a.startswith("focus on")),
        initial_observation="You are in the hallway.",
    )


def test_relevance_counts_objects_named_in_the_task_not_the_verb() -> None:
    scores = Relevance().score(turn())
    assert scores["focus on water"] > 0
    assert "focus on door" not in scores  # "focus" is in the task, "door" is not
    assert "look around" not in scores


def test_dead_end_guard_blocks_the_destination_and_repeats_more_than_the_goal() -> None:
    guard = DeadEndGuard()
    scores = guard.score(turn())
    assert scores["focus on water"] > scores["focus on red box"]  # red box is the destination
    assert scores["focus on water"] > scores["focus on door"]
    focused = replace(step(1, "focus on water", "You focus on the water.", 10.0), score=10.0)
    again = guard.score(turn((focused,)))
    assert again["focus on water"] < scores["focus on door"]
    refusal = "No known action matches that input."  # to "eat water" too: nothing was done
    refused = (step(1, "eat water", refusal), step(2, "focus on water", refusal))
    assert guard.score(turn(refused))["focus on water"] == scores["focus on water"]


def test_the_model_preference_is_one_voice_among_the_evidence() -> None:
    policy = Policy(seed=1)
    evidence = policy.evidence(turn())
    assert policy.choose(turn(), evidence, {"focus on water": -0.1}).action == "focus on water"
    # A strong preference for a dead end is outweighed by the guard.
    strong_dead_end = {"focus on door": -0.01, "open door to kitchen": -2.0}
    assert policy.choose(turn(), evidence, strong_dead_end).action != "focus on door"


def test_choice_records_its_evidence() -> None:
    policy = Policy(seed=1)
    choice = policy.choose(turn(), policy.evidence(turn()), {"open door to kitchen": -0.2})
    best = choice.candidates[0]
    assert best.action == choice.action
    assert "llm" in best.evidence  # the model is one voice among the evidence
    assert [c.score for c in choice.candidates] == sorted(
        (c.score for c in choice.candidates), reverse=True
    )


def test_shortlist_caps_each_verb_and_keeps_the_best() -> None:
    policy = Policy(seed=0)
    menu = policy.shortlist(policy.evidence(turn()), size=4, per_verb=1)
    assert len(menu) == 4
    assert sum(a.startswith("focus on") for a in menu) == 1
    assert "focus on water" in menu


def test_random_policy_is_seeded_and_only_picks_valid_actions() -> None:
    picks = [RandomPolicy(seed=3).choose(turn(), Evidence()).action for _ in range(3)]
    assert len(set(picks)) == 1 and picks[0] in VALID
    many = {RandomPolicy(seed=s).choose(turn(), Evidence()).action for s in range(40)}
    assert len(many) > 3


def test_dead_end_guard_treats_rooms_as_places_not_targets() -> None:
    task = "Your task is to find a(n) living thing. First, focus on the thing."
    focus = ("focus on living room", "focus on living plant")
    moved = (
        Step(
            1,
            "go to living room",
            "You move to the living room.",
            0,
            0,
            False,
            False,
            False,
            location="living room",
        ),
    )
    here = Turn(task, "You move to the living room.", focus, moved, frozenset(focus))
    scores = DeadEndGuard().score(here)
    assert scores["focus on living room"] < scores["focus on living plant"]
