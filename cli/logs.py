"""``cairn logs``: read back runs, trials, steps and model calls from the database.

The database is plain SQLite: `datasette $(cairn logs path)` browses it too.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from agent.acting.text import clip
from cli.common import (
    DEFAULT_HOME,
    ROW_MAX,
    ExistingHomeOption,
    JsonFlag,
    existing_store,
    fail,
    out,
    print_json,
    within_row_max,
)
from memory.store import Store

app = typer.Typer(
    help="Read back runs, trials, steps and LLM calls. Start with `cairn logs runs`.",
    no_args_is_help=True,
)

RunArgument = Annotated[str, typer.Argument(help="A run id, or 'last' for the most recent run.")]
TrialArgument = Annotated[
    int, typer.Argument(callback=within_row_max, help="A trial id (see `cairn logs trials`).")
]
LimitOption = Annotated[
    int, typer.Option(min=1, callback=within_row_max, help="Show at most this many rows.")
]


def _run_id(store: Store, run: str) -> int:
    if run == "last":
        last = store.last_run_id()
        if last is None:
            fail("no runs recorded in this home yet: start one with `cairn run`")
        return last
    if not (run.isascii() and run.isdigit()) or int(run) > ROW_MAX:
        fail(f"bad run id {run!r}: give a number (see `cairn logs runs`) or 'last'")
    return int(run)


def _table(rows: list[dict[str, Any]], columns: list[str], title: str) -> Table:
    table = Table(*columns, title=title, title_justify="left")
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    return table


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"
    return escape(clip(str(value), 70))  # game text, not rich markup


@app.command()
def runs(
    home: ExistingHomeOption = DEFAULT_HOME, limit: LimitOption = 20, json_output: JsonFlag = False
) -> None:
    """List the most recent runs."""
    rows = existing_store(home).runs(limit=limit)
    if json_output:
        print_json(rows)
        return
    out.print(_table(rows, ["id", "started_at", "status", "command"], "runs"))


@app.command()
def trials(
    run: RunArgument = "last",
    home: ExistingHomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """List the trials of a run with their score, outcome and length."""
    store = existing_store(home)
    run_id = _run_id(store, run)
    rows = store.trials(run_id)
    if not rows:
        fail(f"run {run_id} has no trials: list runs with `cairn logs runs`")
    if json_output:
        print_json(rows)
        return
    columns = ["id", "env", "trial", "variation", "status", "score", "won", "steps", "seconds"]
    if any(row["error"] for row in rows):
        columns.append("error")  # why a trial failed
    out.print(_table(rows, columns, f"trials of run {run_id}"))


@app.command()
def steps(
    trial: TrialArgument, home: ExistingHomeOption = DEFAULT_HOME, json_output: JsonFlag = False
) -> None:
    """Show every step of a trial: the action, how it was chosen, what happened."""
    store = existing_store(home)
    row = store.trial(trial)
    if row is None:
        fail(f"no trial {trial}: list trials with `cairn logs trials`")
    rows = store.steps(trial)
    if json_output:
        print_json({"trial": row, "steps": rows})
        return
    out.print(
        f"[bold]{row['env']}[/] trial {row['trial']}: {clip(row['task_description'] or '', 200)}"
    )
    columns = ["idx", "action", "grounding", "score", "observation"]
    out.print(_table(rows, columns, f"steps of trial {trial}"))


@app.command()
def calls(
    trial: TrialArgument,
    home: ExistingHomeOption = DEFAULT_HOME,
    limit: LimitOption = 50,
    json_output: JsonFlag = False,
) -> None:
    """Show the LLM calls of a trial: prompt size, answer, duration (full text with --json)."""
    store = existing_store(home)
    if store.trial(trial) is None:
        fail(f"no trial {trial}: list trials with `cairn logs trials`")
    rows = list(store.llm_calls(trial_id=trial, limit=limit))
    if json_output:
        print_json(rows)
        return
    for row in rows:  # a menu call's answer is the label it read, not its greedy token
        row["answer"] = row["options"].get("label", row["response"])
    columns = ["step", "model", "prompt_tokens", "completion_tokens", "seconds", "answer", "error"]
    out.print(_table(rows, columns, f"LLM calls of trial {trial}"))


@app.command()
def path(home: ExistingHomeOption = DEFAULT_HOME, json_output: JsonFlag = False) -> None:
    """Print the database's path (open it with sqlite3 or Datasette)."""
    store = existing_store(home)
    if json_output:
        print_json({"path": str(store.path)})
        return
    out.print(str(store.path), highlight=False, soft_wrap=True)
