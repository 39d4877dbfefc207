"""Shared fixtures: real environments, a real embedded model, a scratch cairn home."""

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
from memory.store import Store


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


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    database = Store.in_home(tmp_path / "home")
    yield database
    database.close()
