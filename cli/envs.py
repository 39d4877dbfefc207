"""``cairn envs``: the environments, tasks and options a spec can name."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from rich.markup import escape
from rich.table import Table

from agent.environments import scienceworld, textcraft, textworld, toy
from cli.common import JsonFlag, out, print_json


@dataclass(frozen=True)
class Entry:
    env: str  # the environment's name: a record's field, named as its JSON key
    task: str
    variation: str
    options: dict[str, str] = field(default_factory=dict)


def _shown(value: object) -> str:
    """A default as a spec writes it: flags are 0 or 1, not Python's False and True."""
    return str(int(value)) if isinstance(value, bool) else str(value)


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
            {k: _shown(v) for k, v in challenge.defaults.items() if v is not None},
        )
        for task, challenge in textworld.CHALLENGES.items()
    ]
    entries.append(Entry("textworld", "PATH.z8 | PATH.ulx", "-"))
    seed = f"seed (default {textcraft.DEFAULT_SEED})"
    distractors = str(textcraft.MAX_DISTRACTORS)
    entries += [  # the items are too many to list: an unknown one's error suggests the nearest
        Entry(
            "textcraft",
            textcraft.ANY,
            seed,
            {"depth": "any | 2 | 3 | 4", "distractors": distractors},
        ),
        Entry("textcraft", "ITEM", seed, {"distractors": distractors}),
    ]
    entries += [
        Entry("toy", task, f"seed (default {toy.DEFAULT_SEED})", {"rooms": str(rooms)})
        for task, rooms in toy.DEFAULT_ROOMS.items()
    ]
    return entries


def envs(json_output: JsonFlag = False) -> None:
    """List the environments and tasks, with the options each accepts and their defaults.

    A spec is NAME:TASK\\[@VARIATION]\\[,key=value...], e.g. scienceworld:boil@dev:0,
    textworld:treasure_hunter@7,level=5, textworld:path/to/game.z8 or textcraft:gray_banner@3
    (ITEM is a craftable item, words joined by _; textcraft:any@3 lets the seed pick one).
    """
    entries = catalogue()
    if json_output:
        print_json([asdict(e) for e in entries])
        return
    for env_name in dict.fromkeys(e.env for e in entries):
        heading, table = env_table(env_name, [e for e in entries if e.env == env_name])
        out.print(heading, highlight=False)
        out.print(table)


def env_table(env_name: str, entries: list[Entry]) -> tuple[str, Table]:
    """One environment's tasks. What every task shares (ScienceWorld's variations and
    options) is said once, above the table, so the task names a user must type stay whole
    even at 80 columns; the other columns wrap around them."""
    rows = [{"variation": e.variation, "options (defaults)": options_text(e)} for e in entries]
    shared = {k: v for k, v in rows[0].items() if all(row[k] == v for row in rows)}
    said = "; ".join(f"{k}: {v}" for k, v in shared.items() if v)
    heading = f"[bold]{env_name}[/]" + (f" — {escape(said)}" if said else "")
    table = Table()
    table.add_column("task", no_wrap=True, overflow="fold")
    columns = [k for k in rows[0] if k not in shared]
    for column in columns:
        table.add_column(column)
    for entry, row in zip(entries, rows, strict=True):
        table.add_row(entry.task, *(row[c] for c in columns))
    return heading, table


def options_text(entry: Entry) -> str:
    return ", ".join(f"{k}={v}" for k, v in entry.options.items())
