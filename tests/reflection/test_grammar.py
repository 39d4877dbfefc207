from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memory.knowledge import Relation
from reflection.grammar import Parsed, Rejected, format_insight, parse_insight


@pytest.mark.parametrize("relation", list(Relation))
def test_every_relation_round_trips(relation: Relation) -> None:
    text = format_insight("opening the cupboard", relation, "find the metal pot")
    parsed = parse_insight(text)
    assert parsed == Parsed("opening the cupboard", relation, "find the metal pot")


@pytest.mark.parametrize(
    ("line", "relation", "repairs"),
    [
        ("- open door should be necessary to go outside.", Relation.NECESSARY, 1),
        ("2) 'heat the pot' IS REQUIRED to boil water", Relation.NECESSARY, 1),
        ("waiting DOES NOT HELP for melting ice", Relation.DOES_NOT_CONTRIBUTE, 1),
        ("focusing on the door SHOULD BE AVOIDED", Relation.AVOID, 1),  # goal filled in
    ],
)
def test_common_deviations_are_repaired_and_reported(
    line: str, relation: Relation, repairs: int
) -> None:
    parsed = parse_insight(line, default_goal="boil water")
    assert isinstance(parsed, Parsed) and parsed.relation is relation
    assert len(parsed.repaired) >= repairs


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("", "empty"),
        ("The agent should explore more.", "no relation"),
        ("open door SHOULD BE NECESSARY", "no goal"),
        ("!!! SHOULD BE NECESSARY to ???", "no words"),
        ("x " * 100 + "SHOULD BE NECESSARY to win", "longer than"),
    ],
)
def test_unusable_lines_are_rejected_with_a_reason(line: str, reason: str) -> None:
    rejected = parse_insight(line)
    assert isinstance(rejected, Rejected) and reason in rejected.reason


@settings(max_examples=3000, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_or_is_rejected(text: str) -> None:
    result = parse_insight(text, default_goal="win")
    assert isinstance(result, Parsed | Rejected)
