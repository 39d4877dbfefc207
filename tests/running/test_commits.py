"""Group commit (``agent.running.commits``): what arrives while a batch is done waits and is
done together in the next one; each caller returns once its own item is done."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from agent.running.commits import GroupCommit


class Batches:
    """Does batches, the first held until the test lets it go; remembers every batch."""

    def __init__(self) -> None:
        self.done: list[list[str]] = []
        self.started, self.go = threading.Event(), threading.Event()

    def batch(self, items: Sequence[str]) -> None:
        self.started.set()
        self.go.wait(timeout=10)
        if "bad" in items:
            raise ValueError("a bad item")
        self.done.append(list(items))

    def one(self, item: str) -> None:
        if item == "bad":
            raise ValueError("a bad item")
        self.done.append([item])


def submit_all(commits: GroupCommit[str], items: list[str]) -> dict[str, Exception | None]:
    outcomes: dict[str, Exception | None] = {}

    def submit(item: str) -> None:
        try:
            commits.submit(item)
            outcomes[item] = None
        except ValueError as error:
            outcomes[item] = error

    threads = [threading.Thread(target=submit, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return outcomes


def test_what_arrives_during_a_batch_is_done_together_in_the_next() -> None:
    work = Batches()
    commits = GroupCommit(work.batch, work.one)
    first = threading.Thread(target=commits.submit, args=("a",))
    first.start()
    assert work.started.wait(timeout=10)  # "a" is being done, alone
    waiting = threading.Thread(target=lambda: submit_all(commits, ["b", "c", "d"]))
    waiting.start()
    for _ in range(1000):  # until the three callers wait (10 s at most)
        if commits.waiting() == 3:
            break
        threading.Event().wait(0.01)
    work.go.set()
    first.join(timeout=10)
    waiting.join(timeout=10)
    assert work.done[0] == ["a"]
    assert sorted(work.done[1]) == ["b", "c", "d"] and len(work.done) == 2
    assert commits.batches == [1, 3]


def test_a_failing_batch_is_done_one_by_one_and_only_the_bad_item_fails() -> None:
    work = Batches()
    work.go.set()
    commits = GroupCommit(work.batch, work.one)
    outcomes = submit_all(commits, ["a", "bad", "b"])
    assert outcomes["a"] is None and outcomes["b"] is None
    assert isinstance(outcomes["bad"], ValueError)
    assert sorted(item for batch in work.done for item in batch) == ["a", "b"]


def test_an_interrupted_batch_is_done_for_none_of_its_callers() -> None:
    def interrupted(items: Sequence[str]) -> None:
        raise KeyboardInterrupt

    commits: GroupCommit[str] = GroupCommit(interrupted, lambda item: None)
    with pytest.raises(KeyboardInterrupt):
        commits.submit("a")
