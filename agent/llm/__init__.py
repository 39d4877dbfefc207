"""Language-model backends: the embedded llama.cpp model and any OpenAI-compatible endpoint.

``open_llm`` turns a ``--llm`` spec into a backend:

    embedded                  Gemma-3-270M in this process (the default)
    embedded:smollm2-135m     SmolLM2-135M-Instruct in this process
    openai:MODEL              MODEL behind an OpenAI-compatible endpoint (see --base-url)
"""

from __future__ import annotations

from pathlib import Path

from agent.errors import SpecError
from agent.llm.base import LLM, Backend, Completion, Message, normalise_logprobs

__all__ = ["LLM", "Backend", "Completion", "Message", "normalise_logprobs", "open_llm"]


def open_llm(
    spec: str,
    *,
    cache_dir: Path,
    base_url: str | None = None,
    api_key: str | None = None,
    seed: int = 0,
) -> LLM:
    kind, _, model = spec.partition(":")
    if kind == "embedded":
        from agent.llm.embedded import DEFAULT_MODEL, EmbeddedLLM

        return EmbeddedLLM(model or DEFAULT_MODEL, cache_dir=cache_dir, seed=seed)
    if kind == "openai":
        if not model:
            raise SpecError("--llm openai needs a model name, e.g. --llm openai:gpt-4o-mini")
        from agent.llm.openai_backend import OpenAILLM

        return OpenAILLM(model, base_url=base_url, api_key=api_key)
    raise SpecError(f"unknown --llm {spec!r}: use embedded, embedded:smollm2-135m or openai:MODEL")
