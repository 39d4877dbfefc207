"""What every command shares: the home option, building the store, JSON output, one-line errors."""

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

from agent import __version__
from cli.stopping import interruption
from memory.store import Store

DEFAULT_HOME = Path("~/.cairn")
ROW_MAX = 2**63 - 1  # the largest id or count SQLite can take

# Progress and tables go to stderr, so stdout stays clean for `--json -`. Piped output (CI
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
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
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


def store(home: Path) -> Store:
    return Store.in_home(home)


@contextlib.contextmanager
def recorded_run(database: Store, command: str, config: dict[str, Any]) -> Iterator[int]:
    """A run's record, closed however the block ends: "done", "interrupted" (Ctrl-C,
    SIGTERM: ``cli.stopping``) or "failed", with why it did not finish."""
    run_id = database.start_run(command, config, __version__)
    status, error = "failed", None
    try:
        yield run_id
        status = "done"
    except KeyboardInterrupt:
        status, error = "interrupted", interruption()[0]
        raise
    except BaseException as failure:  # an error line's text, or what a bug raised
        error = str(failure) or type(failure).__name__
        raise
    finally:
        database.finish_run(run_id, status, error)


def output_file(path: Path) -> Path:
    """Where a command is to write a file: not a folder (nor the empty name, which is ".")."""
    target = path.expanduser()
    if target.is_dir() or not target.name:
        fail(f"{str(path) or 'an empty name'} is a folder: give a file name, e.g. out.json")
    return target


def debug() -> bool:
    return os.environ.get("CAIRN_DEBUG", "") not in ("", "0")


def fail(message: str) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` to ``path`` atomically ("-" means stdout)."""
    if str(path) == "-":
        print_json(data)
        return
    target = path.expanduser()
    temporary = target.with_name(target.name + ".tmp")
    try:
        temporary.write_text(json.dumps(data, indent=2, default=str) + "\n")
        temporary.replace(target)
    except OSError as error:
        fail(f"cannot write {path}: {error.strerror}: choose another --json PATH")
