"""``cairn memory kinds``: what turned out right and wrong across a task's variations.

For each task and goal its variations asked for ("find a(n) living thing"), the things an
irreversible action (ScienceWorld's ``focus on``) was taken on, how often that raised the
score and how often it lost the game, and where the right ones were found: what a new
variation's first trial goes by (``agent.learning.kinds``). Read from the archives
(`cairn memory archive`), where these outcomes are kept: nothing here is stored twice.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from agent.learning.kinds import home_kinds
from cli.common import DEFAULT_HOME, ExistingHomeOption, JsonFlag, existing_store, out, print_json


def kinds(
    env_name: Annotated[
        str | None, typer.Option("--env", help="Only this environment.", show_default=False)
    ] = None,
    task: Annotated[str | None, typer.Option(help="Only this task.", show_default=False)] = None,
    home: ExistingHomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """What turned out right and wrong across each task's variations, and where."""
    found = home_kinds(existing_store(home), env_name, task)
    if json_output:
        print_json(
            [{"env": k.env, "task": k.task, "goal": k.goal, **k.kinds.facts()} for k in found]
        )
        return
    if not found:
        out.print("no kinds yet: they come from `focus on` actions that paid or lost")
        return
    table = Table("task", "goal", "thing", "right", "wrong", title="kinds across variations")
    for k in found:
        facts = k.kinds.facts()
        goal = k.goal + (" (any will do)" if k.kinds.any_member else "")
        for thing in facts["things"]:
            table.add_row(
                f"{k.env}:{k.task}", goal, thing["thing"], str(thing["right"]), str(thing["wrong"])
            )
            goal = ""
        places = ", ".join(f"{p} ({n})" for p, n in facts["found_at"].items())
        if places:
            table.add_row("", "", f"[dim]right ones found at: {places}[/]", "", "")
    table.caption = "right / wrong: times the action on the thing raised the score / lost"
    out.print(table)


COMMANDS = (kinds,)
