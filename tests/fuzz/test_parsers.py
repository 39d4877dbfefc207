"""Fuzzing what reads untrusted text: the insight grammar, environment specs and grounding.

Each property runs ``CAIRN_FUZZ_EXAMPLES`` inputs (10,000 by default, fewer in the fast
tier; see ``tests.support.fuzz``). Nothing may raise except the one error type the reader
documents.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from agent.acting.grounding import ground
from agent.environments.registry import parse
from agent.environments.spec import EnvSpec
from agent.errors import SpecError
from memory.knowledge import Relation
from reflection.grammar import Parsed, Rejected, format_insight, parse_insight
from tests.support.fuzz import fuzz

RELATIONS = [r.value for r in Relation]
WORDS = ["open", "cupboard", "to", "boil", "water", "go", "kitchen", "MAY", "BE", "SHOULD"]
# Text that looks like an insight line often enough to reach deep into the parser.
insight_like = st.one_of(
    st.text(max_size=300),
    st.builds(
        lambda bullet, subject, relation, to, goal, tail: (
            f"{bullet}{subject} {relation}{to}{goal}{tail}"
        ),
        st.sampled_from(["", "- ", "* ", "1. ", "  • ", '"']),
        st.text(max_size=80) | st.sampled_from(WORDS),
        st.sampled_from(RELATIONS) | st.sampled_from([r.lower() for r in RELATIONS]),
        st.sampled_from([" to ", " for ", " ", "", " TO "]),
        st.text(max_size=80) | st.sampled_from(WORDS),
        st.sampled_from(["", ".", ";", '"', "\n", " (conf 0.9)"]),
    ),
)


@fuzz
@given(line=insight_like, default_goal=st.sampled_from(["", "boil water"]))
def test_the_insight_parser_reads_or_rejects_any_line(line: str, default_goal: str) -> None:
    parsed = parse_insight(line, default_goal)
    assert isinstance(parsed, Parsed | Rejected)
    if isinstance(parsed, Parsed):
        assert parsed.subject.strip() and parsed.goal.strip()
        again = parse_insight(format_insight(parsed.subject, parsed.relation, parsed.goal))
        assert isinstance(again, Parsed) and again.relation is parsed.relation


spec_like = st.one_of(
    st.text(max_size=120),
    st.builds(
        lambda name, task, at, variation, options: f"{name}:{task}{at}{variation}{options}",
        st.sampled_from(["scienceworld", "textworld", "SCIENCEWORLD", "", "nope", "sw"]),
        st.sampled_from(["boil", "melt", "cooking", "simple", "coin_collector", "x/y.z8", ""])
        | st.text(max_size=20),
        st.sampled_from(["@", "", "@@"]),
        st.sampled_from(["3", "dev:0", "test:1", "train:-1", "-2", "x", "99999999999999", ""])
        | st.text(max_size=10),
        st.sampled_from(["", ",level=5", ",simplification=easy", ",recipe=x", ",=", ",a"])
        | st.text(max_size=20),
    ),
)


@fuzz
@given(text=spec_like)
def test_a_spec_parses_or_is_one_spec_error(text: str) -> None:
    try:
        spec = parse(text)
    except SpecError as error:
        assert str(error) and "\n" not in str(error).strip()
        return
    assert EnvSpec.parse(str(spec)) == spec  # what parses, prints back to itself


ACTIONS = [
    "open door to kitchen",
    "go to kitchen",
    "take metal pot",
    "focus on water",
    "look around",
]


@fuzz
@given(
    text=st.text(max_size=200)
    | st.sampled_from(ACTIONS).map(lambda a: f"  {a.upper()}. ")
    | st.sampled_from(["1", "2)", "3.", "9:"]),
    actions=st.lists(st.text(max_size=40), max_size=8).map(lambda extra: ACTIONS + extra),
)
def test_grounding_lands_on_a_valid_action_or_none(text: str, actions: list[str]) -> None:
    labels = {str(i): a for i, a in enumerate(actions[:3], 1)}
    grounded = ground(text, actions, labels)
    assert grounded.action is None or grounded.action in actions
    assert (grounded.action is None) == (grounded.method == "none")
    if grounded.action is None:
        assert grounded.note
