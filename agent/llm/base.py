"""The model interface the agent talks to, and the base class every backend extends.

A backend implements one method, ``_complete``; ``Backend.complete`` times it, turns failures
into ``LLMError`` and returns a ``Completion`` that carries its own ``LLMCall`` record, so the
caller can log every call (with the trial and step it belongs to) without a side channel.

Besides free text, a completion can score *labels*: given ``labels=("1", "2", ...)``, the
backend returns the log-probability that the answer starts with each label. That one forward
pass is how the agent reads a model's preference over a menu of actions.
"""

from __future__ import annotations

import math
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from agent.errors import LLMError
from memory.records import LLMCall

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}
LOGPROB_FLOOR = math.log(1e-4)  # for labels a backend did not rank at all


@dataclass(frozen=True)
class Request:
    messages: tuple[Message, ...]
    max_tokens: int = 48
    temperature: float = 0.0
    stop: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()

    def options(self) -> dict[str, Any]:
        return {
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "stop": list(self.stop),
            "labels": list(self.labels),
        }


@dataclass(frozen=True)
class Completion:
    text: str
    label_logprobs: dict[str, float] = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    call: LLMCall | None = None


class LLM(Protocol):
    """What the agent needs from a model."""

    name: str

    def complete(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int = 48,
        temperature: float = 0.0,
        stop: Sequence[str] = (),
        labels: Sequence[str] = (),
    ) -> Completion: ...

    def close(self) -> None: ...


class Backend(ABC):
    """Base of the concrete backends: subclasses implement ``_complete`` only."""

    name: str = "backend"

    def complete(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int = 48,
        temperature: float = 0.0,
        stop: Sequence[str] = (),
        labels: Sequence[str] = (),
    ) -> Completion:
        request = Request(tuple(messages), max_tokens, temperature, tuple(stop), tuple(labels))
        started = time.perf_counter()
        try:
            completion = self._complete(request)
        except LLMError as error:
            call = self._record(request, "", time.perf_counter() - started, error=str(error))
            error.call = call
            raise
        seconds = time.perf_counter() - started
        call = self._record(
            request,
            completion.text,
            seconds,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            label_logprobs=completion.label_logprobs,
        )
        return replace(completion, seconds=seconds, call=call)

    @abstractmethod
    def _complete(self, request: Request) -> Completion: ...

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing
        """Release the model; the default has nothing to release."""

    def _record(
        self,
        request: Request,
        response: str,
        seconds: float,
        *,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        label_logprobs: dict[str, float] | None = None,
        error: str | None = None,
    ) -> LLMCall:
        options = request.options()
        if label_logprobs:
            options["label_logprobs"] = {k: round(v, 4) for k, v in label_logprobs.items()}
            # the answer a menu reads: its greedy text ("You") can be any token
            options["label"] = max(label_logprobs, key=label_logprobs.__getitem__)
        return LLMCall(
            model=self.name,
            messages=request.messages,
            options=options,
            response=response,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            seconds=seconds,
            error=error,
        )


def normalise_logprobs(scores: dict[str, float]) -> dict[str, float]:
    """Renormalise label log-probabilities so they sum to one over the labels."""
    if not scores:
        return {}
    top = max(scores.values())
    total = sum(math.exp(v - top) for v in scores.values())
    return {k: v - top - math.log(total) for k, v in scores.items()}
