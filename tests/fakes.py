"""Fakes that are real implementations of our interfaces (no patching of our own code)."""

from __future__ import annotations

from collections import deque

from agent.llm.base import Backend, Completion, Request


class ScriptedLLM(Backend):
    """A backend that answers from a queue: ``enqueue(text, label_logprobs)``.

    Every request it served is kept in ``requests`` for assertions.
    """

    name = "scripted"

    def __init__(self) -> None:
        self._answers: deque[Completion] = deque()
        self.requests: list[Request] = []

    def enqueue(self, text: str, label_logprobs: dict[str, float] | None = None) -> None:
        self._answers.append(Completion(text=text, label_logprobs=label_logprobs or {}))

    def _complete(self, request: Request) -> Completion:
        self.requests.append(request)
        if not self._answers:
            raise AssertionError("ScriptedLLM ran out of answers")
        return self._answers.popleft()
