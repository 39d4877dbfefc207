"""The LLM reflector, in CLIN's form, for models that can write insights.

It shows the model the trial and what was believed before, asks for insight lines in the one
grammar (``reflection.grammar``), and turns each valid line into an update. A line that does
not parse is dropped with its reason, returned for the operation log: never a crash, never a
silent drop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from memory.knowledge import Insight, InsightUpdate, Origin, Relation
from memory.records import LLMCall
from reflection.grammar import Parsed, Rejected, parse_insight
from reflection.prompting import render
from reflection.trajectory import Trajectory


class Written(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def call(self) -> LLMCall | None: ...


class TextModel(Protocol):
    """The narrow view of a language model that reflection needs."""

    def complete(
        self, messages: Sequence[dict[str, str]], *, max_tokens: int = ..., temperature: float = ...
    ) -> Written: ...


@dataclass(frozen=True)
class LLMReflection:
    updates: tuple[InsightUpdate, ...]
    dropped: tuple[Rejected, ...]
    repaired: tuple[tuple[str, tuple[str, ...]], ...]
    call: LLMCall | None


class LLMReflector:
    name = "llm"

    def __init__(self, model: TextModel, limit: int = 10, weight: float = 0.5) -> None:
        self.model = model
        self.limit = limit
        self.weight = weight  # a model's claim counts less than an observed score change

    def reflect(self, trajectory: Trajectory, prior: Sequence[Insight] = ()) -> LLMReflection:
        written = self.model.complete(self.messages(trajectory, prior), max_tokens=400)
        updates: list[InsightUpdate] = []
        dropped: list[Rejected] = []
        repaired: list[tuple[str, tuple[str, ...]]] = []
        lines = [line for line in written.text.splitlines() if line.strip()]
        for line in lines[: self.limit * 2]:
            parsed = parse_insight(line, default_goal=trajectory.goal)
            if isinstance(parsed, Rejected):
                dropped.append(parsed)
                continue
            if len(updates) >= self.limit:
                dropped.append(Rejected(line, f"more than {self.limit} insights"))
                continue
            updates.append(self._update(parsed, trajectory))
            if parsed.repaired:
                repaired.append((line, parsed.repaired))
        return LLMReflection(tuple(updates), tuple(dropped), tuple(repaired), written.call)

    def messages(self, trajectory: Trajectory, prior: Sequence[Insight]) -> list[dict[str, Any]]:
        lines, previous = [], 0.0
        for step in trajectory.steps:
            change = f" [score {previous:g} -> {step.score:g}]" if step.score != previous else ""
            observation = " ".join(step.observation.split())[:150]
            lines.append(f"{step.index}. {step.action} -> {observation}{change}")
            previous = step.score
        prompt = render(
            "reflection",
            "reflect",
            task=trajectory.task_description,
            trajectory="\n".join(lines) or "(no steps)",
            score=f"{trajectory.score:g}",
            prior="\n".join(f"- {i.text} (confidence {i.confidence:.2f})" for i in prior[:10])
            or "(nothing yet)",
            limit=str(self.limit),
            relations=", ".join(r.value for r in Relation),
        )
        return [{"role": "user", "content": prompt}]

    def _update(self, parsed: Parsed, trajectory: Trajectory) -> InsightUpdate:
        return InsightUpdate(
            subject=parsed.subject,
            relation=parsed.relation,
            goal=parsed.goal,
            where=trajectory.where,
            weight=self.weight,
            origin=Origin.LLM,
            trial_id=trajectory.trial_id,
            reason="written by the model after the trial",
        )
