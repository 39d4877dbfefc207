"""The acting agent: evidence, a shortlist, the model's say, and the policy's choice.

One decision, in order: the policy's scorers weigh every valid action; the best few form the
menu the model sees (with what memory recalled for the trial, ``turn.recollection``, for a
model that reads it); the decider returns the model's preference; the policy adds it to the
evidence and picks. Without a decider (the random baseline) the policy decides alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from agent.acting.decide import Decider
from agent.acting.policy import Policy
from agent.acting.state import Turn
from memory.records import Candidate, Grounding, LLMCall


@dataclass(frozen=True)
class Decision:
    action: str
    proposal: str | None
    grounding: Grounding  # how the action was reached
    note: str | None
    candidates: tuple[Candidate, ...]
    llm_calls: tuple[LLMCall, ...]
    llm_seconds: float
    agent_seconds: float  # everything but the model: scoring, prompt, grounding
    cited: tuple[int, ...] = ()  # insight ids the model said it used


class Agent:
    def __init__(
        self,
        policy: Policy,
        decider: Decider | None = None,
        menu_size: int = 9,
    ) -> None:
        self.policy = policy
        self.decider = decider
        self.menu_size = menu_size

    def reseed(self, seed: int) -> None:
        """A trial begins: the policy breaks ties from this seed."""
        self.policy.reseed(seed)

    def act(self, turn: Turn) -> Decision:
        started = time.perf_counter()
        evidence = self.policy.evidence(turn)
        proposal = None
        if self.decider is not None:
            menu = self.policy.shortlist(evidence, self.menu_size)
            memory = turn.recollection.prompt_lines()
            proposal = self.decider.propose(turn, menu, memory)
        choice = self.policy.choose(turn, evidence, proposal.preference if proposal else None)
        llm_seconds = proposal.seconds if proposal else 0.0
        grounding = Grounding.POLICY
        if proposal and proposal.preference:
            favourite = max(proposal.preference, key=proposal.preference.__getitem__)
            if favourite == choice.action:
                grounding = proposal.grounding
        return Decision(
            action=choice.action,
            proposal=proposal.text if proposal else None,
            grounding=grounding,
            note=proposal.note if proposal else None,
            candidates=choice.candidates,
            llm_calls=proposal.calls if proposal else (),
            llm_seconds=llm_seconds,
            agent_seconds=time.perf_counter() - started - llm_seconds,
            cited=proposal.cited if proposal else (),
        )
