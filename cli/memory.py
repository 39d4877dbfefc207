"""``cairn memory``: what the agent has learned, and teaching it by demonstration."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from agent.demonstrations import demonstrate
from agent.environments import Environments, parse
from cli.build import build_learning, cache_dir
from cli.common import DEFAULT_HOME, HomeOption, JsonFlag, out, print_json, store
from memory.knowledge import Scope, Status

app = typer.Typer(
    help="What the agent learned (insights, exemplars) and teaching it by demonstration.",
    no_args_is_help=True,
)


@app.command()
def demo(
    envs: Annotated[
        list[str],
        typer.Argument(help="Specs whose oracle path to learn, e.g. scienceworld:boil@train:0."),
    ],
    home: HomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """Learn from demonstrations: play each environment's own oracle path (ScienceWorld's
    gold path, TextWorld's walkthrough) and remember it as an exemplar marked
    "demonstration". Test-split variations and TextWorld seeds >= 10000 are refused: they
    are kept for evaluation."""
    specs = [parse(text) for text in envs]
    database = store(home)
    learner = build_learning(home.expanduser(), database, enabled=True).memory_learner
    rows: list[dict[str, object]] = []
    with Environments(cache_dir() / "games") as environments:
        for spec in specs:
            env = environments.open(spec)
            exemplar = demonstrate(env, learner)
            rows.append(
                {
                    "env": str(spec),
                    "exemplar": exemplar.id,
                    "steps": len(exemplar.steps),
                    "score": exemplar.score,
                }
            )
    if json_output:
        print_json(rows)
        return
    table = Table("env", "exemplar", "steps", "score", title="demonstrations learned")
    for row in rows:
        table.add_row(*(str(row[k]) for k in ("env", "exemplar", "steps", "score")))
    out.print(table)


@app.command()
def stats(home: HomeOption = DEFAULT_HOME, json_output: JsonFlag = False) -> None:
    """Counts of insights (by scope and status), exemplars and operations."""
    database = store(home)
    insights = database.insights
    by_scope = {scope.value: sum(1 for _ in insights.active(scope)) for scope in Scope}
    counts = {status.value: insights.count(status) for status in Status}
    exemplars, operations = database.exemplars.count(), len(insights.operations())
    if json_output:
        print_json(
            {
                "insights": counts,
                "active_by_scope": by_scope,
                "exemplars": exemplars,
                "operations": operations,
            }
        )
        return
    table = Table("what", "count", title="memory")
    for status, count in counts.items():
        table.add_row(f"insights {status}", str(count))
    for scope, count in by_scope.items():
        table.add_row(f"  active, {scope} scope", str(count))
    table.add_row("exemplars", str(exemplars))
    table.add_row("operations logged", str(operations))
    out.print(table)
