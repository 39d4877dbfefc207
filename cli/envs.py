"""``cairn envs``: the environments, tasks and options a spec can name."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from rich.table import Table

from agent.environments import scienceworld, textworld, toy
from cli.common import JsonFlag, out, print_json


@dataclass(frozen=True)
class Entry:
    env: str
    task: str
    variation: str
    options: dict[str, str] = field(default_factory=dict)


def catalogue() -> list[Entry]:
    simplification = f"{scienceworld.DEFAULT_SIMPLIFICATION} | none | a+b"
    entries = [
        Entry(
            "scienceworld", task, "N | train:K | dev:K | test:K", {"simplification": simplification}
        )
        for task in scienceworld.task_names()
    ]
    entries += [
        Entry(
            "textworld",
            task,
            f"game seed (default {textworld.DEFAULT_SEED})",
            {k: str(v) for k, v in challenge.defaults.items() if v is not None},
        )
        for task, challenge in textworld.CHALLENGES.items()
    ]
    entries.append(Entry("textworld", "PATH.z8 | PATH.ulx", "-"))
    entries += [
        Entry("toy", task, f"seed (default {toy.DEFAULT_SEED})", {"rooms": str(rooms)})
        for task, rooms in toy.DEFAULT_ROOMS.items()
    ]
    return entries


def envs(json_output: JsonFlag = False) -> None:
    """List the environments and tasks, with the options each accepts and their defaults.

    A spec is NAME:TASK\\[@VARIATION]\\[,key=value...], e.g. scienceworld:boil@dev:0,
    textworld:treasure_hunter@7,level=5 or textworld:path/to/game.z8.
    """
    entries = catalogue()
    if json_output:
        print_json([asdict(e) for e in entries])
        return
    table = Table("env", "task", "variation", "options (defaults)")
    for e in entries:
        options = ", ".join(f"{k}={v}" for k, v in e.options.items())
        table.add_row(e.env, e.task, e.variation, options)
    out.print(table)
