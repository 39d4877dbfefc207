"""The evidence reflector on hand-built trajectories whose right answers are known."""

from __future__ import annotations

import pytest

from memory.knowledge import Relation
from memory.records import Step
from reflection.evidence import EvidenceReflector, credits, fruitless, loop_erased
from reflection.trajectory import Trajectory, goal_for


def step(index: int, action: str, observation: str, score: float, *, lost: bool = False) -> Step:
    return Step(
        index,
        action,
        observation,
        0.0,
        score,
        score >= 100,
        lost,
        False,
        lost=lost,
        state_key=f"s{index}",
    )


def trajectory(*steps: Step) -> Trajectory:
    return Trajectory(
        "scienceworld",
        "boil",
        3,
        "scienceworld:boil@3",
        "Your task is to boil water. First, focus on the substance.",
        "You are in the hallway.",
        steps,
        trial_id=9,
    )


GAINING = trajectory(
    step(1, "look around", "You are in the hallway.", 0),  # changed nothing
    step(2, "open door to kitchen", "The door is now open.", 0),
    step(3, "go to kitchen", "You move to the kitchen.", 10),  # a gain
    step(4, "look around", "This is the kitchen.", 10),
    step(5, "activate stove", "The stove is on.", 30),  # a gain
    step(6, "open fridge", "The fridge is open.", 30),  # after the last gain: left alone
)


def test_credit_flows_back_from_gains_with_discount() -> None:
    values = credits(GAINING.steps)
    assert values[4] == 20  # its own gain
    assert values[2] == pytest.approx(10 + 0.9**2 * 20)
    assert values[5] == 0
    assert fruitless(GAINING.steps, GAINING.initial_observation)[:2] == [True, False]


def test_gains_necessary_path_maybe_idle_refuted_rest_untouched() -> None:
    reflection = EvidenceReflector().reflect(GAINING)
    claims = {(u.subject, u.relation) for u in reflection.updates}
    assert claims == {
        ("go to kitchen", Relation.NECESSARY),
        ("activate stove", Relation.NECESSARY),
        ("open door to kitchen", Relation.MAY_BE_NECESSARY),
        ("look around", Relation.MAY_BE_NECESSARY),  # useful at step 4; so never refuted
    }
    assert all(u.goal == "boil water" and u.trial_id == 9 for u in reflection.updates)
    orders = {u.subject: u.order for u in reflection.updates}
    assert orders["open door to kitchen"] < orders["go to kitchen"] < orders["activate stove"]
    assert [s.useful for s in reflection.exemplar.steps] == [False, True, True, True, True, False]
    assert reflection.exemplar.score == 30 and reflection.exemplar.trial_id == 9


def test_the_losing_step_is_to_be_avoided() -> None:
    lost = trajectory(
        step(1, "go to kitchen", "You move to the kitchen.", 10),
        step(2, "focus on door", "You focus on the door.", 0, lost=True),
    )
    reflection = EvidenceReflector().reflect(lost)
    avoid = [u for u in reflection.updates if u.relation is Relation.AVOID]
    assert [(u.subject, u.weight) for u in avoid] == [("focus on door", 2.0)]
    assert reflection.exemplar.steps[-1].fatal


def test_a_trial_without_gains_teaches_only_what_changed_nothing() -> None:
    idle = trajectory(
        step(1, "look around", "You are in the hallway.", 0),
        step(2, "open door to kitchen", "The door is now open.", 0),
        step(3, "open door to kitchen", "The door is now open.", 0),
    )
    updates = EvidenceReflector().reflect(idle).updates
    assert {(u.subject, u.relation) for u in updates} == {
        ("look around", Relation.DOES_NOT_CONTRIBUTE),
        ("open door to kitchen", Relation.DOES_NOT_CONTRIBUTE),
    }


def test_goals_are_named_by_scope() -> None:
    assert GAINING.goal == "boil water"
    assert goal_for(GAINING.where.widen()) == "the boil task"
    assert goal_for(GAINING.where.widen().widen()) == "scienceworld tasks"
    assert goal_for(GAINING.where.widen().widen().widen()) == "any task"


def test_detours_that_come_back_are_cut_out_of_the_path() -> None:
    def at(index: int, action: str, state: str, score: float) -> Step:
        return Step(index, action, f"{action} done", 0, score, False, False, False, state_key=state)

    steps = (
        at(1, "open drawer", "A", 0),  # A -> B
        at(2, "examine door", "B", 0),  # B -> B': a detour...
        at(3, "close drawer", "B2", 0),  # ... B' -> A
        at(4, "open drawer", "A", 0),  # back at A with the same score: 2-4 erased
        at(5, "take key", "B", 10),  # the gain
    )
    assert loop_erased(steps) == [3, 4]
    reflection = EvidenceReflector().reflect(trajectory(*steps))
    assert [s.useful for s in reflection.exemplar.steps] == [False, False, False, True, True]
    assert [s.credit > 0 for s in reflection.exemplar.steps] == [False, False, False, True, True]


def test_a_trial_cut_off_teaches_nothing_against_steps_that_changed_something() -> None:
    """`cairn run scienceworld:boil@dev:0 --trials 2 --max-steps 10`, trial 2: the cupboard
    opened again at step 8 had been closed at step 4. Its observation repeats step 3's, but
    the world was not where step 3 left it: opening it changed something again."""
    room = "This room is called the art studio. The large cupboard door is closed."
    cut_off = Trajectory(
        "scienceworld",
        "boil",
        14,
        "scienceworld:boil@dev:0",
        "Your task is to boil water.",
        room,
        tuple(
            step(i, action, observation, 0)
            for i, (action, observation) in enumerate(
                [
                    ("close door", "The door is now closed."),
                    ("look around", room),
                    ("open cupboard", "The large cupboard is now open."),
                    ("close cupboard", "The large cupboard is now closed."),
                    ("put down orange", "You move the orange to the art studio."),
                    ("eat orange", "The orange was delicious."),
                    ("look around", room),
                    ("open cupboard", "The large cupboard is now open."),
                    ("close cupboard", "The large cupboard is now closed."),
                    ("inventory", "In your inventory, you see: nothing"),
                ],
                start=1,
            )
        ),
        trial_id=2,
    )
    assert fruitless(cut_off.steps, cut_off.initial_observation) == [False] * 10
    assert EvidenceReflector().reflect(cut_off).updates == ()


def test_a_step_changed_nothing_only_if_answered_as_the_step_before_it() -> None:
    steps = (
        step(1, "open drawer", "The drawer is now open.", 0),
        step(2, "open drawer", "The drawer is now open.", 0),  # nothing new: changed nothing
        step(3, "close drawer", "The drawer is now closed.", 0),
        step(4, "open drawer", "The drawer is now open.", 0),  # step 1's answer, but a change
        step(5, "wait", "You wait.", 0),
        step(6, "wait", "You wait.", 0),
    )
    assert fruitless(steps, "You are in the hallway.") == [False, True, False, False, False, True]
