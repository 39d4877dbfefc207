"""Shared fixtures: real environments, real models, a scratch cairn home; and the check that
keeps the fast tier fast.

Two tiers: ``make test-fast`` runs the tests not marked ``slow`` (no JVM, no game build, no
real model); ``make test`` runs them all. A test that asks for a real model's fixture must
be marked ``slow``: collection fails otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import hypothesis  # noqa: F401  imported now, not at the session's end (see below)
import pytest

# Python 3.11.7 can fail to compile any module after py4j's recursive reconnects to a killed
# JVM ("AST constructor recursion depth mismatch"); hypothesis' pytest plugin imports
# hypothesis lazily at the session's end, so it is imported up front instead.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from agent.environments import Environments
from agent.llm.embedded import EmbeddedLLM
from memory.embedding import MiniLMEmbedder
from memory.store import Store

REAL_MODELS = {"smollm2", "minilm"}  # fixtures that load a real model


@pytest.fixture(scope="session")
def cache_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the session, so each TextWorld game is generated once."""
    root = Path(os.environ.get("CAIRN_TEST_CACHE") or tmp_path_factory.mktemp("cache"))
    os.environ["CAIRN_CACHE"] = str(root)
    return root


@pytest.fixture(scope="session")
def environments(cache_root: Path) -> Iterator[Environments]:
    with Environments(cache_root / "games") as envs:
        yield envs


@pytest.fixture(scope="session")
def smollm2(cache_root: Path) -> Iterator[EmbeddedLLM]:
    llm = EmbeddedLLM("smollm2-135m", cache_dir=cache_root / "models")
    yield llm
    llm.close()


@pytest.fixture(scope="session")
def minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    database = Store.in_home(tmp_path / "home")
    yield database
    database.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A real model in a test not marked slow would slow every run of the fast tier."""
    unmarked = [
        item.nodeid
        for item in items
        if REAL_MODELS & set(getattr(item, "fixturenames", ()))
        and item.get_closest_marker("slow") is None
    ]
    if unmarked:
        raise pytest.UsageError(
            f"these tests load a real model but are not marked slow: {', '.join(unmarked)}"
        )
