from __future__ import annotations

import itertools
import math

from agent.acting.agent import Agent
from agent.acting.decide import (
    FreeDecider,
    MenuDecider,
    PromptShape,
    build_messages,
    extract_action,
    history_start,
)
from agent.acting.policy import Policy
from agent.acting.state import Turn
from memory.records import Step
from tests.fakes import ScriptedLLM

VALID = ("go north", "go south", "take coin", "look", "inventory")


def make_turn(steps: int = 0, note: str | None = None) -> Turn:
    history = tuple(
        Step(
            i,
            "go north",
            f"room {i}",
            0.0,
            0.0,
            False,
            False,
            False,
            note=note if i == steps else None,
        )
        for i in range(1, steps + 1)
    )
    return Turn("Find the coin.", "You see a coin.", VALID, history)


def test_menu_decider_turns_label_probabilities_into_action_preferences() -> None:
    llm = ScriptedLLM()
    llm.enqueue("2", {"1": math.log(0.2), "2": math.log(0.6), "3": math.log(0.2)})
    proposal = MenuDecider(llm).propose(make_turn(), ["go north", "take coin", "look"])
    assert llm.requests[0].labels == ("1", "2", "3")
    assert max(proposal.preference, key=proposal.preference.__getitem__) == "take coin"
    assert math.isclose(sum(math.exp(v) for v in proposal.preference.values()), 1.0)
    assert proposal.calls and proposal.calls[0].model == "scripted"
    assert "1. go north\n2. take coin\n3. look" in llm.requests[0].messages[-1]["content"]


def test_history_window_moves_in_jumps_so_the_prompt_prefix_survives() -> None:
    starts = [history_start(n, 12) for n in range(0, 40)]
    assert starts[:13] == [0] * 13
    assert all(b - a in (0, 6) for a, b in itertools.pairwise(starts))
    shape = PromptShape(history_window=12)

    def prompt(n: int) -> str:
        return build_messages(make_turn(n), ["look"], "menu", shape)[-1]["content"]

    # Between jumps, each prompt's history is a prefix-extension of the previous one.
    for n in range(14, 17):
        head = prompt(n).split("\nNow:")[0]
        assert prompt(n + 1).startswith(head)


def test_free_decider_grounds_what_the_model_wrote() -> None:
    llm = ScriptedLLM()
    llm.enqueue("Thought: the coin is here.\nAction: Take the coin")
    proposal = FreeDecider(llm).propose(make_turn(), ["look"])
    assert proposal.preference.keys() == {"take coin"}
    assert (proposal.text, proposal.grounding, proposal.note) == ("Take the coin", "lexical", None)


def test_invalid_output_becomes_a_note_shown_on_the_next_turn() -> None:
    llm = ScriptedLLM()
    llm.enqueue("Action: fly to the moon")
    agent = Agent(Policy(seed=0), FreeDecider(llm))
    decision = agent.act(make_turn())
    assert decision.action in VALID  # the step still ends on a valid action
    assert decision.grounding == "policy"
    assert decision.note and "fly to the moon" in decision.note
    llm.enqueue("Action: look")
    agent.act(make_turn(1, note=decision.note))
    assert f"Note: {decision.note}" in llm.requests[-1].messages[-1]["content"]


def test_extract_action_prefers_the_action_line() -> None:
    assert extract_action("Thought: x\nAction: go north\n") == "go north"
    assert extract_action("go south") == "go south"
    assert extract_action("") == ""


def test_agent_records_model_calls_and_timings() -> None:
    llm = ScriptedLLM()
    llm.enqueue("1", {"1": -0.1, "2": -3.0})
    decision = Agent(Policy(seed=0), MenuDecider(llm), menu_size=2).act(make_turn())
    assert len(decision.llm_calls) == 1
    assert decision.llm_seconds >= 0 and decision.agent_seconds >= 0
    assert decision.candidates[0].action == decision.action


def test_a_strong_model_reads_memory_and_its_citations_are_kept() -> None:
    llm = ScriptedLLM()
    llm.enqueue("Thought: [I5] says the coin matters.\nAction: take coin")
    memory = ["[I5] take coin SHOULD BE NECESSARY to find the coin (confidence 0.90, task)"]
    proposal = FreeDecider(llm).propose(make_turn(), ["look"], memory)
    assert proposal.cited == (5,)
    assert memory[0] in llm.requests[0].messages[-1]["content"]
    llm.enqueue("1", {"1": -0.1})
    MenuDecider(llm).propose(make_turn(), ["look"], memory)
    assert "[I5]" not in llm.requests[1].messages[-1]["content"]  # a small model is not told


def test_a_menu_call_records_the_label_it_read_not_its_greedy_token() -> None:
    llm = ScriptedLLM()
    llm.enqueue("You", {"1": math.log(0.1), "2": math.log(0.7), "3": math.log(0.2)})
    proposal = MenuDecider(llm).propose(make_turn(), ["go north", "take coin", "look"])
    (call,) = proposal.calls
    assert call.response == "You"  # what the model would have written, kept as it was
    assert call.options["label"] == "2" and proposal.text == "2"


def test_the_prompt_shows_the_task_once() -> None:
    task = "Hey, thanks for coming over! Please lift the broom from the floor."
    opening = f"{task}\n\n-= Basement =-\nYou arrive in a basement.\n\nThere is a broom."
    turn = Turn(task, opening, VALID)
    for template in ("menu", "free"):
        extra = {"verbs": "go", "memory": ""} if template == "free" else {}
        prompt = build_messages(turn, ["look"], template, PromptShape(), **extra)[-1]["content"]
        assert prompt.count("Please lift the broom") == 1, prompt
        assert "Now: -= Basement =- You arrive in a basement. There is a broom." in prompt
    later = Turn(task, "The broom is modern.", VALID)
    assert (
        "Now: The broom is modern."
        in build_messages(later, ["look"], "menu", PromptShape())[-1]["content"]
    )
