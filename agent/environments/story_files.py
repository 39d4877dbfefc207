"""Is a game file a story the engine can start? Asked before the engine is handed it.

jericho's Frotz core does not raise on a file it cannot load: it prints "Fatal error:
Unknown Z-code version" (or "Story file read error", ...) and ends the whole process with
C's ``exit(1)``, so no exception reaches cairn and its records of the run stay "running".
Hence two checks before any trial, each a one-line ``SpecError`` that names the file:

- the header: a Z-code file begins with its version (1 to 8) and is as long as its header
  says (a cheap read that catches what is not a story file at all);
- a rehearsal: the game is started and reset once in a child process (``rehearse``), where a
  fatal exit ends only the child, and its last words become the error.

A game that starts but stops mid-game with such an exit still ends the process: cairn only
plays what passed both checks, and files of its own making (generated games) skip them.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path

from agent.errors import SpecError

HEADER_SIZE = 64  # every Z-machine version's header is 64 bytes
LENGTH_FIELD = 0x1A  # file length, in units that depend on the version
REHEARSAL_SECONDS = 60.0


def _length_unit(version: int) -> int:
    return 2 if version <= 3 else 4 if version <= 5 else 8


def check_header(path: Path) -> None:
    """Raise ``SpecError`` unless ``path`` starts like a Z-code story file (``.z1``-``.z8``)."""
    try:
        with path.open("rb") as file:
            header = file.read(HEADER_SIZE)
        size = path.stat().st_size
    except OSError as error:
        raise SpecError(f"cannot read the game file {path}: {error.strerror}") from None
    if len(header) < HEADER_SIZE:
        raise SpecError(
            f"{path} is not a Z-machine story file: it has {size} bytes, less than a header; "
            "check the path"
        )
    version = header[0]
    if not 1 <= version <= 8:
        raise SpecError(
            f"{path} is not a Z-machine story file: its first byte (the Z-code version) is "
            f"{version}, not 1 to 8; check the path"
        )
    declared = int.from_bytes(header[LENGTH_FIELD : LENGTH_FIELD + 2], "big")
    declared *= _length_unit(version)
    if declared > size:  # 0 (very old files) means "the whole file"
        raise SpecError(
            f"{path} is cut short: its header says {declared} bytes, the file has {size}; "
            "copy or build the game again"
        )


def rehearse(path: Path, command: Sequence[str], timeout: float = REHEARSAL_SECONDS) -> None:
    """Run ``command`` (which starts and resets the game at ``path``) in a child process;
    raise ``SpecError`` with the child's last line if it does not end cleanly."""
    try:
        child = subprocess.run(
            list(command), capture_output=True, text=True, errors="replace", timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise SpecError(
            f"{path} did not reach its first prompt in {timeout:g} s: is it a working game?"
        ) from None
    if child.returncode == 0:
        return
    if child.returncode < 0:
        how = f"the engine crashed ({signal.Signals(-child.returncode).name})"
    else:
        said = [line.strip() for line in (child.stdout + child.stderr).splitlines()]
        said = [line for line in said if line]
        how = f"the engine stopped with {said[-1] if said else child.returncode!r}"
    raise SpecError(f"{path} is not a playable story file: {how}; check the file or build it again")
