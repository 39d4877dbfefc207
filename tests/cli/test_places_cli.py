"""Where a task's things were found reaches people and other agents, and a person can say
better: `cairn memory places`, the recall of a new variation, bundles (format 6). A real
home that played the toy world's fetch task."""

from __future__ import annotations

from pathlib import Path

from agent.learning.recall import Recaller
from memory.memory import Memory
from memory.store import Store
from tests.cli.test_kinds_shared import played
from tests.support.cli import cairn, cairn_json, hash_home, one_error_line


def test_a_person_places_a_thing_and_a_new_variation_and_a_bundle_go_by_it(
    tmp_path: Path, cache_root: Path
) -> None:
    home = played(tmp_path / "home", cache_root)
    h = ("--home", str(home))
    listed = cairn_json("memory", "places", "toy:fetch", *h, cache=cache_root)
    assert listed["variations"] == 1
    target = next(t for t in listed["things"] if t["places"])
    assert target["trusted"] == []  # one variation: no place is trusted yet
    thing, (room, *_) = target["thing"], list(target["places"])

    said = cairn_json(
        "memory", "places", "toy:fetch", "--thing", thing, "--at", "attic", *h, cache=cache_root
    )
    entry = next(t for t in said["things"] if t["thing"] == thing)
    assert entry["trusted"] == ["attic"] and entry["person_says"] == {"attic": True}
    store = Store.in_home(home)
    (trial, *_) = store.db.execute("select task_description from trials limit 1").fetchone()
    places = Recaller(Memory(store)).recall("toy", "fetch", "9", trial).places
    assert places.trusted[thing] == [("attic", 0)]
    assert f"{thing}: attic (a person says)" in places.lines()
    shown = cairn("memory", "places", "toy:fetch", *h, cache=cache_root)
    assert "attic" in shown.stdout and "at" in shown.stdout

    cairn_json("memory", "places", "toy:fetch", "--thing", thing, "--not-at", room, *h,
               cache=cache_root)  # fmt: skip
    bundle = tmp_path / "said.cairn.zip"
    assert cairn("export", str(bundle), *h, cache=cache_root).returncode == 0
    other = hash_home(tmp_path / "other")
    imported = cairn_json("import", str(bundle), "--home", str(other), cache=cache_root)
    assert imported["new"]["places_said"] == 2
    said_there = Store.in_home(other).person_places.said("toy", "fetch")
    assert said_there == {thing: {"attic": True, room: False}}

    back = cairn_json("memory", "places", "toy:fetch", "--thing", thing, "--unsay", *h,
                      cache=cache_root)  # fmt: skip
    assert next(t for t in back["things"] if t["thing"] == thing)["person_says"] == {}
    one_error_line(
        cairn("memory", "places", "toy:fetch", "--thing", thing, "--unsay", *h, cache=cache_root),
        "nothing was said",
    )


def test_what_is_wrong_with_a_places_command_is_said_in_one_line(
    tmp_path: Path, cache_root: Path
) -> None:
    home = played(tmp_path / "home", cache_root)
    h = ("--home", str(home))
    before = Store.in_home(home).person_places.said("toy", "fetch")
    for args, says in [
        (("--at", "attic"), "needs --thing"),
        (("--thing", "key"), "--thing needs --at"),
        (("--thing", "key", "--at", "attic", "--not-at", "den"), "one of --at"),
        (("--thing", "key", "--at", " "), "the place is empty"),
    ]:
        one_error_line(cairn("memory", "places", "toy:fetch", *args, *h, cache=cache_root), says)
    one_error_line(cairn("memory", "places", "fetch", *h, cache=cache_root), "ENV:TASK")
    one_error_line(cairn("memory", "places", "toy:nope", *h, cache=cache_root), "nope")
    assert Store.in_home(home).person_places.said("toy", "fetch") == before == {}
