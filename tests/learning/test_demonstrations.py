"""Demonstrations: oracle paths become exemplars (the toy world's); evaluation data is refused
(ScienceWorld's test split, TextWorld's high seeds: real engines)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.environments import Environments, parse
from agent.errors import SpecError
from agent.learning.demonstrations import demonstrate, reserved_reason
from agent.learning.learner import MemoryLearner
from memory.embedding import HashEmbedder
from memory.memory import Memory
from memory.store import Store
from memory.vectors import VectorIndex


def learner(home: Path) -> MemoryLearner:
    store = Store.in_home(home)
    return MemoryLearner(Memory(store, VectorIndex(HashEmbedder(), home / "chroma")))


def test_a_walkthrough_becomes_a_winning_exemplar_and_insights(
    environments: Environments, tmp_path: Path
) -> None:
    teacher = learner(tmp_path)
    env = environments.open(parse("toy:fetch@3"))  # through a closed door, take, focus
    assert reserved_reason(env) is None
    exemplar = demonstrate(env, teacher)
    assert exemplar.origin == "demonstration:oracle" and exemplar.won and exemplar.score == 100
    assert all(step.useful for step in exemplar.steps if step.credit > 0)
    insights = list(teacher.memory.store.insights.active())
    assert insights and {i.origin for i in insights} == {"demonstration:oracle"}


@pytest.mark.slow
@pytest.mark.parametrize("spec", ["scienceworld:boil@test:0", "textworld:simple@10000"])
def test_evaluation_data_is_refused(environments: Environments, tmp_path: Path, spec: str) -> None:
    env = environments.open(parse(spec))
    assert reserved_reason(env)
    with pytest.raises(SpecError, match="reserved for evaluation"):
        demonstrate(env, learner(tmp_path))


@pytest.mark.slow
def test_train_and_dev_variations_are_not_reserved(environments: Environments) -> None:
    assert reserved_reason(environments.open(parse("scienceworld:boil@dev:0"))) is None
    assert reserved_reason(environments.open(parse("textworld:simple@9999"))) is None
