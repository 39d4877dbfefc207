"""What every command shares: the home options, opening the store, output files, JSON output,
one-line errors."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from agent import __version__
from agent.environments import validate_names
from cli.stopping import interruption
from memory.files import write_atomically
from memory.records import RunStatus
from memory.store import DATABASE_NAME, Store

DEFAULT_HOME = Path("~/.cairn")
ROW_MAX = 2**63 - 1  # the largest id or count SQLite can take

# Reports (tables, JSON) go to stdout; progress bars and errors to stderr. Piped output (CI
# logs, files) gets 120 columns rather than rich's 80, so result tables are not truncated.
_WIDTH = None if os.environ.get("COLUMNS") else 120
console = Console(stderr=True, width=None if sys.stderr.isatty() else _WIDTH)
out = Console(width=None if sys.stdout.isatty() else _WIDTH)

HomeOption = Annotated[
    Path,
    typer.Option(
        "--home",
        envvar="CAIRN_HOME",
        help="Folder holding cairn's database and memory. Created if missing.",
        show_default=True,
    ),
]
# Commands that only read a home must not create one: a mistyped --home would show an empty
# table instead of saying that nothing is there.
ExistingHomeOption = Annotated[
    Path,
    typer.Option(
        "--home",
        envvar="CAIRN_HOME",
        help="Folder holding cairn's database and memory (made by `cairn run`).",
        show_default=True,
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
ForceFlag = Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")]
TaskArgument = Annotated[
    str,
    typer.Argument(
        help="ENV:TASK, e.g. scienceworld:test-conductivity (a variation, if given, is "
        "ignored: this is what all of them share).",
        show_default=False,
    ),
]
MemoryUrlOption = Annotated[
    str | None,
    typer.Option(
        "--memory-url",
        envvar="CAIRN_MEMORY_URL",
        help="Keep the vector index on this Chroma server (http://HOST:PORT, see `cairn serve`) "
        "so several processes can share the home; remembered by the home. 'embedded': back "
        "to the index inside the home (one process at a time).",
    ),
]


def env_task(text: str) -> tuple[str, str]:
    """A ``TaskArgument`` as (environment, task), both known; else one line saying so."""
    env_name, _, rest = text.partition(":")
    name = rest.split("@")[0].split(",")[0]
    if not env_name or not name:
        fail(f"{text!r} is not ENV:TASK: write e.g. scienceworld:test-conductivity")
    validate_names(env_name, name)
    return env_name, name


def writable_store(home: Path) -> Store:
    """The home's store, the home created if missing: for commands that write."""
    return Store.in_home(home)


@contextlib.contextmanager
def recorded_run(store: Store, command: str, config: dict[str, Any]) -> Iterator[int]:
    """A run's record, closed however the block ends: done, interrupted (Ctrl-C, SIGTERM:
    ``cli.stopping``) or failed, with why it did not finish."""
    run_id = store.start_run(command, config, __version__)
    status, error = RunStatus.FAILED, None
    try:
        yield run_id
        status = RunStatus.DONE
    except KeyboardInterrupt:
        status, error = RunStatus.INTERRUPTED, interruption()[0]
        raise
    except BaseException as failure:  # an error line's text, or what a bug raised
        error = str(failure) or type(failure).__name__
        raise
    finally:
        store.finish_run(run_id, status, error)


def existing_home(home: Path) -> Path:
    """The home, which must hold a database already: for commands that only read."""
    folder = home.expanduser()
    if folder.exists() and not folder.is_dir():
        fail(f"cairn home {folder} is a file, not a directory: pass --home DIR")
    if not (folder / DATABASE_NAME).is_file():
        fail(f"no cairn home at {folder}: run `cairn run` first or pass --home DIR")
    return folder


def existing_store(home: Path, *, any_thread: bool = False) -> Store:
    """The store of a home that must exist already (see ``existing_home``)."""
    return Store.in_home(existing_home(home), any_thread=any_thread)


def within_row_max(value: int | None) -> int | None:
    """Option callback: ids and counts SQLite can store. (A ``max=`` would print the whole
    range, up to 9223372036854775807, in every --help.)"""
    if value is not None and value > ROW_MAX:
        raise typer.BadParameter(
            f"{value} is too large: it must be less than or equal to {ROW_MAX}"
        )
    return value


def output_file(path: Path, *, force: bool = False) -> Path:
    """Where a command is to write a file: not a folder (nor the empty name, which is "."),
    and not a file that exists unless ``force``."""
    target = path.expanduser()
    if target.is_dir() or not target.name:
        fail(f"{str(path) or 'an empty name'} is a folder: give a file name, e.g. out.json")
    if target.exists() and not force:
        fail(f"{path} exists: pass --force to overwrite it, or choose another file name")
    return target


def debug() -> bool:
    return os.environ.get("CAIRN_DEBUG", "") not in ("", "0")


def error_line(message: object) -> None:
    """Print ``error: message`` on stderr. The message is text, not rich markup: a spec's
    ``[@VARIATION]`` or a suite's ``[textworld]`` would otherwise vanish as a style tag."""
    console.print(f"[bold red]error:[/] {escape(str(message))}", highlight=False, soft_wrap=True)


def fail(message: str) -> NoReturn:
    error_line(message)
    raise typer.Exit(1)


def report_console(json_path: Path | None) -> Console:
    """Where a command's report table goes: stdout like every report, unless ``--json -``
    sends the JSON there (then the table goes to stderr, with the progress bars)."""
    return console if json_path is not None and str(json_path) == "-" else out


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` to ``path`` atomically ("-" means stdout)."""
    if str(path) == "-":
        print_json(data)
        return
    text = json.dumps(data, indent=2, default=str) + "\n"
    try:
        write_atomically(path.expanduser(), text, elsewhere="choose another --json PATH")
    except OSError as error:  # a folder in the way, no such directory...
        fail(f"cannot write {path}: {error.strerror}: choose another --json PATH")
