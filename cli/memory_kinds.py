"""``cairn memory kinds``: what turned out right and wrong across a task's variations.

For each task and goal its variations asked for ("find a(n) living thing"), the things an
irreversible action (ScienceWorld's ``focus on``) was taken on, how often that raised the
score and how often it lost the game, and where the right ones were found: what a new
variation's first trial goes by (``agent.learning.kinds``). Read from the archives
(`cairn memory archive`), where these outcomes are kept: nothing here is stored twice.

A person can say better: ``--right THING`` / ``--wrong THING`` (with ``--env``, ``--task``
and ``--goal``) say a thing is or is not of the kind, above what the outcomes showed;
``--unsay THING`` takes it back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from agent.environments import validate_names
from agent.learning.kinds import goals_of, home_kinds
from cli.common import (
    DEFAULT_HOME,
    ExistingHomeOption,
    JsonFlag,
    existing_store,
    fail,
    out,
    print_json,
    writable_store,
)


def kinds(
    env_name: Annotated[
        str | None, typer.Option("--env", help="Only this environment.", show_default=False)
    ] = None,
    task: Annotated[str | None, typer.Option(help="Only this task.", show_default=False)] = None,
    goal: Annotated[
        str | None,
        typer.Option(
            help='The goal a kind is for, as listed (e.g. "find a(n) living thing"): with '
            "--right, --wrong or --unsay.",
            show_default=False,
        ),
    ] = None,
    right: Annotated[
        str | None, typer.Option(help="Say THING is of the kind.", show_default=False)
    ] = None,
    wrong: Annotated[
        str | None, typer.Option(help="Say THING is not of the kind.", show_default=False)
    ] = None,
    unsay: Annotated[
        str | None,
        typer.Option(help="Take back what was said of THING.", show_default=False),
    ] = None,
    home: ExistingHomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """What turned out right and wrong across each task's variations, and where; or say
    better yourself (--right, --wrong, --unsay).

    Example: cairn memory kinds --env scienceworld --task find-animal --goal "find a(n)
    animal" --wrong axe: from now on a new variation's first trial holds back from the axe,
    whatever the outcomes showed."""
    said = [
        (flag, thing)
        for flag, thing in (("right", right), ("wrong", wrong), ("unsay", unsay))
        if thing
    ]
    if said:
        _say(home, env_name, task, goal, said)
    found = home_kinds(existing_store(home), env_name, task)
    if json_output:
        print_json(
            [{"env": k.env, "task": k.task, "goal": k.goal, **k.kinds.facts()} for k in found]
        )
        return
    if not found:
        out.print("no kinds yet: they come from `focus on` actions that paid or lost")
        return
    table = Table(
        "task", "goal", "thing", "right", "wrong", "a person says", title="kinds across variations"
    )
    for k in found:
        facts = k.kinds.facts()
        goal = k.goal + (" (any will do)" if k.kinds.any_member else "")
        for thing in facts["things"]:
            says = thing["person_says"]
            table.add_row(
                f"{k.env}:{k.task}",
                goal,
                thing["thing"],
                str(thing["right"]),
                str(thing["wrong"]),
                "" if says is None else ("right" if says else "wrong"),
            )
            goal = ""
        places = ", ".join(f"{p} ({n})" for p, n in facts["found_at"].items())
        if places:
            table.add_row("", "", f"[dim]right ones found at: {places}[/]", "", "", "")
    table.caption = "right / wrong: times the action on the thing raised the score / lost"
    out.print(table)


def _say(
    home: Path,
    env_name: str | None,
    task: str | None,
    goal: str | None,
    said: list[tuple[str, str]],
) -> None:
    """Record what a person said of a thing's kind, after checking the names."""
    if len(said) > 1:
        fail("give one of --right, --wrong and --unsay at a time")
    if env_name is None or task is None or goal is None:
        fail("--right, --wrong and --unsay need --env, --task and --goal")
    validate_names(env_name, task)
    store = writable_store(home)
    known = set(goals_of(store, env_name, task)) | set(store.person_kinds.goals(env_name, task))
    if goal not in known:
        choices = ", ".join(repr(g) for g in sorted(known)) or "none yet"
        fail(f"no variation of {env_name}:{task} asked for {goal!r}: the goals are {choices}")
    ((flag, thing),) = said
    if flag == "unsay":
        if not store.person_kinds.unsay(env_name, task, goal, thing):
            fail(f"nothing was said of {thing!r} for {goal!r}: nothing to take back")
    else:
        store.person_kinds.say(env_name, task, goal, thing, right=flag == "right")


COMMANDS = (kinds,)
