"""``cairn memory procedure``: what carries to a new variation of a task, in its roles.

The task's template (its description with what its variations change numbered {1}, {2},
…), what each role was in each variation this home played, the procedure its won trials
add up to (or the one a person wrote), what its variations agree on in role form, and where
the things it names were found (``agent.learning.tasks``). ``--bind`` writes the procedure
for a new variation's description. ``--write FILE`` replaces the learned procedure with a
person's (one step per line, in role form: "focus on {1}"); ``--clear`` goes back to the
learned one.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from agent.learning.tasks import TaskKnowledge, task_knowledge
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
from memory.procedures import MAX_STEPS


def procedure(
    task: TaskArgument,
    bind: Annotated[
        str | None,
        typer.Option(
            help="A new variation's task description: write the procedure for it.",
            show_default=False,
        ),
    ] = None,
    write: Annotated[
        Path | None,
        typer.Option(
            help="A file of steps, one per line in role form (- for standard input): the "
            "task's procedure from now on, instead of the learned one.",
            show_default=False,
        ),
    ] = None,
    clear: Annotated[
        bool, typer.Option("--clear", help="Forget the person's procedure: learn it again.")
    ] = False,
    home: ExistingHomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """A task's procedure, roles, agreed insights and places: what a new variation starts
    from. Read it, bind it to a new description, or write your own.

    Example: cairn memory procedure scienceworld:test-conductivity --bind "Your task is to
    determine if paper clip is electrically conductive. ..." writes the procedure with "paper
    clip" in the place of {1}. A file for --write holds one step per line, e.g. "focus on
    {1}"; --clear goes back to the learned procedure."""
    env_name, name = env_task(task)
    if write is not None and clear:
        fail("--write and --clear undo each other: give one")
    if write is not None or clear:
        store = writable_store(home)
        if clear and not store.procedures.clear(env_name, name):
            fail(f"no procedure was written for {env_name}:{name}: nothing to clear")
        if write is not None:
            store.procedures.write(env_name, name, _steps(write))
    else:
        store = existing_store(home)
    found = task_knowledge(store, env_name, name)
    if json_output:
        facts = found.facts()
        if bind is not None:
            facts["bound"] = found.bound(bind).facts()
        print_json(facts)
        return
    _show(found, bind)


def _steps(path: Path) -> list[str]:
    """The steps of a person's procedure file: its non-empty lines, numbering dropped."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.expanduser().read_text()
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {path}: {getattr(error, 'strerror', None) or error}")
    steps = [line.strip().lstrip("0123456789.) ").strip() for line in text.splitlines()]
    steps = [step for step in steps if step]
    if not steps or len(steps) > MAX_STEPS:
        fail(f"{path} must hold 1 to {MAX_STEPS} steps, one per line")
    return steps


def _show(found: TaskKnowledge, bind: str | None) -> None:
    if not found:
        out.print(
            f"nothing known of {found.env}:{found.task} yet: `cairn run` its variations with "
            "memory on"
        )
        return
    out.print(found.markdown(), highlight=False, markup=False)
    if bind is not None:
        bound = found.bound(bind)
        out.print("For the description given:", highlight=False)
        for line in bound.lines() or ["(no step of the procedure names what it names)"]:
            out.print(f"  {line}", highlight=False, markup=False)


COMMANDS = (procedure,)  # registered on `cairn memory` by cli.main
