"""Any OpenAI-compatible chat endpoint (OpenAI, vLLM, Ollama, llama.cpp's server) via ``openai``.

Connection errors, timeouts, 429, 5xx and answers that are not completions are retried a
bounded number of times with exponential backoff; then the call fails with ``LLMUnavailable``
and one line that names the endpoint. Label preferences come from ``top_logprobs`` of the
first answer token; an endpoint without log-probabilities still works (the answer's own label
counts instead).
"""

from __future__ import annotations

import math
import time
from typing import Any

import openai

from agent.errors import LLMError, LLMUnavailable
from agent.llm.base import LOGPROB_FLOOR, Backend, Completion, Request

RETRYABLE = (
    openai.APIConnectionError,  # includes APITimeoutError
    openai.RateLimitError,
    openai.InternalServerError,
)
TOP_LOGPROBS = 20


class OpenAILLM(Backend):
    """A chat model behind an OpenAI-compatible HTTP API."""

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        self.name = f"openai:{model}"
        self.model = model
        self.base_url = base_url or "https://api.openai.com/v1"
        self.retries = retries
        self.backoff = backoff
        self._logprobs = True  # switched off if the endpoint refuses them
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",  # local servers ignore the key
            timeout=timeout,
            max_retries=0,  # retries are ours: bounded, and each attempt is visible
        )

    def _complete(self, request: Request) -> Completion:
        response = self._create(request)
        choice = response.choices[0]
        text = (choice.message.content or "").strip()
        usage = response.usage
        return Completion(
            text=text,
            label_logprobs=self._label_logprobs(request, choice, text),
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
        )

    def _create(self, request: Request) -> Any:
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": list(request.messages),
            "max_tokens": max(1, request.max_tokens),
            "temperature": request.temperature,
        }
        if request.stop:
            kwargs["stop"] = list(request.stop)
        if request.labels and self._logprobs:
            kwargs.update(logprobs=True, top_logprobs=TOP_LOGPROBS)
        for attempt in range(self.retries + 1):
            try:
                response = self._client.chat.completions.create(**kwargs)
            except ValueError as error:  # a body that says JSON and is not
                response = f"malformed JSON ({error})"
            except openai.APIStatusError as error:
                if "logprobs" in kwargs and "logprobs" in str(error):
                    # Some servers refuse log-probabilities (llama.cpp answers 500): go on
                    # without them; the answer's own label then stands for the preference.
                    self._logprobs = False
                    kwargs.pop("logprobs")
                    kwargs.pop("top_logprobs")
                    continue
                self._raise_or_wait(error, attempt)
                continue
            except openai.APIConnectionError as error:
                self._raise_or_wait(error, attempt)
                continue
            problem = _not_a_completion(response)
            if problem is None:
                return response
            if attempt == self.retries:
                raise LLMUnavailable(
                    f"model endpoint {self.base_url} answered {attempt + 1} times with "
                    f"{problem}: is it an OpenAI-compatible server?"
                )
            time.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")

    def _raise_or_wait(self, error: Exception, attempt: int) -> None:
        if isinstance(error, RETRYABLE):
            if attempt == self.retries:
                raise LLMUnavailable(
                    f"model endpoint {self.base_url} failed {attempt + 1} times "
                    f"({_reason(error)}): check --base-url and that the server is up"
                ) from None
            time.sleep(self.backoff * 2**attempt)
            return
        if isinstance(error, openai.AuthenticationError):
            raise LLMUnavailable(f"{self.base_url} rejected the API key: set OPENAI_API_KEY")
        if isinstance(error, openai.NotFoundError):
            raise LLMUnavailable(
                f"{self.base_url} has no model {self.model!r}: check --llm openai:MODEL"
            )
        raise LLMError(f"{self.base_url} refused the request: {_reason(error)}")

    @staticmethod
    def _label_logprobs(request: Request, choice: Any, text: str) -> dict[str, float]:
        if not request.labels:
            return {}
        scores = dict.fromkeys(request.labels, LOGPROB_FLOOR)
        content = choice.logprobs.content if choice.logprobs else None
        if content:
            for entry in content[0].top_logprobs or []:
                label = entry.token.strip()
                if label in scores:
                    scores[label] = max(scores[label], entry.logprob)
            return scores
        for label in request.labels:  # no log-probabilities: trust the answer itself
            if text.startswith(label):
                scores[label] = math.log(0.9)
        return scores


def _not_a_completion(response: Any) -> str | None:
    """What is wrong with an answer that should be a chat completion, if anything."""
    if isinstance(response, str):
        return (
            response if response.startswith("malformed") else f"text, not JSON: {response[:60]!r}"
        )
    choices = getattr(response, "choices", None)
    if not choices or getattr(choices[0], "message", None) is None:
        return "JSON that is not a chat completion (no choices)"
    return None


def _reason(error: Exception) -> str:
    status = getattr(error, "status_code", None)
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return f"HTTP {status}: {text}" if status else text
