"""``cairn serve``: a Chroma server for memory shared by several processes.

The embedded index inside a home takes one process at a time; a server takes any number.
This starts Chroma's own server (`chroma run`, shipped with chromadb) and says how to use it.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.common import console, fail


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: all).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    path: Annotated[Path, typer.Option(help="Where the server keeps its data.")] = Path(
        "~/.cairn/chroma-server"
    ),
) -> None:
    """Start a Chroma server that many cairn processes (or machines) can share.

    Then: cairn run ... --memory-url http://HOST:PORT (the home remembers it). Each home's
    collections are named by the home's id, so one server serves many homes. Ctrl-C (or SIGTERM)
    stops it.
    """
    binary = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    if not Path(binary).exists():
        fail("the `chroma` server is missing: reinstall chromadb (`pip install chromadb`)")
    data = path.expanduser()
    data.mkdir(parents=True, exist_ok=True)
    url = f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}"
    console.print(f"memory server at {url} (data in {data}): use --memory-url {url}")
    process = subprocess.Popen(
        [binary, "run", "--path", str(data), "--host", host, "--port", str(port)]
    )
    # Supervisors stop us with SIGTERM or SIGHUP: pass it on, or the server lives on as an
    # orphan holding the port and the data.
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, lambda number, _frame: process.send_signal(number))
    try:
        code = process.wait()
    except KeyboardInterrupt:  # a terminal's Ctrl-C reached both; a `kill -INT` only us
        process.send_signal(signal.SIGINT)
        process.wait()
        return
    if code < 0 or code in (128 + signal.SIGTERM, 128 + signal.SIGHUP):
        return  # stopped by a signal: the normal way for a server to end
    if code != 0:
        fail(f"the Chroma server stopped with exit code {code} (is port {port} free?)")
