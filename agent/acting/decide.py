"""Deciders ask the model for its preference over the next action.

``MenuDecider`` (for small embedded models) shows a numbered shortlist and reads the model's
probability of each number from one forward pass: no parsing, no invalid output. ``FreeDecider``
(for strong models) lets the model think and write any action, then grounds what it wrote.

Both build the same prompt shape: a fixed head (task), a history that only grows at its end
(so llama.cpp re-uses its cache), then the current observation and the menu.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from agent.acting.grounding import ground
from agent.acting.state import Turn
from agent.acting.text import clip
from agent.llm import LLM, Message, normalise_logprobs
from memory.embedding import Embedder
from memory.records import Grounding, LLMCall
from reflection.prompting import render


@dataclass(frozen=True)
class Proposal:
    """The model's say on one decision."""

    preference: dict[str, float]  # action -> log-probability, over the actions it ranked
    text: str | None = None  # what the model wrote
    grounding: Grounding = Grounding.NONE  # how ``text`` became an action
    note: str | None = None  # feedback on invalid output, shown next turn
    calls: tuple[LLMCall, ...] = ()
    seconds: float = 0.0
    cited: tuple[int, ...] = ()  # insight ids the model said guided it


class Decider(Protocol):
    def propose(self, turn: Turn, menu: Sequence[str], memory: Sequence[str] = ()) -> Proposal:
        """The model's preference; ``memory`` lines are shown to models that can use them."""
        ...


# Menu labels must be one token each in every tokenizer we use: single digits, or letters.
DIGITS = tuple("123456789")
LETTERS = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True)
class PromptShape:
    history_window: int = 12  # steps of history shown, at most
    observation_chars: int = 600  # of the current observation
    history_chars: int = 160  # of each past observation


def history_start(steps: int, window: int) -> int:
    """First history step shown. It moves in jumps of half a window, not one step at a time,
    so the prompt's prefix (and the model's cache) stays valid for several steps."""
    if steps <= window:
        return 0
    jump = max(1, window // 2)
    return ((steps - window) // jump + 1) * jump


def without_task(observation: str, task: str) -> str:
    """The observation without the task's text: a game's opening (TextWorld's) repeats the
    task, which the prompt already shows under "Task:"."""
    flat, needle = " ".join(observation.split()), " ".join(task.split())
    if not needle or needle not in flat:
        return observation
    return flat.replace(needle, "", 1).strip()


def build_messages(
    turn: Turn,
    menu: Sequence[str],
    template: str,
    shape: PromptShape,
    labels: Sequence[str] | None = None,
    **extra: str,
) -> list[Message]:
    labels = labels or [str(i) for i in range(1, len(menu) + 1)]
    start = history_start(len(turn.history), shape.history_window)
    lines = [
        f"> {step.action}\n{clip(step.observation, shape.history_chars)}"
        for step in turn.history[start:]
    ]
    history = "\nSo far:\n" + "\n".join(lines) + "\n" if lines else ""
    note = f"Note: {turn.last_note}\n" if turn.last_note else ""
    user = render(
        "agent",
        template,
        task=turn.task,
        history=history,
        observation=clip(without_task(turn.observation, turn.task), shape.observation_chars),
        note=note,
        menu="\n".join(f"{label}. {action}" for label, action in zip(labels, menu, strict=False)),
        label_kind="letter" if labels and labels[0].isalpha() else "number",
        **extra,
    )
    system = render("agent", "system")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


class MenuDecider:
    """Labelled shortlist; the model's probability of each label is its preference."""

    def __init__(
        self, llm: LLM, shape: PromptShape | None = None, labels: Sequence[str] = DIGITS
    ) -> None:
        self.llm = llm
        self.shape = shape or PromptShape()
        self.labels = tuple(labels)

    def propose(self, turn: Turn, menu: Sequence[str], memory: Sequence[str] = ()) -> Proposal:
        # Memory is not shown: a small model does not follow advice (RESEARCH.md); it acts
        # through the policy's scorers instead. The prompt stays short and fast.
        del memory
        menu = list(menu)[: len(self.labels)]
        labels = self.labels[: len(menu)]
        messages = build_messages(turn, menu, "menu", self.shape, labels=labels)
        completion = self.llm.complete(messages, max_tokens=1, labels=labels)
        by_label = normalise_logprobs(completion.label_logprobs)
        preference = {menu[labels.index(label)]: value for label, value in by_label.items()}
        calls = (completion.call,) if completion.call else ()
        # What the model said is the label it rates highest (its greedy token may be a word).
        read = max(by_label, key=by_label.__getitem__) if by_label else completion.text
        return Proposal(preference, read, Grounding.LABEL, None, calls, completion.seconds)


_CITATION = re.compile(r"\[I(\d+)\]")
_ACTION_LINE = re.compile(r"^\s*action\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)


def extract_action(text: str) -> str:
    """The text after "Action:", or else the last non-empty line."""
    found = _ACTION_LINE.findall(text)
    if found:
        return str(found[-1])
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


class FreeDecider:
    """The model thinks, then writes an action; grounding maps it onto a valid one."""

    def __init__(
        self,
        llm: LLM,
        shape: PromptShape | None = None,
        embedder: Embedder | None = None,
        max_tokens: int = 96,
    ) -> None:
        self.llm = llm
        self.shape = shape or PromptShape()
        self.embedder = embedder
        self.max_tokens = max_tokens

    def propose(self, turn: Turn, menu: Sequence[str], memory: Sequence[str] = ()) -> Proposal:
        verbs = sorted({" ".join(a.split()[:1]) for a in turn.valid_actions})
        lines = "\n".join(memory)
        memory_text = (
            f"\nWhat you learned before (cite an id like [I3] if it guides you):\n{lines}\n"
        )
        messages = build_messages(
            turn,
            menu,
            "free",
            self.shape,
            verbs=", ".join(verbs),
            memory=memory_text if memory else "",
        )
        completion = self.llm.complete(messages, max_tokens=self.max_tokens)
        labels = {str(i): action for i, action in enumerate(menu, 1)}
        written = extract_action(completion.text)
        grounded = ground(written, turn.valid_actions, labels, self.embedder)
        preference = {grounded.action: math.log(0.95)} if grounded.action else {}
        calls = (completion.call,) if completion.call else ()
        cited = tuple(int(i) for i in dict.fromkeys(_CITATION.findall(completion.text)))
        return Proposal(
            preference, written, grounded.method, grounded.note, calls, completion.seconds, cited
        )
