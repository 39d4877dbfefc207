"""Grounding: whatever the model wrote becomes one of the valid actions, or a note.

The ladder, cheapest first: a menu label ("3"), an exact match, lexical similarity, embedding
similarity. If nothing clears its threshold, ``ground`` returns no action and a note that
the episode shows the model next turn; the policy then makes a constrained choice among the
candidates. So a step always ends on a valid action, and the model's mistake is data.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from agent.acting.text import clip, content_words, normalise_action, object_words, template_of
from memory.embedding import Embedder, cosine
from memory.records import Grounding

LEXICAL_THRESHOLD = 0.85
# MiniLM puts paraphrases of an action at 0.7-0.9 and different actions on the same
# object at 0.4-0.6 (measured); a clear margin over the runner-up guards near-ties.
EMBEDDING_THRESHOLD = 0.7
EMBEDDING_MARGIN = 0.08
EMBEDDING_CANDIDATES = 40  # embed only the lexically closest actions: it keeps a step cheap


@dataclass(frozen=True)
class Grounded:
    action: str | None
    method: Grounding  # LABEL, EXACT, LEXICAL, EMBEDDING or NONE
    similarity: float = 1.0
    note: str | None = None


def lexical_similarity(a: str, b: str) -> float:
    """Character-level ratio, lifted when the content words are the same set."""
    ratio = difflib.SequenceMatcher(None, a, b).ratio()
    words_a, words_b = content_words(a), content_words(b)
    if words_a and words_a == words_b:
        ratio = max(ratio, 0.95)
    return ratio


def ground(
    text: str,
    valid_actions: Sequence[str],
    labels: Mapping[str, str] | None = None,
    embedder: Embedder | None = None,
) -> Grounded:
    """Map the model's ``text`` to a valid action (see the module docstring for the ladder)."""
    proposal = normalise_action(text)
    if not proposal:
        return Grounded(None, Grounding.NONE, 0.0, "You wrote no action. Answer with one action.")
    labels = labels or {}
    label = proposal.split(" ")[0].rstrip(".):")
    if label in labels:
        return Grounded(labels[label], Grounding.LABEL)
    by_lower = {a.lower(): a for a in valid_actions}
    if proposal in by_lower:
        return Grounded(by_lower[proposal], Grounding.EXACT)
    scored = sorted(
        ((lexical_similarity(proposal, low), action) for low, action in by_lower.items()),
        reverse=True,
    )
    if scored and scored[0][0] >= LEXICAL_THRESHOLD:
        return Grounded(scored[0][1], Grounding.LEXICAL, scored[0][0])
    if embedder is not None and scored:
        nearest = [action for _, action in scored[:EMBEDDING_CANDIDATES]]
        vectors = embedder.embed([proposal, *nearest])
        similar = sorted(
            ((cosine(vectors[0], v), a) for v, a in zip(vectors[1:], nearest, strict=True)),
            reverse=True,
        )
        best, action = similar[0]
        runner_up = similar[1][0] if len(similar) > 1 else 0.0
        if best >= EMBEDDING_THRESHOLD and best - runner_up >= EMBEDDING_MARGIN:
            return Grounded(action, Grounding.EMBEDDING, best)
    note = f'"{clip(proposal, 80)}" is not a valid action here. Choose one of the listed actions.'
    return Grounded(None, Grounding.NONE, scored[0][0] if scored else 0.0, note)


# --- the same action, named another way --------------------------------------------

MATCH_THRESHOLD = 0.8  # similarity above which two wordings are taken for one action
SAME_OBJECTS = 0.6  # share of object words two wordings of one step have in common


def similarity(action: str, target: str) -> float:
    """How surely ``action`` is ``target`` done on this variation's objects: the same
    template, a close wording, and mostly the same objects ("green light bulb" for "red
    light bulb" passes, "move table to freezer" for "move metal pot to freezer" does not)."""
    if action == target:
        return 1.0
    if template_of(action) != template_of(target):
        return 0.0
    ours, theirs = object_words(action), object_words(target)
    if ours and theirs and len(ours & theirs) / len(ours | theirs) < SAME_OBJECTS:
        return 0.0
    return lexical_similarity(action, target)


def closest(target: str, valid_actions: tuple[str, ...]) -> tuple[str | None, float]:
    """The valid action nearest to ``target``, with its similarity."""
    if target in valid_actions:
        return target, 1.0
    best, value = None, 0.0
    for action in valid_actions:
        candidate = similarity(action, target)
        if candidate > value:
            best, value = action, candidate
    return best, value
