"""The OpenAI backend against real servers on loopback (llama.cpp's, and a scripted one)."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.errors import LLMError, LLMUnavailable
from agent.llm.openai_backend import OpenAILLM
from memory.store import Store
from tests.llm.servers import ScriptedHTTPServer, completion_body, free_port, start_llama_server
from tests.support.cli import cairn

QUESTION = [{"role": "user", "content": "Which is a fruit? 1. chair 2. apple. Answer 1 or 2."}]


@pytest.fixture(scope="module")
def llama_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    process = start_llama_server(port, logits_all=True, log=log)
    yield f"http://127.0.0.1:{port}/v1"
    process.terminate()
    process.wait(timeout=20)


@pytest.mark.slow
def test_the_model_policy_plays_on_a_real_server_with_memory_in_its_prompt(
    llama_url: str, tmp_path: Path, cache_root: Path
) -> None:
    """`--policy model` (CLIN's design) against llama.cpp's server: every step asks the model,
    and from the second trial on its prompt carries what the first taught."""
    home = tmp_path / "home"
    result = cairn(
        "run", "toy:fetch@3", "--policy", "model", "--llm", "openai:smollm2", "--base-url",
        llama_url, "--reflector", "evidence", "--trials", "2", "--max-steps", "3",
        "--home", str(home), cache=cache_root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    store = Store.in_home(home)
    calls = list(store.llm_calls())
    steps = store.db.execute("select trial_id, idx from steps order by id").fetchall()
    assert [(c["trial_id"], c["step"]) for c in calls] == steps  # one call per step, no other
    second = next(c for c in calls if c["trial_id"] != calls[0]["trial_id"])
    assert "What you learned before" not in str(calls[0]["messages"])
    assert "What you learned before" in str(second["messages"])
    store.close()


@pytest.mark.slow
def test_completes_and_reads_label_logprobs_from_a_real_server(llama_url: str) -> None:
    llm = OpenAILLM("smollm2", base_url=llama_url)
    completion = llm.complete(QUESTION, max_tokens=1, labels=["1", "2"])
    assert completion.text
    assert completion.prompt_tokens > 5
    probabilities = [math.exp(v) for v in completion.label_logprobs.values()]
    assert 0.0 < sum(probabilities) <= 1.0 + 1e-6
    assert completion.call is not None and completion.call.model == "openai:smollm2"


@pytest.mark.slow
def test_a_server_without_logprobs_still_gives_a_preference(tmp_path: Path) -> None:
    port = free_port()
    process = start_llama_server(port, logits_all=False, log=tmp_path / "server.log")
    try:
        llm = OpenAILLM("smollm2", base_url=f"http://127.0.0.1:{port}/v1", retries=1)
        completion = llm.complete(QUESTION, max_tokens=2, labels=["1", "2"])
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert set(completion.label_logprobs) == {"1", "2"}


def test_an_unreachable_endpoint_fails_fast_with_one_line() -> None:
    llm = OpenAILLM("m", base_url=f"http://127.0.0.1:{free_port()}/v1", retries=2, backoff=0.05)
    started = time.monotonic()
    with pytest.raises(LLMUnavailable) as error:
        llm.complete(QUESTION)
    assert time.monotonic() - started < 10
    assert "failed 3 times" in str(error.value) and "\n" not in str(error.value)
    assert error.value.call is not None and error.value.call.error


def test_429_and_5xx_are_retried_then_succeed() -> None:
    server = ScriptedHTTPServer([(429, {}), (503, {}), (200, completion_body("2"))])
    try:
        llm = OpenAILLM("m", base_url=server.url, retries=3, backoff=0.01)
        assert llm.complete(QUESTION).text == "2"
    finally:
        server.close()
    assert len(server.requests) == 3


def test_retries_are_bounded() -> None:
    server = ScriptedHTTPServer([(500, {})] * 10)
    try:
        llm = OpenAILLM("m", base_url=server.url, retries=2, backoff=0.01)
        with pytest.raises(LLMUnavailable, match="HTTP 500"):
            llm.complete(QUESTION)
    finally:
        server.close()
    assert len(server.requests) == 3


def test_a_rejected_key_is_not_retried() -> None:
    server = ScriptedHTTPServer([(401, {"error": {"message": "bad key"}})])
    try:
        with pytest.raises(LLMUnavailable, match="OPENAI_API_KEY"):
            OpenAILLM("m", base_url=server.url, retries=3).complete(QUESTION)
    finally:
        server.close()
    assert len(server.requests) == 1


def test_a_bad_request_is_an_error_not_a_retry() -> None:
    server = ScriptedHTTPServer([(400, {"error": {"message": "context too long"}})])
    try:
        with pytest.raises(LLMError, match="refused the request"):
            OpenAILLM("m", base_url=server.url, retries=3).complete(QUESTION)
    finally:
        server.close()
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<html>502 Bad Gateway</html>", "text, not JSON"),
        (b"{not json", "malformed JSON"),
        ({"id": "x", "object": "error"}, "not a chat completion"),
    ],
)
def test_garbage_is_retried_then_one_line(body: object, problem: str) -> None:
    server = ScriptedHTTPServer([(200, body)] * 2 + [(200, completion_body("2"))])
    try:
        recovering = OpenAILLM("m", base_url=server.url, retries=2, backoff=0.01)
        assert recovering.complete(QUESTION).text == "2"  # garbage twice, then an answer
        server.replies = [(200, body)] * 5
        with pytest.raises(LLMUnavailable, match=problem) as raised:
            OpenAILLM("m", base_url=server.url, retries=1, backoff=0.01).complete(QUESTION)
    finally:
        server.close()
    assert "\n" not in str(raised.value) and server.url in str(raised.value)


def test_a_slow_endpoint_times_out_and_the_retries_are_bounded() -> None:
    server = ScriptedHTTPServer([(200, completion_body("2"), 2.0)] * 3)
    try:
        llm = OpenAILLM("m", base_url=server.url, retries=1, backoff=0.01, timeout=0.3)
        started = time.perf_counter()
        with pytest.raises(LLMUnavailable, match="failed 2 times"):
            llm.complete(QUESTION)
    finally:
        server.close()
    assert time.perf_counter() - started < 3.0  # 2 attempts of 0.3 s, not 2 s each
