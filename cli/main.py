"""The ``cairn`` command: an agent that learns across trials on text environments.

Errors of use (a bad spec, an unusable home, an unreachable model) print one line and exit 1;
set CAIRN_DEBUG=1 to see the traceback instead.
"""

from __future__ import annotations

import sys

import click
import typer

from agent.errors import AgentError
from cli import envs, logs, run
from cli.common import console, debug
from memory.errors import MemoryLayerError

app = typer.Typer(
    name="cairn",
    help=__doc__,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("run")(run.run)
app.command("envs")(envs.envs)
app.add_typer(logs.app, name="logs")


def main() -> None:
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int):  # click returns, rather than raises, Exit codes here
            sys.exit(code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as error:
        sys.exit(error.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        console.print("interrupted")
        sys.exit(130)
    except (AgentError, MemoryLayerError) as error:
        if debug():
            raise
        console.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        sys.exit(1)
