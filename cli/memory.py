"""``cairn memory``: see what the agent believes and why (edits live in ``memory_edit``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from agent.learning.carried import TaskRoles
from cli.build import open_memory
from cli.common import (
    DEFAULT_HOME,
    ExistingHomeOption,
    JsonFlag,
    existing_home,
    existing_store,
    fail,
    out,
    print_json,
    within_row_max,
)
from memory.insights import Op
from memory.knowledge import Insight, Origin, Relation, Scope, Status, claim
from memory.store import Store

app = typer.Typer(
    help="What the agent learned: list, show, search and edit insights; see history and diffs; "
    "teach by demonstration.",
    no_args_is_help=True,
)


class StatusFilter(StrEnum):
    """`memory list --status`: one status, or all of them."""

    ACTIVE = Status.ACTIVE.value
    SUPERSEDED = Status.SUPERSEDED.value
    FORGOTTEN = Status.FORGOTTEN.value
    ALL = "all"


class SortOrder(StrEnum):
    CONFIDENCE = "confidence"
    SUPPORT = "support"
    RECENT = "recent"
    ID = "id"


def insight_json(insight: Insight) -> dict[str, Any]:
    return {
        "id": insight.id,
        "text": insight.text,
        "subject": insight.subject,
        "relation": insight.relation.value,
        "goal": insight.goal,
        "scope": insight.where.scope.value,
        "where": str(insight.where),
        "support": insight.support,
        "refute": insight.refute,
        "confidence": round(insight.confidence, 4),
        "status": insight.status.value,
        "origin": insight.origin,
        "pinned": insight.pinned,
        "edited_by": insight.edited_by,
        "superseded_by": insight.superseded_by,
    }


def insights_table(insights: list[Insight], title: str) -> Table:
    table = Table(
        "id", "insight", "scope", "conf", "+", "-", "flags", title=title, title_justify="left"
    )
    for i in insights:
        flags = " ".join(
            f
            for f in (
                "pinned" if i.pinned else "",
                "edited" if i.edited_by else "",
                "" if i.status is Status.ACTIVE else i.status.value,
            )
            if f
        )
        table.add_row(
            str(i.id),
            i.text,
            str(i.where),
            f"{i.confidence:.2f}",
            f"{i.support:g}",
            f"{i.refute:g}",
            flags,
        )
    return table


def require(store: Store, insight_id: int) -> Insight:
    found = store.insights.get(insight_id)
    if found is None:
        fail(f"no insight {insight_id}: list them with `cairn memory list`")
    return found


@app.command("list")
def list_(
    home: ExistingHomeOption = DEFAULT_HOME,
    scope: Annotated[Scope | None, typer.Option(help="Only this scope.")] = None,
    env_name: Annotated[
        str | None, typer.Option("--env", help="Only this environment, e.g. scienceworld.")
    ] = None,
    task: Annotated[str | None, typer.Option(help="Only this task, e.g. boil.")] = None,
    relation: Annotated[
        Relation | None,
        typer.Option(case_sensitive=False, help="Only this relation, e.g. 'SHOULD BE AVOIDED'."),
    ] = None,
    min_confidence: Annotated[
        float, typer.Option(min=0, max=1, help="Hide less confident ones.")
    ] = 0.0,
    status: Annotated[StatusFilter, typer.Option(help="Only this status.")] = StatusFilter.ACTIVE,
    sort: Annotated[SortOrder, typer.Option(help="Order.")] = SortOrder.CONFIDENCE,
    limit: Annotated[
        int, typer.Option(min=1, callback=within_row_max, help="Show at most this many.")
    ] = 50,
    json_output: JsonFlag = False,
) -> None:
    """List insights, most confident first (filters combine)."""
    found = existing_store(home).insights.select(
        status=None if status is StatusFilter.ALL else Status(status.value),
        scope=scope,
        env_name=env_name,
        task=task,
        relation=relation,
        min_confidence=min_confidence,
        sort=sort.value,
        limit=limit,
    )
    if json_output:
        print_json([insight_json(i) for i in found])
        return
    out.print(insights_table(found, f"{len(found)} insights"))


@app.command()
def show(
    insight_id: Annotated[
        int,
        typer.Argument(callback=within_row_max, help="An insight id (see `cairn memory list`)."),
    ],
    home: ExistingHomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """One insight: its evidence, the trials and steps behind it, and its history."""
    store = existing_store(home)
    insight = require(store, insight_id)
    evidence = store.insights.evidence(insight_id)
    for row in evidence:
        trial = store.trial(row["trial_id"]) if row["trial_id"] else None
        row["env"] = trial["env"] if trial else None
        taken = {s["idx"]: s["action"] for s in store.steps(row["trial_id"])} if trial else {}
        row["actions"] = [taken.get(i) for i in row["steps"]]
    history = store.insights.operations(insight_id)
    note = forgotten_note(insight, history)
    form = role_form(store, insight)
    if json_output:
        print_json(
            {
                "insight": insight_json(insight),
                "role_form": dict(zip(("subject", "goal"), form, strict=True)) if form else None,
                "evidence": evidence,
                "history": history,
                "note": note,
            }
        )
        return
    out.print(insights_table([insight], f"insight {insight_id}"))
    if form:
        out.print(
            f"in the task's roles: {claim(form[0], insight.relation, form[1])}", highlight=False
        )
    if note:
        out.print(note, highlight=False)
    table = Table(
        "kind", "weight", "trial", "env", "steps", "why", title="evidence", title_justify="left"
    )
    for row in evidence:
        steps = ", ".join(
            f"{i}: {a}" if a else str(i) for i, a in zip(row["steps"], row["actions"], strict=True)
        )
        why = row["reason"] or row["origin"]
        table.add_row(
            row["kind"],
            f"{row['weight']:g}",
            str(row["trial_id"] or ""),
            row["env"] or "",
            steps,
            why,
        )
    out.print(table)
    out.print(history_table(history, "history"))


def role_form(store: Store, insight: Insight) -> tuple[str, str] | None:
    """A variation's insight in its task's roles (``agent.learning.carried``), if it names
    something the task's variations change."""
    where = insight.where
    if where.env is None or where.task is None:
        return None
    return TaskRoles.of(store, where.env, where.task).role_form(insight)


def forgotten_note(insight: Insight, history: list[dict[str, Any]]) -> str | None:
    """What forgetting means for this insight, if it is forgotten."""
    if insight.status is not Status.FORGOTTEN:
        return None
    forgets = [op for op in history if op["op"] == Op.FORGET]
    who, when = (forgets[-1]["actor"], forgets[-1]["at"][:10]) if forgets else (Origin.PERSON, "?")
    return (
        f"forgotten by {'a person' if who == Origin.PERSON else who} on {when}: new evidence is "
        f"recorded but not used until `cairn memory restore {insight.id}`"
    )


def history_table(operations: list[dict[str, Any]], title: str) -> Table:
    table = Table(
        "op", "insight", "by", "trial", "when", "details", title=title, title_justify="left"
    )
    for op in operations:
        details = op["details"]
        summary = details.get("text") or details.get("line") or ""
        extra = [
            f"{key}: {readable(details[key])}"
            for key in ("reason", "before", "after", "successor")
            if details.get(key) not in (None, "", {}, [])
        ]
        table.add_row(
            op["op"],
            str(op["insight_id"] or ""),
            op["actor"],
            str(op["trial_id"] or ""),
            op["at"][:19],
            "; ".join([summary, *extra] if summary else extra),
        )
    return table


def readable(value: Any) -> str:
    """A logged value as a person reads it: ``relation=MAY BE NECESSARY, support=3``, not a
    Python dict."""
    if isinstance(value, dict):
        return ", ".join(f"{k}={readable(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(readable(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="What to look for, in any words.")],
    home: ExistingHomeOption = DEFAULT_HOME,
    limit: Annotated[int, typer.Option(min=1, callback=within_row_max)] = 10,
    json_output: JsonFlag = False,
) -> None:
    """Search insights by meaning (MiniLM + Chroma) and by words (SQLite full text)."""
    store = existing_store(home)
    by_words = store.insights.search_text(text, limit)
    by_meaning = open_memory(existing_home(home), store).similar_insights(text, limit)
    if json_output:
        print_json(
            {
                "semantic": [insight_json(i) for i in by_meaning],
                "full_text": [insight_json(i) for i in by_words],
            }
        )
        return
    out.print(insights_table(by_meaning, "by meaning"))
    out.print(insights_table(by_words, "by words"))


@app.command()
def history(
    insight_id: Annotated[
        int | None,
        typer.Argument(callback=within_row_max, help="One insight's history; all if omitted."),
    ] = None,
    home: ExistingHomeOption = DEFAULT_HOME,
    limit: Annotated[
        int, typer.Option(min=1, callback=within_row_max, help="The most recent operations only.")
    ] = 50,
    json_output: JsonFlag = False,
) -> None:
    """The operation log: every add, support, refute, supersede, promotion and edit."""
    operations = existing_store(home).insights.operations(insight_id, last=limit)
    if json_output:
        print_json(operations)
        return
    out.print(history_table(operations, "operations"))


@app.command()
def diff(
    run_a: Annotated[
        int,
        typer.Argument(callback=within_row_max, help="The earlier run (see `cairn logs runs`)."),
    ],
    run_b: Annotated[int, typer.Argument(callback=within_row_max, help="The later run.")],
    home: ExistingHomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """What the runs after RUN_A up to RUN_B changed in memory, insight by insight."""
    if run_b <= run_a:
        fail("RUN_B must be later than RUN_A: e.g. `cairn memory diff 1 3`")
    store = existing_store(home)
    changes: dict[int, dict[str, Any]] = {}
    for op in store.insights.operations_between_runs(run_a, run_b):
        key = op["insight_id"] or 0
        entry = changes.setdefault(key, {"insight": key, "ops": {}, "support": 0.0, "refute": 0.0})
        entry["ops"][op["op"]] = entry["ops"].get(op["op"], 0) + 1
        weight = float(op["details"].get("weight") or 0)
        if op["op"] in (Op.ADD, Op.SUPPORT):
            entry["support"] += weight
        elif op["op"] == Op.REFUTE:
            entry["refute"] += weight
    rows = sorted(changes.values(), key=lambda e: e["insight"])
    for row in rows:
        found = store.insights.get(row["insight"]) if row["insight"] else None
        row["text"] = found.text if found else "(no insight: a dropped model line)"
    if json_output:
        print_json(rows)
        return
    table = Table(
        "insight",
        "text",
        "operations",
        "+support",
        "+refute",
        title=f"memory changes, runs {run_a} -> {run_b}",
        title_justify="left",
    )
    for row in rows:
        ops = ", ".join(f"{k}×{v}" for k, v in row["ops"].items())
        table.add_row(
            str(row["insight"] or ""), row["text"], ops, f"{row['support']:g}", f"{row['refute']:g}"
        )
    out.print(table)


@app.command()
def stats(home: ExistingHomeOption = DEFAULT_HOME, json_output: JsonFlag = False) -> None:
    """Counts of insights (by status and scope), exemplars and operations."""
    store = existing_store(home)
    insights = store.insights
    by_scope = {scope.value: n for scope, n in insights.count_active_by_scope().items()}
    counts = {status.value: insights.count(status) for status in Status}
    exemplars, operations = store.exemplars.count(), insights.count_operations()
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
    for status_name, count in counts.items():
        table.add_row(f"insights {status_name}", str(count))
    for scope_name, count in by_scope.items():
        table.add_row(f"  active, {scope_name} scope", str(count))
    table.add_row("exemplars", str(exemplars))
    table.add_row("operations logged", str(operations))
    out.print(table)
