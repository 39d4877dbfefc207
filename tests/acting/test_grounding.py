"""Grounding what a model wrote onto a valid action: labels, exact and lexical matches, and
paraphrases by meaning (the real MiniLM model: the slow tier)."""

from __future__ import annotations

import pytest

from agent.acting.grounding import ground
from memory.embedding import MiniLMEmbedder

VALID = ["open door to kitchen", "go to kitchen", "pick up metal pot", "look around", "wait"]
MENU = {"1": "look around", "2": "pick up metal pot"}


@pytest.mark.parametrize(
    ("text", "action", "method"),
    [
        ("2", "pick up metal pot", "label"),
        ("2. pick up metal pot", "pick up metal pot", "label"),
        ("Look around", "look around", "exact"),
        ("> go to kitchen.", "go to kitchen", "exact"),
        ('Action: "open door to kitchen"', "open door to kitchen", "exact"),
        ("pick up the metal pot", "pick up metal pot", "lexical"),
        ("open the door to the kitchen", "open door to kitchen", "lexical"),
    ],
)
def test_the_ladder_finds_the_action(text: str, action: str, method: str) -> None:
    grounded = ground(text, VALID, MENU)
    assert (grounded.action, grounded.method) == (action, method)
    assert grounded.note is None


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("check my inventory", "inventory"),
        ("grab the metal pot", "pick up metal pot"),
    ],
)
def test_embedding_similarity_catches_paraphrases(
    minilm: MiniLMEmbedder, text: str, action: str
) -> None:
    assert ground(text, [*VALID, "inventory"]).action is None  # words alone miss them
    grounded = ground(text, [*VALID, "inventory"], embedder=minilm)
    assert (grounded.action, grounded.method) == (action, "embedding")


@pytest.mark.slow
@pytest.mark.parametrize("text", ["sing a song", "walk into the kitchen"])
def test_embedding_does_not_force_a_match(minilm: MiniLMEmbedder, text: str) -> None:
    # "walk into the kitchen" is close to both "go to kitchen" and "open door to kitchen":
    # too close to call, so it is left to the policy rather than guessed.
    assert ground(text, VALID, embedder=minilm).action is None


@pytest.mark.parametrize("text", ["", "   ", "dance with the dragon", "7"])
def test_unmatched_output_becomes_a_note_not_an_action(text: str) -> None:
    grounded = ground(text, VALID, MENU)
    assert grounded.action is None
    assert grounded.note and "\n" not in grounded.note
