"""One tree of errors: every exception cairn defines descends from ``CairnError``, and the tree
drawn in ``memory.errors``'s docstring is the tree the classes make. The store turns a disk
that refuses a write into a ``StorageError`` by SQLite's result code (real SQLite, made to
refuse: a page limit is a full disk, ``query_only`` a read-only one)."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import memory.errors
from agent import errors as agent_errors
from memory.errors import CairnError, DiskFull, ReadOnlyStorage, StorageError
from memory.records import Step
from memory.store import Store

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("memory", "knowledge_graph", "reflection", "agent", "cli")
_BRANCH = re.compile(r"^(?P<indent>[ │]*(?:[├└]── )?)(?P<name>[A-Z]\w+)\b")


def defined_errors() -> dict[str, type[BaseException]]:
    """Every exception class defined in cairn's packages, by name (found in the source, then
    imported). ``KeyboardInterrupt``'s kin (``cli.stopping.Stopped``) is a signal, no error."""
    found: dict[str, type[BaseException]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            classes = [n.name for n in ast.walk(ast.parse(path.read_text())) if _class(n)]
            if not classes:
                continue
            module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
            for name in classes:
                value = getattr(module, name)
                if isinstance(value, type) and issubclass(value, Exception):
                    found[name] = value
    return found


def _class(node: ast.AST) -> bool:
    return isinstance(node, ast.ClassDef) and bool(node.bases)


def drawn(docstring: str) -> dict[str, str | None]:
    """The tree a docstring draws (``├── Name``, indented by depth): each name's parent."""
    parents: dict[str, str | None] = {}
    path: list[str] = []
    for line in docstring.splitlines():
        found = _BRANCH.match(line.strip("\n")[4:] if line.startswith("    ") else "")
        if not found:
            continue
        depth = len(found["indent"]) // 4
        del path[depth:]
        parents[found["name"]] = path[-1] if path else None
        path.append(found["name"])
    return parents


def parent(error: type[BaseException]) -> str | None:
    if error is CairnError:
        return None
    return next(b.__name__ for b in error.__bases__ if issubclass(b, CairnError))


def test_every_error_cairn_defines_is_in_the_one_tree_as_drawn() -> None:
    errors = defined_errors()
    assert "CairnError" in errors and "DistributedError" in errors
    outside = sorted(n for n, e in errors.items() if not issubclass(e, CairnError))
    assert outside == [], "errors outside the one tree"
    actual = {name: parent(error) for name, error in errors.items()}
    assert drawn(memory.errors.__doc__ or "") == actual
    agent_tree = drawn(agent_errors.__doc__ or "")
    assert agent_tree == {n: p for n, p in actual.items() if n in agent_tree} | {"AgentError": None}


def a_step(index: int) -> Step:
    return Step(index, "go north", "You go north. " * 40, 0.0, 0.0, False, False, False)


def test_a_disk_that_fills_up_under_the_store_is_a_storage_error(tmp_path: Path) -> None:
    store = Store.in_home(tmp_path)
    run_id = store.start_run("cairn run", {}, "test")
    trial_id = store.start_trial(run_id, "toy:fetch@3", 1)
    store.add_step(run_id, trial_id, a_step(1))
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite: SQLITE_FULL past it
    with pytest.raises(DiskFull) as refused:
        for index in range(2, 200):
            store.add_step(run_id, trial_id, a_step(index))
    message = str(refused.value)
    assert f"cannot write to the cairn home {tmp_path}" in message
    assert "free some space or pass --home DIR" in message
    assert isinstance(refused.value, StorageError)
    kept = [s["idx"] for s in store.steps(trial_id)]
    assert kept == list(range(1, len(kept) + 1))  # each step whole, none half-written


def test_a_read_only_database_is_a_storage_error(tmp_path: Path) -> None:
    store = Store.in_home(tmp_path)
    store.start_run("cairn run", {}, "test")
    store.db.execute("PRAGMA query_only = ON")  # SQLite: SQLITE_READONLY on every write
    with pytest.raises(ReadOnlyStorage, match="make it writable or pass --home DIR"):
        store.start_run("cairn run", {}, "test")
    assert len(store.runs()) == 1
