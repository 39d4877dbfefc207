"""``cairn memory places``: where the things a task names were found across its variations.

Each thing the task's description names, in role form ("{1}" is what the variations change,
"thermometer" what they share), with the places it was seen in and in how many variations:
a place is trusted when it held the thing in most variations it was seen in, and in two or
more, and a new variation's first trial goes there first (``agent.learning.places``). Read
from the archives' maps (`cairn memory archive`): nothing here is stored twice.

A person can say better: ``--thing THING --at PLACE`` / ``--not-at PLACE`` say where it is
or is not, above what the maps found; ``--thing THING --unsay`` takes it all back.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

import typer
from rich.table import Table

from agent.learning.carried import TaskRoles
from agent.learning.places import Places, task_places
from cli.common import (
    DEFAULT_HOME,
    ExistingHomeOption,
    JsonFlag,
    TaskArgument,
    env_task,
    existing_store,
    fail,
    out,
    print_json,
    writable_store,
)


def places(
    task: TaskArgument,
    thing: Annotated[
        str | None,
        typer.Option(
            help='The thing, as listed ("{1}", "thermometer"): with --at, --not-at or --unsay.',
            show_default=False,
        ),
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Say THING is at PLACE.", show_default=False)
    ] = None,
    not_at: Annotated[
        str | None,
        typer.Option("--not-at", help="Say THING is not at PLACE.", show_default=False),
    ] = None,
    unsay: Annotated[
        bool, typer.Option("--unsay", help="Take back all that was said of THING's places.")
    ] = False,
    home: ExistingHomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """Where the things a task names were found across its variations; or say better
    yourself (--thing with --at, --not-at or --unsay).

    Example: cairn memory places scienceworld:measure-melting-point --thing thermometer
    --at kitchen: from now on a new variation's first trial looks for the thermometer in the
    kitchen first, whatever the maps showed."""
    env_name, name = env_task(task)
    said = [
        flag for flag, given in (("--at", at), ("--not-at", not_at), ("--unsay", unsay)) if given
    ]
    if len(said) > 1:
        fail(f"give one of --at, --not-at and --unsay at a time, not {' and '.join(said)}")
    if said and not thing:
        fail(f"{said[0]} needs --thing: the thing as listed, e.g. --thing thermometer")
    if thing and not said:
        fail("--thing needs --at PLACE, --not-at PLACE or --unsay")
    if said and thing:
        store = writable_store(home)
        if unsay:
            if not store.person_places.unsay(env_name, name, thing):
                fail(f"nothing was said of where {thing!r} is in {env_name}:{name}")
        else:
            place = (at or not_at or "").strip()
            if not place:
                fail("the place is empty: give a place's name, e.g. --at kitchen")
            store.person_places.say(env_name, name, thing.strip(), place, at is not None)
    else:
        store = existing_store(home)
    found = task_places(store, env_name, name, TaskRoles.of(store, env_name, name))
    if json_output:
        print_json(_facts(found))
        return
    _show(f"{env_name}:{name}", found)


def _facts(found: Places) -> dict[str, Any]:
    """Every thing the maps found or a person placed, with all its places."""
    return {
        "variations": found.games,
        "things": [
            {
                "thing": thing,
                "seen_in": found.seen_in[thing],
                "places": dict(found.found.get(thing, Counter()).most_common()),
                "trusted": [place for place, _ in found.trusted.get(thing, [])],
                "person_says": dict(found.said.get(thing, {})),
            }
            for thing in sorted({*found.found, *found.said})
        ],
    }


def _show(task: str, found: Places) -> None:
    things = _facts(found)["things"]
    if not things:
        out.print(
            f"no places known for {task} yet: `cairn run` its variations with memory on "
            "(a place counts once two variations found a thing the task names there)"
        )
        return
    table = Table(
        "thing",
        "place",
        "variations",
        "trusted",
        "a person says",
        title=f"where {task}'s things were found",
    )
    for entry in things:
        label = entry["thing"]
        says = entry["person_says"]
        for place in dict.fromkeys([*entry["places"], *says]):
            seen = entry["places"].get(place, 0)
            table.add_row(
                label,
                place,
                f"{seen} of {entry['seen_in']}",
                "yes" if place in entry["trusted"] else "",
                "" if place not in says else ("at" if says[place] else "not at"),
            )
            label = ""
    table.caption = f"read from {found.games} variations' maps"
    out.print(table)


COMMANDS = (places,)  # registered on `cairn memory` by cli.main
