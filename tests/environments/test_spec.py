from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.environments import EnvSpec, Variation, parse
from agent.errors import SpecError


@pytest.mark.parametrize(
    ("text", "name", "task", "variation", "options"),
    [
        ("scienceworld:boil@3", "scienceworld", "boil", Variation(index=3), ()),
        (
            "scienceworld:boil@dev:0,simplification=easy",
            "scienceworld",
            "boil",
            Variation(split="dev", position=0),
            (("simplification", "easy"),),
        ),
        (
            "textworld:treasure_hunter@7,level=5",
            "textworld",
            "treasure_hunter",
            Variation(index=7),
            (("level", "5"),),
        ),
        (
            "textworld:cooking@42,recipe=2,take=1,go=6",
            "textworld",
            "cooking",
            Variation(index=42),
            (("recipe", "2"), ("take", "1"), ("go", "6")),
        ),
        ("textworld:path/to/game.z8", "textworld", "path/to/game.z8", None, ()),
    ],
)
def test_parses_the_documented_examples(
    text: str, name: str, task: str, variation: Variation | None, options: tuple
) -> None:
    spec = EnvSpec.parse(text)
    assert (spec.name, spec.task, spec.variation, spec.options) == (name, task, variation, options)
    assert str(spec) == text
    assert EnvSpec.parse(str(spec)) == spec


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("boil", "NAME:TASK"),
        ("scienceworld:", "NAME:TASK"),
        ("scienceworld:boil@x", "bad variation"),
        ("scienceworld:boil@valid:1", "unknown split"),
        ("scienceworld:boil@dev:", "bad variation"),
        ("scienceworld:boil,level", "bad option"),
        ("scienceworld:boil,=3", "bad option"),
        ("nethack:dungeon", "unknown environment 'nethack'"),
        ("scienceworld:bake", "unknown ScienceWorld task 'bake'"),
        ("scienceworld:boil,level=5", "unknown option 'level' for scienceworld"),
        ("textworld:zork", "unknown TextWorld task 'zork'"),
        ("textworld:cooking@dev:1", "no splits"),
        ("textworld:cooking,recipe=two", "bad value 'two' for recipe"),
        ("textworld:simple,rewards=lots", "use one of dense, balanced, sparse"),
        ("textworld:coin_collector,recipe=1", "unknown option 'recipe'"),
        ("textworld:game.z8@3", "a game file takes no variation"),
    ],
)
def test_bad_specs_fail_with_one_line_that_says_why(text: str, message: str) -> None:
    with pytest.raises(SpecError) as error:
        parse(text)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


@settings(max_examples=2000, deadline=None)
@given(st.text(max_size=60))
def test_any_text_parses_or_raises_spec_error(text: str) -> None:
    try:
        spec = parse(text)
    except SpecError:
        return
    assert EnvSpec.parse(str(spec)) == spec
