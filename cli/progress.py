"""Rich progress bars for the trial loop: one bar per trial, steps and score as it plays."""

from __future__ import annotations

from types import TracebackType

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from cli.common import console
from memory.records import Step, TrialOutcome


class ProgressObserver:
    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("steps  score {task.fields[score]:>5.1f}"),
            TimeElapsedColumn(),
            console=console,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> ProgressObserver:
        self.progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.progress.stop()

    def trial_started(self, env: str, trial: int, max_steps: int) -> None:
        self._task = self.progress.add_task(f"{env} trial {trial}", total=max_steps, score=0.0)

    def step_taken(self, step: Step) -> None:
        if self._task is not None:
            self.progress.update(self._task, advance=1, score=step.score)

    def trial_finished(self, env: str, trial: int, outcome: TrialOutcome) -> None:
        if self._task is None:
            self._task = self.progress.add_task("", total=1, score=0.0)
        verdict = {"failed": "[red]failed[/]"}.get(
            outcome.status, "[green]won[/]" if outcome.won else ""
        )
        self.progress.update(
            self._task,
            description=f"{env} trial {trial} {verdict}".rstrip(),
            total=max(outcome.steps, 1),
            completed=max(outcome.steps, 1),
            score=outcome.score,
        )
        self._task = None
