"""The memory service: the single writer of a distributed run's memory, and the workers'
view of it (``agent.running.distributed`` starts them).

The service records every trial and step, recalls before a trial (the recollection is its
answer to the worker, like any other result) and learns after it. Workers call it at once;
one lock serialises every use of the store, so there is one writer by design (Chroma's
embedded index is not process-safe; SQLite has one writer), and trials handed back while it
learns are learned together, in one transaction (``agent.running.commits``).
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable, Sequence
from typing import Any

from agent.learning.recall import Recollection
from agent.running.commits import GroupCommit
from agent.running.trials import EnvResult, Finished, Learner, Recorder, TrialContext
from memory.records import LLMCall, RunStatus, Step, TrialOutcome

MakeService = Callable[[], tuple[Recorder, Learner]]


class Service:
    """The memory service's body (a plain class, so it is also usable without Ray).

    Its calls may come at once (the actor serves several threads): every use of the store
    holds one lock, so there is still one writer. Trials handed back to be learned while a
    batch is being learned are learned together in the next one (``GroupCommit``); each
    caller returns once its trial is committed."""

    def __init__(self, make_service: MakeService) -> None:
        self.recorder, self.learner = make_service()
        self.lock = threading.RLock()
        self.commits = GroupCommit(self._learn_batch, self._learn_one)
        self.running: dict[str, int] = {}  # spec -> trial id in progress
        self.finished: dict[str, list[TrialOutcome]] = {}
        self.trial_ids: dict[int, str] = {}

    # Recorder, for the workers
    def start_trial(self, run_id: int, spec: str, trial: int, *, seed: int | None = None) -> int:
        with self.lock:
            trial_id = self.recorder.start_trial(run_id, spec, trial, seed=seed)
            self.running[spec], self.trial_ids[trial_id] = trial_id, spec
            return trial_id

    def describe_trial(self, trial_id: int, **fields: Any) -> None:
        with self.lock:
            self.recorder.describe_trial(trial_id, **fields)

    def add_steps(self, run_id: int, trial_id: int, steps: Sequence[Step]) -> None:
        """Several steps of one trial in one call (a worker sends them a few at a time)."""
        with self.lock:
            self.recorder.add_steps(run_id, trial_id, steps)

    def add_llm_calls(
        self, run_id: int, trial_id: int | None, step: int | None, calls: tuple[LLMCall, ...]
    ) -> None:
        with self.lock:
            self.recorder.add_llm_calls(run_id, trial_id, step, calls)

    def finish_trial(self, trial_id: int, outcome: TrialOutcome) -> None:
        with self.lock:
            self.recorder.finish_trial(trial_id, outcome)
            spec = self.trial_ids.pop(trial_id, "")
            self.running.pop(spec, None)
            self.finished.setdefault(spec, []).append(outcome)

    # Learner, for the workers
    def recall(self, context: TrialContext) -> bytes:
        """The trial's recollection, pickled here (``RemoteLearner`` unpickles it). Ray's
        own pickler calls back into Python for each of its ~2,000 objects: ~13 ms of the
        service's time a recall at 100k insights, against ~4 ms for the C pickler."""
        with self.lock:
            recollection = self.learner.before_trial(context)
        return pickle.dumps(recollection, protocol=pickle.HIGHEST_PROTOCOL)

    def after_trial(
        self,
        context: TrialContext,
        recollection: Recollection,
        steps: Sequence[Step],
        outcome: TrialOutcome,
    ) -> None:
        self.commits.submit(Finished(context, recollection, steps, outcome))

    def _learn_batch(self, trials: Sequence[Finished]) -> None:
        with self.lock:
            self.learner.after_trials(trials)

    def _learn_one(self, trial: Finished) -> None:
        with self.lock:
            self.learner.after_trial(*trial)

    def finish(self) -> None:
        with self.lock:
            self.learner.finish()

    # For the driver
    def interrupt(self, reason: str) -> None:
        """The run was interrupted (Ctrl-C, SIGTERM): its running trials end as such."""
        with self.lock:
            for trial_id in list(self.running.values()):
                self.finish_trial(
                    trial_id, TrialOutcome(0.0, False, 0, 0.0, RunStatus.INTERRUPTED, reason)
                )

    def progress(self) -> int:
        with self.lock:
            return sum(len(outcomes) for outcomes in self.finished.values())

    def fail_rest(self, run_id: int, spec: str, trials: int, reason: str) -> EnvResult:
        """A worker died while playing ``spec``: its running trial and the ones it did not
        reach are recorded as failed."""
        failed = TrialOutcome(0.0, False, 0, 0.0, RunStatus.FAILED, reason)
        with self.lock:
            running = self.running.get(spec)
            if running is not None:
                self.finish_trial(running, failed)
            while len(self.finished.get(spec, [])) < trials:
                trial = len(self.finished.get(spec, [])) + 1
                self.finish_trial(self.start_trial(run_id, spec, trial), failed)
            return EnvResult(spec, tuple(self.finished[spec]))


class RemoteRecorder:
    """A worker's ``Recorder``: every write goes to the memory service, steps a few at a
    time (a worker that dies loses at most the last few steps of the trial it fails)."""

    STEPS_PER_CALL = 10

    def __init__(self, service: Any) -> None:
        self.service = service
        self._steps: list[Step] = []
        self._trial: tuple[int, int] = (0, 0)  # run id, trial id of the steps kept

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        import ray

        if method != "add_steps":
            self._send_steps()  # the record stays in order
        return ray.get(getattr(self.service, method).remote(*args, **kwargs))

    def _send_steps(self) -> None:
        if self._steps:
            steps, self._steps = tuple(self._steps), []
            self._call("add_steps", *self._trial, steps)

    def start_trial(self, run_id: int, spec: str, trial: int, *, seed: int | None = None) -> int:
        return int(self._call("start_trial", run_id, spec, trial, seed=seed))

    def describe_trial(
        self, trial_id: int, *, task: str, variation: str | None, description: str, observation: str
    ) -> None:
        self._call(
            "describe_trial",
            trial_id,
            task=task,
            variation=variation,
            description=description,
            observation=observation,
        )

    def add_steps(self, run_id: int, trial_id: int, steps: Sequence[Step]) -> None:
        for step in steps:
            self.add_step(run_id, trial_id, step)

    def add_step(self, run_id: int, trial_id: int, step: Step) -> None:
        if (run_id, trial_id) != self._trial:
            self._send_steps()
            self._trial = (run_id, trial_id)
        self._steps.append(step)
        if len(self._steps) >= self.STEPS_PER_CALL:
            self._send_steps()

    def add_llm_calls(
        self, run_id: int, trial_id: int | None, step: int | None, calls: tuple[LLMCall, ...]
    ) -> None:
        self._call("add_llm_calls", run_id, trial_id, step, calls)

    def finish_trial(self, trial_id: int, outcome: TrialOutcome) -> None:
        self._call("finish_trial", trial_id, outcome)


class RemoteLearner(RemoteRecorder):
    """A worker's ``Learner``: recall and reflection happen in the memory service; the
    recollection is the service's answer, and goes back to it with the finished trial."""

    def before_trial(self, context: TrialContext) -> Recollection:
        recollection: Recollection = pickle.loads(self._call("recall", context))
        return recollection

    def after_trial(
        self,
        context: TrialContext,
        recollection: Recollection,
        steps: Sequence[Step],
        outcome: TrialOutcome,
    ) -> None:
        self._call("after_trial", context, recollection.for_learning(), tuple(steps), outcome)

    def after_trials(self, trials: Sequence[Finished]) -> None:
        for trial in trials:
            self.after_trial(*trial)

    def finish(self) -> None:
        self._call("finish")
