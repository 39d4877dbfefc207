"""``cairn memory demo``: teach by demonstration, the oracle paths of environments."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from agent.environments import Environments, parse
from agent.learning.demonstrations import demonstrate
from agent.running.config import ReflectorName, RunConfig
from cli.build import build_learning, cache_dir
from cli.common import DEFAULT_HOME, HomeOption, JsonFlag, out, print_json, writable_store


def demo(
    envs: Annotated[
        list[str],
        typer.Argument(help="Specs whose oracle path to learn, e.g. scienceworld:boil@train:0."),
    ],
    home: HomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """Learn from demonstrations: oracle paths remembered as exemplars.

    Plays each environment's own oracle path (ScienceWorld's gold path, TextWorld's
    walkthrough) and remembers it as an exemplar marked "demonstration", with the insights
    it teaches. Test-split variations and TextWorld and TextCraft seeds >= 10000 are refused:
    they are kept for evaluation.
    """
    specs = [parse(text) for text in envs]
    store = writable_store(home)
    config = RunConfig(home=home, reflector=ReflectorName.evidence)  # no model reflects on a path
    learner = build_learning(config, store).memory_learner
    rows: list[dict[str, object]] = []
    with Environments(cache_dir() / "games") as environments:
        for spec in specs:
            exemplar = demonstrate(environments.open(spec), learner)
            rows.append(
                {
                    "env": str(spec),
                    "exemplar": exemplar.id,
                    "steps": len(exemplar.steps),
                    "score": exemplar.score,
                }
            )
    learner.finish()
    if json_output:
        print_json(rows)
        return
    table = Table("env", "exemplar", "steps", "score", title="demonstrations learned")
    for row in rows:
        table.add_row(*(str(row[k]) for k in ("env", "exemplar", "steps", "score")))
    out.print(table)


COMMANDS = (demo,)
