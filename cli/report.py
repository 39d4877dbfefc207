"""The end-of-run report: a table (env × trial) and the JSON document ``--json`` writes."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from agent.running.trials import EnvResult
from memory.records import RunStatus


def results_json(results: list[EnvResult], run_id: int) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "runs": [
            {
                "env": result.env,
                "trials": [
                    {
                        "trial": number,
                        "score": outcome.score,
                        "won": outcome.won,
                        "steps": outcome.steps,
                        "seconds": outcome.seconds,
                        "status": outcome.status,
                        **({"error": outcome.error} if outcome.error else {}),
                    }
                    for number, outcome in enumerate(result.outcomes, 1)
                ],
            }
            for result in results
        ],
    }


def results_table(results: list[EnvResult], run_id: int) -> Table:
    table = Table(title=f"run {run_id}", title_justify="left")
    table.add_column("env")
    for column in ("trial", "score", "won", "steps", "seconds"):
        table.add_column(column, justify="right")
    for result in results:
        for number, outcome in enumerate(result.outcomes, 1):
            won = (
                "failed" if outcome.status == RunStatus.FAILED else ("yes" if outcome.won else "no")
            )
            table.add_row(
                result.env,
                str(number),
                f"{outcome.score:.1f}",
                won,
                str(outcome.steps),
                f"{outcome.seconds:.1f}",
            )
    outcomes = [o for r in results for o in r.outcomes]
    if len(outcomes) > 1:
        mean = sum(o.score for o in outcomes) / len(outcomes)
        wins = sum(o.won for o in outcomes)
        table.add_section()
        table.add_row("mean", "", f"{mean:.1f}", f"{wins}/{len(outcomes)}", "", "")
    return table
