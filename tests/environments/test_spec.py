from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.environments import EnvSpec, Variation, parse, scienceworld, textworld
from agent.environments.registry import variation_named
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


@pytest.mark.parametrize(
    ("spec", "identity"),
    [
        ("textworld:coin_collector@3,level=2", "3,level=2"),
        ("textworld:coin_collector@3,level=8", "3,level=8"),
        ("textworld:coin_collector@3,level=5", "3"),  # the default level: the same game
        ("textworld:coin_collector@3", "3"),
        ("textworld:cooking@4,take=2,go=6,open=true", "4,go=6,open=1,take=2"),
        ("textworld:cooking@4,open=1,go=6,take=2", "4,go=6,open=1,take=2"),
        ("textworld:simple@9,rewards=sparse", "9,rewards=sparse"),
    ],
)
def test_a_variation_is_named_by_everything_that_makes_it_another_game(
    spec: str, identity: str
) -> None:
    assert textworld.variation_of(parse(spec)) == identity


def test_scienceworld_simplifications_are_part_of_the_identity() -> None:
    easy, none = parse("scienceworld:boil@3"), parse("scienceworld:boil@3,simplification=none")
    assert scienceworld.canonical_options(easy) == []
    assert scienceworld.canonical_options(parse("scienceworld:boil@3,simplification=easy")) == []
    assert scienceworld.canonical_options(none) == [("simplification", "none")]
    both = ("openDoors+teleportAction", "teleportAction+openDoors")
    assert (
        len(
            {
                str(
                    scienceworld.canonical_options(parse(f"scienceworld:boil@3,simplification={s}"))
                )
                for s in both
            }
        )
        == 1
    )


def test_a_person_names_a_variation_the_way_specs_do() -> None:
    assert variation_named("textworld", "coin_collector", "3,level=02") == "3,level=2"
    assert variation_named("scienceworld", "boil", "17") == "17"
    with pytest.raises(SpecError, match="give its number"):
        variation_named("scienceworld", "boil", "dev:0")
    with pytest.raises(SpecError, match="level"):
        variation_named("textworld", "coin_collector", "3,level=high")


def test_an_unknown_simplification_is_refused_before_the_engine_starts() -> None:
    with pytest.raises(SpecError, match="unknown simplification 'xx'"):
        parse("scienceworld:boil,simplification=xx")
    with pytest.raises(SpecError, match="unknown simplification 'doors'"):
        parse("scienceworld:boil,simplification=openDoors+doors")
    assert parse("scienceworld:boil,simplification=none").option("simplification") == "none"
