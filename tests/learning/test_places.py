"""Where the things a task names were found in its variations, in role form, and a new
variation's first trial going there first."""

from __future__ import annotations

from pathlib import Path

from agent.acting.state import Turn
from agent.learning.carried import TaskRoles
from agent.learning.places import Places, task_places
from agent.learning.recall import Recaller
from agent.learning.roles import Template
from agent.learning.scorers import PlaceScorer
from agent.learning.tasks import task_knowledge
from knowledge_graph.map import GameMap
from memory.archive import Archive, Cell, Outcome
from memory.embedding import HashEmbedder
from memory.knowledge import Exemplar
from memory.memory import Memory
from memory.records import Situation, Step
from memory.store import Store
from memory.vectors import VectorIndex
from tests.learning.test_procedures import GAMES, NEW, TEST

ENV, TASK = "scienceworld", "test-conductivity"


def game(name: str, room: str) -> Archive:
    """Game ``name``: from the kitchen through the hallway to ``room``, where its thing and
    its boxes were seen (with a table, which the task does not name)."""
    slots = GAMES[name]
    seen = (slots["thing"], f"{slots['yes']} box", f"{slots['no']} box", "table")
    cells = [
        Cell(
            "kitchen||0",
            "kitchen",
            (),
            0.0,
            tried=(Outcome("go to hallway", "s0", "s1", "hallway||0", changed=True),),
        ),
        Cell(
            "hallway||0",
            "hallway",
            (),
            0.0,
            tried=(Outcome(f"go to {room}", "s1", "s2", f"{room}||0", changed=True),),
        ),
        Cell(f"{room}||0", room, (), 0.0, seen=seen),
    ]
    return Archive(ENV, TASK, name, start="s0", trials=1, cells={c.key: c for c in cells})


def home(tmp_path: Path, rooms: dict[str, str]) -> Memory:
    store = Store(tmp_path / "cairn.db")
    for name, room in rooms.items():
        store.archives.save(game(name, room))
        description = TEST.format(**GAMES[name])
        store.exemplars.add(Exemplar(ENV, TASK, name, "s", description, 0, False, ()))
    return Memory(store, VectorIndex(HashEmbedder(), tmp_path / "chroma"))


def turn(
    memory: Memory, place: str, valid: tuple[str, ...], history: tuple[Step, ...] = ()
) -> Turn:
    recollection = Recaller(memory, embedder=HashEmbedder()).recall(ENV, TASK, "4", NEW)
    return Turn(
        task=NEW,
        observation="",
        valid_actions=valid,
        history=history,
        situation=Situation(place),
        start=Situation("kitchen"),
        recollection=recollection,
    )


def test_where_most_variations_had_a_role_is_where_a_new_variation_goes_first(
    tmp_path: Path,
) -> None:
    memory = home(tmp_path, {"1": "workshop", "2": "workshop", "3": "foundry"})
    places = task_places(memory.store, ENV, TASK, TaskRoles.of(memory.store, ENV, TASK))
    assert places.trusted["{1}"] == [("workshop", 2)]  # the foundry, once, is not trusted
    assert "table" not in places.found  # the task does not name it
    assert "{1}: workshop (2 of 3 variations)" in places.lines()

    valid = ("go to hallway", "look around", "open drawer")
    votes = PlaceScorer().score(turn(memory, "kitchen", valid))
    assert list(votes) == ["go to hallway"]
    assert votes["go to hallway"].memories[0].startswith("place:")  # names what it is after

    clip = Step(1, "go to hallway", "", 0.0, 0.0, False, False, False, seen=("paper clip",))
    votes = PlaceScorer().score(turn(memory, "hallway", ("go to workshop",), (clip,)))
    assert votes["go to workshop"].memories == ("place:black box@workshop",)  # the boxes next
    everything = ("paper clip", "pink box", "black box")
    seen = Step(1, "go to hallway", "", 0.0, 0.0, False, False, False, seen=everything)
    assert PlaceScorer().score(turn(memory, "hallway", ("go to workshop",), (seen,))) == {}


def test_a_place_no_two_variations_agree_on_is_not_trusted(tmp_path: Path) -> None:
    memory = home(tmp_path, {"1": "workshop", "2": "foundry", "3": "kitchen"})
    assert PlaceScorer().score(turn(memory, "kitchen", ("go to hallway",))) == {}
    knowledge = task_knowledge(memory.store, ENV, TASK)
    assert not knowledge.places and knowledge.facts()["places"] == {}


def test_the_playbook_section_lists_the_trusted_places(tmp_path: Path) -> None:
    memory = home(tmp_path, {"1": "workshop", "2": "workshop"})
    knowledge = task_knowledge(memory.store, ENV, TASK)
    assert knowledge.facts()["places"]["{1}"] == {"workshop": 2}
    assert "- {1}: workshop (2 of 2 variations)" in knowledge.markdown()


def test_a_thing_seen_at_most_places_of_a_game_is_not_placed() -> None:
    melt = "Your task is to melt ice. First, focus on the substance."
    seen = {"kitchen": {"substance", "ice"}, "hallway": {"substance"}, "outside": {"substance"}}
    games = [(melt, GameMap(f"sw/melt/{n}", "kitchen", seen=seen)) for n in (1, 2)]
    places = Places.of(Template.of([melt]), games)
    assert places.trusted == {"ice": [("kitchen", 2)]}


def test_a_recall_reads_the_other_games_again_once_one_changed_or_a_person_spoke(
    tmp_path: Path,
) -> None:
    memory = home(tmp_path, {"1": "workshop", "2": "workshop", "3": "foundry"})
    recaller = Recaller(memory, embedder=HashEmbedder())
    first = recaller.recall(ENV, TASK, "4", NEW).places
    assert first.trusted["paper clip"] == [("workshop", 2)]
    assert recaller.recall(ENV, TASK, "4", NEW).places == first  # nothing changed
    memory.store.archives.save(game("3", "workshop"))  # variation 3 played again
    assert recaller.recall(ENV, TASK, "4", NEW).places.trusted["paper clip"] == [("workshop", 3)]
    memory.store.person_places.say(ENV, TASK, "{1}", "foundry", True)
    said = recaller.recall(ENV, TASK, "4", NEW).places.trusted["paper clip"]
    assert said == [("foundry", 1), ("workshop", 3)]
