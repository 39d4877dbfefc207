"""``cairn export`` and ``cairn import``: hand what was learned to another home or agent."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from agent import __version__
from agent.learning.carried import TaskRoles
from agent.learning.kinds import home_kinds
from agent.learning.learner import GRAPH_FILE, load_graph, rebuild_graph
from agent.learning.tasks import home_tasks
from cli.build import open_memory
from cli.common import (
    DEFAULT_HOME,
    ExistingHomeOption,
    ForceFlag,
    HomeOption,
    JsonFlag,
    existing_home,
    existing_store,
    fail,
    out,
    output_file,
    print_json,
    writable_store,
)
from memory.bundle import Filters, export_bundle, read_bundle
from memory.bundle_import import import_bundle
from memory.files import write_atomically
from memory.knowledge import Insight, Scope
from memory.playbook import playbook
from memory.store import Store


def tasks_section(store: Store, filters: Filters) -> list[str]:
    """The playbook's tasks, one Markdown section each: what carries to a new variation
    (``agent.learning.tasks``: the description in roles, the procedure, what the variations
    agree on, where things were found) and the task's kinds (``agent.learning.kinds``)."""
    kinds: dict[tuple[str, str], list[str]] = {}
    for found in home_kinds(store, filters.env, filters.task):
        heading = f'Kinds for "{found.goal}" ({len(found.kinds.games)} variations)'
        if found.kinds.any_member:
            heading += ": any thing of the kind will do"
        body = "".join(f"- {line}\n" for line in found.kinds.lines())
        kinds.setdefault((found.env, found.task), []).append(f"{heading}:\n\n{body}\n")
    sections = [
        knowledge.markdown() + "".join(kinds.get((knowledge.env, knowledge.task), []))
        for knowledge in home_tasks(store, filters.env, filters.task)
    ]
    if sections:
        sections[0] = TASKS_HEADING + sections[0]
    return [f"\n{section.rstrip()}\n" for section in sections]


TASKS_HEADING = (
    "## What carries to a new variation, task by task\n\n"
    "Each task's description with what its variations change numbered ({1}, {2}, ...): "
    "write the steps and insights below with the new variation's words in their place. "
    "Kinds say how often the irreversible action on each thing (ScienceWorld's `focus on`) "
    "raised the score (right) or lost the game (wrong).\n\n"
)


def role_form(roles: dict[tuple[str, str], TaskRoles], insight: Insight) -> tuple[str, str] | None:
    """An insight in its task's roles, if the task is among ``roles``."""
    found = roles.get((insight.where.env or "", insight.where.task or ""))
    return found.role_form(insight) if found is not None else None


class ExportFormat(StrEnum):
    BUNDLE = "bundle"  # for `cairn import`
    MARKDOWN = "markdown"  # a playbook


SUFFIXES = {".zip": ExportFormat.BUNDLE, ".md": ExportFormat.MARKDOWN}


def format_of(path: Path) -> ExportFormat | None:
    """The format a file name asks for (``boil.cairn.zip``, ``playbook.md``), if it says."""
    suffix = path.suffix.lower()
    return ExportFormat.MARKDOWN if suffix == ".markdown" else SUFFIXES.get(suffix)


def export(
    path: Annotated[
        Path, typer.Argument(help="File to write, e.g. boil.cairn.zip or playbook.md.")
    ],
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            help="bundle (for `cairn import`) or markdown (a playbook). Default: from the file "
            "name (.zip, .md).",
            show_default=False,
        ),
    ] = None,
    scope: Annotated[Scope | None, typer.Option(help="Only insights of this scope.")] = None,
    env_name: Annotated[str | None, typer.Option("--env", help="Only this environment.")] = None,
    task: Annotated[str | None, typer.Option(help="Only this task.")] = None,
    force: ForceFlag = False,
    home: ExistingHomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """Export what was learned: a versioned bundle another home can import, or a Markdown
    playbook any LLM agent can take as its system prompt."""
    home = existing_home(home)
    fmt = fmt or format_of(path)
    if fmt is None:
        fail(
            f"cannot tell the format of {path} from its name: pass --format bundle or "
            "--format markdown, or name it e.g. boil.cairn.zip or playbook.md"
        )
    target = output_file(path, force=force)
    store = existing_store(home)
    filters = Filters(scope, env_name, task)
    if fmt is ExportFormat.MARKDOWN:
        chosen = [i for i in store.insights.active() if filters.admits(i)]
        tasks = tasks_section(store, filters)
        try:
            write_atomically(target, playbook(chosen) + "".join(tasks))
        except OSError as error:
            fail(f"cannot write {path}: {error.strerror}")
        counts = {"insights": len(chosen), "tasks": len(tasks)}
    else:
        memory = open_memory(home, store)
        graph = load_graph(memory, home / GRAPH_FILE)
        known = home_tasks(store, filters.env, filters.task)
        roles = {(t.env, t.task): t.roles for t in known}
        counts = export_bundle(
            store,
            target,
            filters=filters,
            cairn_version=__version__,
            embedding_model=memory.index.embedder.name if memory.index else "none",
            graph=graph.node_link(),
            role_form=lambda insight: role_form(roles, insight),
            tasks=[
                {
                    **t.facts(),
                    "kinds_said": store.person_kinds.of_task(t.env, t.task),
                    "places_said": store.person_places.of_task(t.env, t.task),
                }
                for t in known
            ],
        )
    if json_output:
        print_json({"path": str(target), "format": fmt.value, "counts": counts})
    else:
        out.print(f"wrote {target}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


def import_(
    path: Annotated[Path, typer.Argument(help="A bundle written by `cairn export`.")],
    home: HomeOption = DEFAULT_HOME,
    json_output: JsonFlag = False,
) -> None:
    """Import a bundle: checked whole first, merged in one transaction, re-embedded here.

    The same claims add up their evidence; evidence and exemplars this home has already (from
    any bundle, or its own) are not counted again. Provenance says "imported from" the
    bundle. A bad bundle changes nothing and says why. Bundle content is data: nothing in it
    is run, and no file outside it is read.
    """
    bundle = read_bundle(path.expanduser())
    store = writable_store(home)
    memory = open_memory(home.expanduser(), store)  # takes the writer lock before writing
    report = import_bundle(store, bundle)
    memory.reindex(set(report.insight_ids))
    if memory.index is not None:
        memory.index.add_exemplars(store.exemplars.by_ids(report.exemplar_ids))
    rebuild_graph(memory, home.expanduser() / GRAPH_FILE)
    summary = {
        "bundle": bundle.name,
        "insights": len(set(report.insight_ids)),
        "exemplars": len(report.exemplar_ids),
        "new": report.new,
        "already_here": report.already_here,
        "from_cairn": bundle.manifest.cairn_version,
        "from_home": bundle.manifest.home_id,
        "format_version": bundle.manifest.format_version,
    }
    if json_output:
        print_json(summary)
        return
    table = Table("records", "new", "already here", title=f"imported {bundle.name}")
    for what in report.new:
        table.add_row(what, str(report.new[what]), str(report.already_here[what]))
    out.print(table)
    if bundle.manifest.format_version < 2:
        out.print("a format-1 bundle names no evidence: what it holds was all counted as new")
