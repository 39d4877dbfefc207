"""``cairn memory archive``: what exploring found, game by game (the archive of cells).

Without a spec: every game with an archive, how many trials and cells, the best score,
whether it was won. With one: that game's cells — where the player was, holding what, at
what score — how each was reached, how often trials reached it and set out from it, what
was tried there and what is left untried.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from agent.environments import parse
from agent.environments.registry import variation_named
from cli.common import (
    DEFAULT_HOME,
    ExistingHomeOption,
    JsonFlag,
    existing_store,
    fail,
    out,
    print_json,
)
from knowledge_graph.map import GameMap
from memory.archive import Archive, Cell
from memory.store import Store


def archive(
    spec: Annotated[
        str | None,
        typer.Argument(
            help="A game as `cairn run` names it (e.g. textworld:coin_collector@3,level=10, "
            "scienceworld:boil@dev:0). Without it: every game with an archive.",
            show_default=False,
        ),
    ] = None,
    home: ExistingHomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """The archive of cells exploring built: every game, or one game's cells."""
    store = existing_store(home)
    if spec is None:
        games = store.archives.games()
        if json_output:
            print_json([{**g, "won": bool(g["won"])} for g in games])
            return
        table = Table("env", "task", "variation", "trials", "cells", "best", "won")
        for g in games:
            table.add_row(
                g["env"],
                g["task"],
                g["variation"] or "-",
                str(g["trials"]),
                str(g["cells"]),
                f"{g['best']:g}",
                "yes" if g["won"] else "",
            )
        out.print(table if games else "no archive yet: `cairn run` a game with memory on")
        return
    found = game_archive(store, spec)
    if json_output:
        print_json(archive_json(found))
        return
    out.print(cells_table(found))
    for line in GameMap.of(found).facts():
        out.print(f"  {line}", highlight=False)


def game_archive(store: Store, text: str) -> Archive:
    """The archive of the game a spec names: its variation key as the trials recorded it
    (``dev:0`` was resolved by the engine when played), else the spec's own."""
    spec = parse(text)
    played = [t for t in store.trials() if t["env"] == str(spec) and t["variation"]]
    if played:
        variation: str | None = played[-1]["variation"]
    elif spec.variation is None or spec.variation.split is not None:
        fail(f"{spec} has not been played in this home: give its variation's number")
    else:
        variation = variation_named(spec.name, spec.task, str(spec.variation))
    found = store.archives.load(spec.name, spec.task, variation)
    if not found.cells:
        fail(f"no archive for {spec} ({spec.name}/{spec.task}/{variation}) in this home")
    return found


def cells_table(found: Archive) -> Table:
    table = Table(
        "cell",
        "score",
        "way",
        "reached",
        "chosen",
        "tried",
        "untried",
        "won",
        title=f"{found.env}/{found.task}/{found.variation}: {found.trials} trials",
        title_justify="left",
    )
    for cell in sorted(found.cells.values(), key=lambda c: (-c.score, len(c.path))):
        table.add_row(
            cell.key,
            f"{cell.score:g}",
            str(len(cell.path)),
            str(cell.reached),
            str(cell.chosen),
            str(len(cell.tried)),
            str(len(cell.untried())),
            "yes" if cell.won else "",
        )
    return table


def archive_json(found: Archive) -> dict[str, Any]:
    return {
        "env": found.env,
        "task": found.task,
        "variation": found.variation,
        "trials": found.trials,
        "lost_after_won": found.setbacks,
        "cells": [cell_json(c) for c in found.cells.values()],
        "map": GameMap.of(found).facts(limit=1000),
    }


def cell_json(cell: Cell) -> dict[str, Any]:
    return {
        "cell": cell.key,
        "place": cell.place,
        "inventory": list(cell.inventory),
        "score": cell.score,
        "way": list(cell.path),
        "reached": cell.reached,
        "chosen": cell.chosen,
        "won": cell.won,
        "tried": [
            {
                "action": o.action,
                "led_to": o.next_cell,
                "changed": o.changed,
                "lost": o.fatal,
                "tries": o.tries,
            }
            for o in cell.tried
        ],
        "untried": cell.untried(),
        "seen": list(cell.seen),
    }


COMMANDS = (archive,)  # registered on `cairn memory` by cli.main
