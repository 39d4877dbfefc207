"""cairn: an agent for text environments (ScienceWorld, TextWorld) that learns across trials.

Start with `cairn envs` (what can be played), then `cairn run SPEC --trials 3`, then
`cairn logs runs`. See HELP below for --home, --json and exit codes.
"""

from __future__ import annotations

import inspect
import sys
from typing import NoReturn, cast

import click
import typer

from cli import (
    bench,
    envs,
    graph,
    logs,
    mcp_server,
    memory,
    memory_admin,
    memory_archive,
    memory_demo,
    memory_edit,
    memory_kinds,
    memory_places,
    memory_procedure,
    run,
    serve,
    share,
)
from cli.common import console, debug, error_line
from cli.stopping import interruption, stop_like_ctrl_c
from memory.errors import CairnError, refused_write

HELP = (
    "cairn: an agent for text environments (ScienceWorld, TextWorld) that learns across "
    "trials.\n\n"
    "Start with `cairn envs` (what can be played), then `cairn run SPEC --trials 3`, then "
    "`cairn logs runs`.\n\n"
    "Commands that use a home take --home DIR (or CAIRN_HOME, default ~/.cairn): those that "
    "write (run, import, memory add...) create it, those that only read (logs, memory list, "
    "graph, export...) fail if it is not there. Every command that reports takes --json "
    "(run and bench: --json PATH, '-' for stdout).\n\n"
    "Errors print one line starting with 'error:' on stderr: exit 2 for a command line that "
    "cannot be parsed, 1 for anything else; CAIRN_DEBUG=1 shows the traceback."
)
app = typer.Typer(
    name="cairn",
    help=HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("run")(run.run)
app.command("envs")(envs.envs)
app.command("bench")(bench.bench)
app.command("export")(share.export)
app.command("import")(share.import_)
app.command("mcp")(mcp_server.mcp)
app.command("serve")(serve.serve)
app.add_typer(logs.app, name="logs")
for command in (
    *memory_edit.COMMANDS,
    *memory_admin.COMMANDS,
    *memory_archive.COMMANDS,
    *memory_demo.COMMANDS,
    *memory_kinds.COMMANDS,
    *memory_places.COMMANDS,
    *memory_procedure.COMMANDS,
):
    memory.app.command()(command)
app.add_typer(memory.app, name="memory")
app.add_typer(graph.app, name="graph")


def unwrapped(text: str) -> str:
    """A docstring's paragraphs as single lines. Typer's rich mode keeps a docstring's line
    breaks, so text wrapped for the source would break mid-sentence in a terminal of another
    width; indented lines (examples, lists) keep theirs."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(
        paragraph
        if any(line.startswith((" ", "-")) for line in paragraph.splitlines())
        else " ".join(paragraph.split("\n"))
        for paragraph in paragraphs
    )


def unwrap_help(typer_app: typer.Typer) -> None:
    for command in typer_app.registered_commands:
        text = command.help or (command.callback.__doc__ if command.callback else None)
        if text:
            command.help = unwrapped(text)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            unwrap_help(group.typer_instance)


unwrap_help(app)


def main(argv: list[str] | None = None) -> None:
    """The ``cairn`` command: ``argv`` defaults to the process's arguments. How it ends is
    decided by the exception's class, never its text: a command line click cannot take
    exits 2, a ``CairnError`` (every error raised on purpose, ``memory.errors``) exits 1,
    Ctrl-C or a signal 128 + its number; anything else is a bug and keeps its traceback."""
    stop_like_ctrl_c()
    try:
        code = app(args=argv, standalone_mode=False)
        if code == INTERRUPTED:  # Typer turns a KeyboardInterrupt into this code
            interrupted()
        if isinstance(code, int):  # click returns, rather than raises, Exit codes here
            sys.exit(code)
    except (click.ClickException, typer.TyperException) as error:
        usage_failed(error)
    except click.exceptions.Exit as error:
        sys.exit(error.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        interrupted()
    except CairnError as error:
        fail_with(error)
    except OSError as error:
        # A write outside the home's own writers (the model or game cache, say) that the
        # disk refused: classified by its errno, as the home's writes are.
        refused = refused_write(error, str(error.filename or "a file"))
        if refused is None:
            raise
        fail_with(refused)


INTERRUPTED = 130


def interrupted() -> NoReturn:
    """Ctrl-C, SIGTERM or SIGHUP ended the command (its records were closed on the way out):
    say so, and exit 130, 143 or 129 (``cli.stopping``)."""
    message, code = interruption()
    console.print(message)
    sys.exit(code)


def usage_failed(error: Exception) -> NoReturn:
    """A command line click could not take: one line, and where to read how it goes. (Typer
    bundles its own click, whose errors are not ``click``'s: both kinds come here.)"""
    exit_code = int(getattr(error, "exit_code", 2))
    if type(error).__name__ == "NoArgsIsHelpError":  # a bare group: its help is the answer
        cast(click.ClickException, error).show()  # the same method in both kinds
        sys.exit(exit_code)
    context = getattr(error, "ctx", None)
    hint = f"; see `{context.command_path} --help`" if context is not None else ""
    message = getattr(error, "format_message", lambda: str(error))().rstrip(".")
    error_line(f"{message}{hint}")
    sys.exit(exit_code)


def fail_with(error: CairnError) -> NoReturn:
    """One line, exit 1 (the traceback too with CAIRN_DEBUG=1)."""
    if debug():
        raise error
    error_line(error)
    sys.exit(1)
