"""The embedded backend on the real SmolLM2 GGUF (and Gemma once, for its prompt format)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from agent.errors import SpecError
from agent.llm.embedded import EmbeddedLLM

QUESTION = [
    {"role": "system", "content": "You answer with one number."},
    {"role": "user", "content": "Which is a fruit? 1. chair 2. apple 3. car"},
]
OTHER = [{"role": "user", "content": "Count: 1, 2, 3, 4, 5. What comes next?"}]


@pytest.mark.slow
def test_label_logprobs_are_log_probabilities(smollm2: EmbeddedLLM) -> None:
    completion = smollm2.complete(QUESTION, max_tokens=1, labels=["1", "2", "3"])
    assert set(completion.label_logprobs) == {"1", "2", "3"}
    assert all(v < 0 for v in completion.label_logprobs.values())
    assert sum(math.exp(v) for v in completion.label_logprobs.values()) <= 1.0 + 1e-6
    assert completion.call is not None and completion.call.model == "embedded:smollm2-135m"
    assert completion.call.options["label_logprobs"]


@pytest.mark.slow
def test_the_prefix_cache_never_changes_an_answer(smollm2: EmbeddedLLM, cache_root: Path) -> None:
    warm_first = smollm2.complete(QUESTION, max_tokens=8, labels=["1", "2"])
    smollm2.complete(OTHER, max_tokens=8)
    longer = [QUESTION[0], {"role": "user", "content": QUESTION[1]["content"] + " 4. pear"}]
    smollm2.complete(longer, max_tokens=8)  # shares a prefix with QUESTION
    warm_again = smollm2.complete(QUESTION, max_tokens=8, labels=["1", "2"])
    fresh = EmbeddedLLM("smollm2-135m", cache_dir=cache_root / "models")
    try:
        cold = fresh.complete(QUESTION, max_tokens=8, labels=["1", "2"])
    finally:
        fresh.close()
    assert warm_first.text == warm_again.text == cold.text
    for label in ("1", "2"):
        assert warm_again.label_logprobs[label] == pytest.approx(
            cold.label_logprobs[label], abs=1e-3
        )


@pytest.mark.slow
def test_generation_stops_at_max_tokens_and_counts_tokens(smollm2: EmbeddedLLM) -> None:
    completion = smollm2.complete(OTHER, max_tokens=3)
    assert 1 <= completion.completion_tokens <= 3
    assert completion.prompt_tokens > 10


@pytest.mark.slow
def test_gemma_loads_from_its_pip_package(cache_root: Path) -> None:
    gemma = EmbeddedLLM("gemma3-270m", cache_dir=cache_root / "models")
    try:
        completion = gemma.complete(QUESTION, max_tokens=4, labels=["1", "2", "3"])
    finally:
        gemma.close()
    assert completion.call is not None
    assert completion.call.messages[0]["role"] == "system"
    assert len(completion.label_logprobs) == 3


def test_an_unknown_model_is_a_spec_error(cache_root: Path) -> None:
    with pytest.raises(SpecError, match="unknown embedded model"):
        EmbeddedLLM("llama-70b", cache_dir=cache_root)
