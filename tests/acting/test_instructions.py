from __future__ import annotations

from agent.acting.instructions import Game, InstructionScorer, carried_out, clauses
from agent.acting.state import Turn
from memory.records import Step

CONDUCTIVITY = (
    "Your task is to determine if paper clip is electrically conductive. The paper clip is "
    "located around the workshop. First, focus on the paper clip. If it is electrically "
    "conductive, place it in the red box. If it is electrically nonconductive, place it in "
    "the green box."
)
WORKSHOP = (
    "teleport to workshop",
    "pick up paper clip",
    "disconnect paper clip",
    "focus on paper clip",
    "move paper clip to red box",
    "move paper clip to green box",
    "look around",
)


def step(index: int, action: str) -> Step:
    return Step(index, action, "", 0.0, 0.0, False, False, False)


def turn(actions: list[str]) -> Turn:
    history = tuple(step(i, a) for i, a in enumerate(actions, 1))
    return Turn(task=CONDUCTIVITY, observation="", valid_actions=WORKSHOP, history=history)


def test_a_clause_that_names_a_command_is_carried_out_by_that_command_only() -> None:
    steps = clauses(CONDUCTIVITY)
    focus = next(i for i, clause in enumerate(steps) if "focus" in clause.words)
    game = Game.of(WORKSHOP)
    assert focus not in carried_out(steps, ["pick up paper clip"], game)
    assert focus in carried_out(steps, ["pick up paper clip", "focus on paper clip"], game)


def test_an_instruction_passed_over_is_carried_out_by_a_later_action() -> None:
    steps = clauses(CONDUCTIVITY)
    done = carried_out(steps, ["teleport to workshop", "pick up paper clip"], Game.of(WORKSHOP))
    assert 0 in done  # "determine if paper clip is ...": the goal sentence, met after the place


def test_placing_it_asks_for_the_thing_the_instruction_before_named() -> None:
    steps = clauses(CONDUCTIVITY)
    red = next(i for i, clause in enumerate(steps) if "red" in clause.words)
    game = Game.of(WORKSHOP)
    assert red not in carried_out(steps, ["look in red box"], game)
    assert red in carried_out(steps, ["move paper clip to red box"], game)


def test_after_the_focus_the_instructions_point_at_the_boxes() -> None:
    scores = InstructionScorer().score(
        turn(
            ["teleport to workshop", "pick up paper clip", "look in red box", "focus on paper clip"]
        )
    )
    best = max(scores, key=scores.__getitem__)
    assert best == "move paper clip to red box"
    assert "disconnect paper clip" not in scores  # the paper clip's own clauses are done
