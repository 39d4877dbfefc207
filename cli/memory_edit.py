"""``cairn memory add|edit|pin|unpin|forget|restore``: a person's hand on the insights.

Every change is marked as a person's and logged; forgetting hides, never destroys. After a
change the vector index entry and the knowledge graph are brought up to date.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent.environments import validate_names
from agent.environments.registry import variation_named
from agent.learning.learner import GRAPH_FILE, rebuild_graph
from cli.build import open_memory
from cli.common import (
    DEFAULT_HOME,
    HomeOption,
    JsonFlag,
    fail,
    out,
    print_json,
    within_row_max,
    writable_store,
)
from cli.memory import insight_json, insights_table, require
from memory.insights import Op
from memory.knowledge import InsightUpdate, Relation, Scope, Where
from memory.memory import Memory
from memory.store import Store
from reflection.grammar import Rejected, parse_insight

IdArgument = Annotated[
    int, typer.Argument(callback=within_row_max, help="An insight id (see `cairn memory list`).")
]


def open_for_edit(home: Path) -> tuple[Store, Memory]:
    """The store and memory, index opened first: it takes the home's writer lock, so a busy
    home refuses before anything is written."""
    store = writable_store(home)
    return store, open_memory(home.expanduser(), store)


def report(home: Path, memory: Memory, insight_id: int, json_output: bool, what: str) -> None:
    """Bring the index and graph up to date with the change, and show the insight."""
    memory.reindex({insight_id})
    rebuild_graph(memory, home.expanduser() / GRAPH_FILE)
    insight = require(memory.store, insight_id)
    if json_output:
        print_json(insight_json(insight))
    else:
        out.print(insights_table([insight], what))


def add(
    claim: Annotated[
        str,
        typer.Argument(
            help='"SUBJECT RELATION to GOAL", '
            'e.g. "open cupboard SHOULD BE NECESSARY to boil water".'
        ),
    ],
    scope: Annotated[Scope, typer.Option(help="Where it holds.")] = Scope.GLOBAL,
    env_name: Annotated[
        str | None, typer.Option("--env", help="Environment (scopes below global).")
    ] = None,
    task: Annotated[
        str | None,
        typer.Option(
            help="Task (task and variation scope): one `cairn envs` lists, or a game file."
        ),
    ] = None,
    variation: Annotated[
        str | None,
        typer.Option(
            help="Variation (variation scope): its number and the options that make it another "
            "game, as in a spec: 3, or 3,level=2."
        ),
    ] = None,
    support: Annotated[float, typer.Option(min=0, help="How much evidence it starts with.")] = 1.0,
    home: HomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """Add an insight by hand (marked as a person's), in the grammar the agent uses."""
    parsed = parse_insight(claim)
    if isinstance(parsed, Rejected):
        fail(f'cannot read {claim!r}: {parsed.reason}; write "SUBJECT RELATION to GOAL"')
    needs = {
        Scope.VARIATION: ("env", "task", "variation"),
        Scope.TASK: ("env", "task"),
        Scope.ENVIRONMENT: ("env",),
        Scope.GLOBAL: (),
    }[scope]
    if env_name is not None:
        validate_names(env_name, task)  # what `cairn run` would not know is refused, as there
    given = {"env": env_name, "task": task, "variation": variation}
    missing = [name for name in needs if given[name] is None]
    if missing:
        fail(f"--scope {scope.value} needs --{' --'.join(missing)}")
    if scope is Scope.VARIATION:
        assert env_name is not None and task is not None and variation is not None
        given["variation"] = variation_named(env_name, task, variation)
    where = Where(scope, *(given[n] if n in needs else None for n in ("env", "task", "variation")))
    store, memory = open_for_edit(home)
    update = InsightUpdate(
        parsed.subject, parsed.relation, parsed.goal, where, support, reason="added by a person"
    )
    ops = store.edits.add(update)  # EditRefused (a forgotten claim): one error line
    insight_id = next(op.insight_id for op in ops if op.insight_id is not None)
    report(home, memory, insight_id, json_output, f"{ops[0].op}: insight {insight_id}")


def edit(
    insight_id: IdArgument,
    subject: Annotated[str | None, typer.Option(help="New subject.")] = None,
    relation: Annotated[
        str | None, typer.Option(help="New relation, e.g. 'MAY BE NECESSARY'.")
    ] = None,
    goal: Annotated[str | None, typer.Option(help="New goal.")] = None,
    support: Annotated[
        float | None, typer.Option(min=0, help="Set the supporting evidence.")
    ] = None,
    refute: Annotated[float | None, typer.Option(min=0, help="Set the refuting evidence.")] = None,
    home: HomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """Correct an insight by hand; the change is marked as a person's and logged."""
    changes: dict[str, object] = {
        k: v
        for k, v in (("subject", subject), ("goal", goal), ("support", support), ("refute", refute))
        if v is not None
    }
    if relation is not None:
        try:
            changes["relation"] = Relation(relation.upper())
        except ValueError:
            fail(f"unknown relation {relation!r}: use one of {', '.join(Relation)}")
    if not changes:
        fail("nothing to change: give --subject, --relation, --goal, --support or --refute")
    store, memory = open_for_edit(home)
    require(store, insight_id)
    store.edits.edit(insight_id, **changes)
    report(home, memory, insight_id, json_output, f"edited insight {insight_id}")


def _toggle(home: Path, insight_id: int, json_output: bool, action: Op) -> None:
    store, memory = open_for_edit(home)
    require(store, insight_id)
    edits = store.edits
    {  # EditRefused (forgetting twice, restoring onto a clash): one error line
        Op.PIN: lambda: edits.set_pinned(insight_id, True),
        Op.UNPIN: lambda: edits.set_pinned(insight_id, False),
        Op.FORGET: lambda: edits.forget(insight_id),
        Op.RESTORE: lambda: edits.restore(insight_id),
    }[action]()
    report(home, memory, insight_id, json_output, f"{action}: insight {insight_id}")


def pin(
    insight_id: IdArgument, home: HomeOption = DEFAULT_HOME, json_output: JsonFlag = False
) -> None:
    """Pin an insight: evidence never supersedes it automatically."""
    _toggle(home, insight_id, json_output, Op.PIN)


def unpin(
    insight_id: IdArgument, home: HomeOption = DEFAULT_HOME, json_output: JsonFlag = False
) -> None:
    """Let evidence supersede the insight again."""
    _toggle(home, insight_id, json_output, Op.UNPIN)


def forget(
    insight_id: IdArgument, home: HomeOption = DEFAULT_HOME, json_output: JsonFlag = False
) -> None:
    """Hide an insight from the agent, for good: evidence for it from later trials is
    recorded but not used. Nothing is destroyed: `cairn memory restore ID`."""
    _toggle(home, insight_id, json_output, Op.FORGET)


def restore(
    insight_id: IdArgument, home: HomeOption = DEFAULT_HOME, json_output: JsonFlag = False
) -> None:
    """Bring back a forgotten insight (to the status it had)."""
    _toggle(home, insight_id, json_output, Op.RESTORE)


COMMANDS = (add, edit, pin, unpin, forget, restore)  # registered on `cairn memory` by cli.main
