"""Kinds learned from outcomes across a task's variations (``agent.learning.kinds``): what a
new variation's first trial takes, holds back and goes to find."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from agent.acting.policy import Policy
from agent.acting.state import Turn
from agent.learning.kinds import KNOWN, NEW_THERE, Kinds, asks_for_any, head_of, kinds_for, thing_of
from agent.learning.plans import choose_plan
from agent.learning.recall import Recaller, Recollection
from agent.learning.scorers import KindScorer, policy_scorers
from memory.archive import Archive, Cell, Outcome
from memory.embedding import HashEmbedder, MiniLMEmbedder
from memory.knowledge import Exemplar
from memory.memory import Memory
from memory.records import Situation, Step
from memory.store import Store
from memory.vectors import VectorIndex

FIND = "Your task is to find a(n) living thing. First, focus on the thing."
LONGEST = "Your task is to find the animal with the longest life span. First, focus on the animal."


def variation(
    name: str, right: str, wrong: str | None = None, seen: tuple[str, ...] = ()
) -> Archive:
    """A game where the player came from the kitchen to the outside, saw ``seen`` there, and
    focusing on ``right`` raised the score (and on ``wrong``, if given, lost)."""
    focus = [f"focus on {right}"] + ([f"focus on {wrong}"] if wrong else [])
    tried = [Outcome(focus[0], "s1", "s2", "outside||75", changed=True)]
    if wrong:
        tried.append(Outcome(focus[1], "s1", "s3", "outside||0", changed=True, fatal=True))
    kitchen = Cell(
        "kitchen||25",
        "kitchen",
        (),
        25.0,
        tried=(Outcome("go to outside", "s0", "s1", "outside||25", changed=True),),
    )
    outside = Cell(
        "outside||25", "outside", (), 25.0, tried=tuple(tried), risks=tuple(focus), seen=seen
    )
    after = Cell("outside||75", "outside", (), 75.0, path=("go to outside", focus[0]))
    cells = {c.key: c for c in (kitchen, outside, after)}
    return Archive("scienceworld", "find-living-thing", name, start="s0", trials=2, cells=cells)


def turn_at(place: str, valid: tuple[str, ...], kinds: Kinds, *, focused: bool = False) -> Turn:
    history = (
        (Step(1, "focus on axe", "", 0.0, 25.0, False, False, False, location=place),)
        if focused
        else ()
    )
    return Turn(
        task=FIND,
        observation="",
        valid_actions=valid,
        history=history,
        irreversible_actions=frozenset(a for a in valid if a.startswith("focus on")),
        situation=Situation(place),
        start=Situation("kitchen"),
        recollection=Recollection(kinds=kinds),
    )


def test_a_things_kind_is_its_head_noun() -> None:
    assert head_of(thing_of("focus on baby baby beaver")) == "beaver"
    assert head_of(thing_of("focus on flower pot 1")) == "pot"
    assert head_of(thing_of("focus on living thing in flower pot 9")) == "thing"
    assert head_of(thing_of("focus on metal pot containing ice cream")) == "pot"


def test_a_goal_asks_for_any_member_or_a_particular_one() -> None:
    assert asks_for_any("find a(n) living thing") and asks_for_any("grow an apple")
    assert not asks_for_any("find the animal with the longest life span")
    assert not asks_for_any("melt soap")


def test_what_paid_and_lost_in_other_variations_is_the_tasks_kind() -> None:
    kinds = Kinds.of([variation("1", "adult beaver", "flower pot 2"), variation("2", "egg parrot")])
    assert kinds.verdict("focus on baby baby beaver", "outside") > 0  # a beaver, named otherwise
    assert kinds.verdict("focus on flower pot 7", "outside") < 0
    assert kinds.verdict("focus on red box", "outside") == 0  # nothing known
    mixed = Kinds.of([variation("1", "brown bear", "wolf"), variation("2", "wolf", "ant")])
    assert mixed.verdict("focus on juvenile wolf", "outside") == 0  # right once, wrong once
    assert any("beaver: right 1" in line for line in kinds.lines())
    assert "right ones were found at: outside (2)" in kinds.lines()


def test_where_any_member_will_do_a_thing_new_where_they_were_found_is_one() -> None:
    games = [variation(n, "butterfly", seen=("axe", "fire pit", "butterfly")) for n in "12"]
    kinds = Kinds.of(games, any_member=True)
    assert kinds.verdict("focus on baby beaver", "outside") == NEW_THERE
    assert kinds.verdict("focus on axe", "outside") == 0  # every variation has one there
    assert kinds.verdict("focus on baby beaver", "kitchen") == 0  # no member was found there
    assert kinds.verdict("focus on orange", "outside", held=("orange",)) == 0  # it came along
    particular = Kinds.of(games, any_member=False)  # "the animal with the longest life span"
    assert particular.verdict("focus on baby beaver", "outside") == 0
    lost_there = Kinds.of([*games, variation("3", "butterfly", "ant")], any_member=True)
    assert lost_there.verdict("focus on baby beaver", "outside") == 0  # the task picks there


def test_a_new_variation_takes_a_known_member_on_its_first_trial_against_the_guard() -> None:
    kinds = Kinds.of([variation("1", "adult beaver", "flower pot 2")])
    valid = ("focus on baby beaver", "focus on flower pot 3", "focus on bee hive", "look around")
    turn = turn_at("outside", valid, kinds)
    votes = KindScorer().score(turn)
    assert votes["focus on baby beaver"].memories == ("kind:beaver",)
    assert votes["focus on flower pot 3"].value < 0
    assert "focus on bee hive" not in votes
    policy = Policy(policy_scorers(memory=True))
    assert policy.choose(turn, policy.evidence(turn)).action == "focus on baby beaver"
    assert KindScorer().score(turn_at("outside", valid, kinds, focused=True)) == {}  # one focus


def test_a_thing_named_by_where_it_is_is_what_the_view_shows_there() -> None:
    kinds = Kinds.of([variation("1", "adult pea plant", "axe")])
    view = (
        "This room is called the greenhouse. In it, you see:\n\ta flower pot 9 (containing a "
        "pea plant in the reproducing stage, soil)\n\ta flower pot 6 (containing a substance "
        "called water)"
    )
    assert kinds.verdict("focus on living thing in flower pot 9", view=view) == KNOWN
    assert kinds.verdict("focus on living thing in flower pot 9") == 0  # nothing says what
    assert kinds.verdict("focus on substance in flower pot 6", view=view) == 0
    assert kinds.head("focus on living thing in flower pot 9", view) == "plant"
    seen = ("adult pea plant", "substance in flower pot 2")
    anything = Kinds.of([variation(n, "adult pea plant", seen=seen) for n in "12"], True)
    assert anything.verdict("focus on substance in flower pot 6", "outside", view=view) == 0
    valid = ("focus on living thing in flower pot 9", "focus on substance in flower pot 6")
    turn = replace(turn_at("greenhouse", valid, kinds), view=view)
    votes = KindScorer().score(turn)
    assert votes["focus on living thing in flower pot 9"].memories == ("kind:plant",)


def test_while_no_member_is_offered_the_way_leads_to_where_they_were_found() -> None:
    kinds = Kinds.of([variation("1", "butterfly")], any_member=True)
    valid = ("go to outside", "go to hallway", "focus on kettle", "look around")
    votes = KindScorer().score(turn_at("kitchen", valid, kinds))
    assert set(votes) == {"go to outside"}
    assert votes["go to outside"].memories == ("kind-place:outside",)
    assert kinds.route("hallway", set()) is None  # no known way from there


def test_the_elimination_search_tries_a_known_member_before_the_closest_in_meaning() -> None:
    candidates = ("focus on baby bear", "focus on living rose", "focus on steel chair")
    tried = (Outcome("look around", "s0", "s0", "den||0", changed=False),)
    start = Cell("den||0", "den", (), 0.0, risks=candidates, tried=tried, last_trial=1)
    archive = Archive("toy", "fetch", "1", start="s0", trials=1, cells={start.key: start})
    embedder = HashEmbedder()
    assert choose_plan(archive, FIND, embedder).gamble == "focus on living rose"
    kinds = Kinds.of([variation("2", "oak chair", "rose bush")])
    assert choose_plan(archive, FIND, embedder, kinds).gamble == "focus on steel chair"


def test_kinds_are_read_only_from_variations_asking_for_the_same_thing(tmp_path: Path) -> None:
    store = Store(tmp_path / "cairn.db")
    memory = Memory(store, VectorIndex(HashEmbedder(), tmp_path / "chroma"))
    asked = {"1": FIND, "2": FIND, "3": LONGEST}
    for name, description in asked.items():
        store.archives.save(variation(name, f"{name} beaver"))
        store.exemplars.add(
            Exemplar("scienceworld", "find-living-thing", name, "s", description, 75, False, ())
        )
    find = "find a(n) living thing"
    kinds = kinds_for(store, "scienceworld", "find-living-thing", find, leave_out="4")
    assert kinds.right["beaver"] == 2 and kinds.any_member  # from 1 and 2, not 3
    assert sorted(kinds.facts()["variations"]) == ["1", "2"]  # the latest played first
    own = kinds_for(store, "scienceworld", "find-living-thing", find, leave_out="1")
    assert own.right["beaver"] == 1  # a variation's own game is not "another variation"
    recaller = Recaller(memory, embedder=HashEmbedder())
    assert recaller.recall("scienceworld", "find-living-thing", "4", FIND).kinds == kinds


@pytest.mark.slow
def test_among_equals_the_thing_most_like_the_kinds_members_comes_first(
    minilm: MiniLMEmbedder,
) -> None:
    games = [variation("1", "brown bear", "axe"), variation("2", "pea plant", "fire pit")]
    kinds = Kinds.of(games, any_member=True, embedder=minilm)
    assert kinds.likeness("focus on baby beaver") > kinds.likeness("focus on metal chair")
    assert kinds.likeness("focus on brown bear") == 0  # its own kind is known
    assert Kinds.of(games, any_member=True).likeness("focus on baby beaver") == 0  # no model
    particular = Kinds.of(games, embedder=minilm)  # "the animal with the longest life span"
    assert particular.likeness("focus on baby beaver") == 0
    candidates = ("focus on baby beaver", "focus on fire pit", "focus on living room sofa")
    tried = (Outcome("look around", "s0", "s0", "outside||0", changed=False),)
    start = Cell("outside||0", "outside", (), 0.0, risks=candidates, tried=tried, last_trial=1)
    archive = Archive("toy", "fetch", "1", start="s0", trials=1, cells={start.key: start})
    unlike = Kinds.of(games, any_member=True)  # the goal's word "living" decides then
    assert choose_plan(archive, FIND, minilm, unlike).gamble == "focus on living room sofa"
    assert choose_plan(archive, FIND, minilm, kinds).gamble == "focus on baby beaver"
