"""Small text helpers shared by grounding, the shortlist and the policy."""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge_graph.entities import command_of

STOPWORDS = frozenset(
    """a an the to of in on at into onto from with for and or by is are be it its this that
    you your there here then than as so do does did not no yes what which who can will
    first actions action task cause sure up""".split()
)
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@lru_cache(maxsize=65_536)
def words(text: str) -> tuple[str, ...]:
    """Lower-cased words of ``text``, in order."""
    return tuple(_WORD.findall(text.lower()))


@lru_cache(maxsize=65_536)
def content_words(text: str) -> frozenset[str]:
    """The words of ``text`` that carry meaning (no stopwords, no single letters)."""
    return frozenset(w for w in words(text) if w not in STOPWORDS and len(w) > 1)


def template_of(action: str) -> str:
    """The action's command template (``knowledge_graph.entities.command_of``)."""
    return command_of(action)


@lru_cache(maxsize=65_536)
def object_words(action: str) -> frozenset[str]:
    """The content words of an action after its template: "pick up red box" -> {red, box}."""
    skip = len(template_of(action).split())
    return content_words(" ".join(words(action)[skip:]))


def normalise_action(text: str) -> str:
    """Lower-case, single spaces, no surrounding quotes, prompt marks or final punctuation."""
    text = text.strip().splitlines()[0] if text.strip() else ""
    text = re.sub(r"^(?:>|action\s*:|next action\s*:)\s*", "", text, flags=re.IGNORECASE)
    text = text.strip().strip("`'\"").rstrip(".!").strip()
    return re.sub(r"\s+", " ", text.lower())


def clip(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


_DESTINATION = re.compile(
    r"\b(?:to|into|in|around|at|from|near)\s+(?:the|a|an)\s+'?([a-z ]+?)'?(?:[.,;]|\s+location|$)"
)
_FOCUS = re.compile(r"\bfocus on\s+(?:the|a|an)?\s*([a-z ]+?)(?:[.,;]|$)")


@lru_cache(maxsize=1024)
def goal_words(task: str) -> frozenset[str]:
    """What a task is *about*: its words, but not those of destination phrases ("move it to
    the red box": the box is where the thing goes, not the thing), with what it says to
    focus on."""
    text = task.lower()
    destinations = content_words(" ".join(_DESTINATION.findall(text)))
    named = content_words(" ".join(_FOCUS.findall(text)))
    return (content_words(task) - destinations) | named
