"""Rich progress bars for the trial loop: one bar per trial for `run`, one for a whole suite
for `bench`. Both are trial-loop observers and context managers (the bars draw while open)."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from cli.common import console
from memory.records import RunStatus, Step, TrialOutcome


class Bars:
    def __init__(self, unit: str) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(unit),
            TimeElapsedColumn(),
            console=console,
        )

    def __enter__(self) -> Self:
        self.progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.progress.stop()


class ProgressObserver(Bars):
    """One bar per trial: steps taken and score so far."""

    def __init__(self) -> None:
        super().__init__("steps  score {task.fields[score]:>5.1f}")
        self._task: TaskID | None = None

    def trial_started(self, spec: str, trial: int, max_steps: int) -> None:
        self._task = self.progress.add_task(f"{spec} trial {trial}", total=max_steps, score=0.0)

    def step_taken(self, step: Step) -> None:
        if self._task is not None:
            self.progress.update(self._task, advance=1, score=step.score)

    def trial_finished(self, spec: str, trial: int, outcome: TrialOutcome) -> None:
        if self._task is None:
            self._task = self.progress.add_task("", total=1, score=0.0)
        verdict = "[green]won[/]" if outcome.won else ""
        if outcome.status == RunStatus.FAILED:
            verdict = "[red]failed[/]"
        self.progress.update(
            self._task,
            description=f"{spec} trial {trial} {verdict}".rstrip(),
            total=max(outcome.steps, 1),
            completed=max(outcome.steps, 1),
            score=outcome.score,
        )
        self._task = None


class SuiteProgress(Bars):
    """One bar for a whole suite: a suite is hundreds of short trials."""

    def __init__(self, total: int) -> None:
        super().__init__("trials")
        self.task = self.progress.add_task("bench", total=total)
        self.label = ""

    def trial_started(self, spec: str, trial: int, max_steps: int) -> None:
        self.progress.update(self.task, description=f"{self.label} {spec} trial {trial}")

    def step_taken(self, step: Step) -> None:
        pass

    def trial_finished(self, spec: str, trial: int, outcome: TrialOutcome) -> None:
        self.progress.advance(self.task)

    def completed(self) -> int:
        return int(self.progress.tasks[0].completed)

    def set_completed(self, done: int) -> None:  # trials finished on workers
        self.progress.update(self.task, completed=done)


class TrialCounter(Bars):
    """One bar for a distributed run: trials finished by all workers together."""

    def __init__(self, total: int, label: str) -> None:
        super().__init__("trials")
        self.task = self.progress.add_task(label, total=total)

    def update(self, finished: int) -> None:
        self.progress.update(self.task, completed=finished)
