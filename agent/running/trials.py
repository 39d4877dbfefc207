"""The trial loop: N trials of each environment, everything recorded in the store.

    for each environment spec:        open it (one JVM shared by all ScienceWorld specs)
        for trial in 1..N:            recollection = learner.before_trial(context)   (recall)
                                      episode.steps(recollection) -> store, observer
                                      learner.after_trial(context, recollection, steps, outcome)
                                                                     (reflect, remember)

What a trial recalls is a value handed forward: the learner returns it, every turn of the
episode carries it to the policy's memory scorers, and the learner gets it back after the
trial. Nothing else carries memory from the learner to the agent.

A trial whose environment fails (the JVM dies, a game cannot be built) is recorded as failed
with the reason and the run goes on. An unreachable model ends the run: every later trial
would fail the same way.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from agent.acting.agent import Agent
from agent.acting.episode import Episode, start_of
from agent.environments.base import TextEnv
from agent.environments.registry import Environments
from agent.environments.spec import EnvSpec
from agent.errors import EnvError, LLMError, LLMUnavailable
from agent.learning.recall import Recollection
from memory.records import LLMCall, RunStatus, Start, Step, TrialOutcome


def interruption_reason(stop: KeyboardInterrupt) -> str:
    """What interrupted: the message of the interrupt (the CLI's SIGTERM says "interrupted
    by SIGTERM"), found through the exceptions it caused (Ray raises a KeyboardInterrupt of
    its own); a Ctrl-C says nothing, so "interrupted"."""
    seen: BaseException | None = stop
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt) and str(seen):
            return str(seen)
        seen = seen.__cause__ or seen.__context__
    return "interrupted"


@dataclass(frozen=True)
class TrialContext:
    run_id: int
    trial_id: int
    spec: EnvSpec
    trial: int
    variation: str | None = None
    task_description: str = ""
    observation: str = ""
    start: Start = field(default_factory=Start)  # where the player began, what it saw

    @property
    def env(self) -> str:
        return str(self.spec)


class Finished(NamedTuple):
    """A trial to learn from, as ``Learner.after_trial`` takes it."""

    context: TrialContext
    recollection: Recollection
    steps: Sequence[Step]
    outcome: TrialOutcome


class Learner(Protocol):
    """Where learning plugs in: recall before a trial, reflection after it."""

    def before_trial(self, context: TrialContext) -> Recollection:
        """What memory holds for this trial; the agent reads it at every turn."""
        ...

    def after_trial(
        self,
        context: TrialContext,
        recollection: Recollection,
        steps: Sequence[Step],
        outcome: TrialOutcome,
    ) -> None:
        """Learn from a finished trial; ``recollection`` is what ``before_trial`` gave it."""

    def after_trials(self, trials: Sequence[Finished]) -> None:
        """Learn from several finished trials at once (all or nothing where it can: the
        memory service learns what arrives together in one transaction)."""

    def finish(self) -> None:
        """The trials are over: write what was put off (e.g. a large graph's save)."""


class NoLearning:
    """The agent forgets everything between trials."""

    def before_trial(self, context: TrialContext) -> Recollection:
        return Recollection()

    def after_trial(
        self,
        context: TrialContext,
        recollection: Recollection,
        steps: Sequence[Step],
        outcome: TrialOutcome,
    ) -> None:
        pass

    def after_trials(self, trials: Sequence[Finished]) -> None:
        pass

    def finish(self) -> None:
        pass


class Frozen:
    """Recall without learning (``cairn run --frozen``): every trial starts from the memory
    the home held when the run began, so what a home knows is measured without changing it
    (the first trial of each new variation sees what was transferred, not its neighbours)."""

    def __init__(self, learner: Learner) -> None:
        self.learner = learner

    def before_trial(self, context: TrialContext) -> Recollection:
        return self.learner.before_trial(context)

    def after_trial(
        self,
        context: TrialContext,
        recollection: Recollection,
        steps: Sequence[Step],
        outcome: TrialOutcome,
    ) -> None:
        pass

    def after_trials(self, trials: Sequence[Finished]) -> None:
        pass

    def finish(self) -> None:
        pass


class Recorder(Protocol):
    """Where a trial is written down: the store itself, or the memory service of a
    distributed run (``agent.running.distributed``), which writes for every worker."""

    def start_trial(
        self, run_id: int, spec: str, trial: int, *, seed: int | None = None
    ) -> int: ...

    def describe_trial(
        self, trial_id: int, *, task: str, variation: str | None, description: str, observation: str
    ) -> None: ...

    def add_step(self, run_id: int, trial_id: int, step: Step) -> None: ...

    def add_steps(self, run_id: int, trial_id: int, steps: Sequence[Step]) -> None: ...

    def add_llm_calls(
        self, run_id: int, trial_id: int | None, step: int | None, calls: tuple[LLMCall, ...]
    ) -> None: ...

    def finish_trial(self, trial_id: int, outcome: TrialOutcome) -> None: ...


class Observer(Protocol):
    """Progress reporting (the CLI draws bars from these)."""

    def trial_started(self, spec: str, trial: int, max_steps: int) -> None: ...

    def step_taken(self, step: Step) -> None: ...

    def trial_finished(self, spec: str, trial: int, outcome: TrialOutcome) -> None: ...


class SilentObserver:
    def trial_started(self, spec: str, trial: int, max_steps: int) -> None:
        pass

    def step_taken(self, step: Step) -> None:
        pass

    def trial_finished(self, spec: str, trial: int, outcome: TrialOutcome) -> None:
        pass


@dataclass(frozen=True)
class EnvResult:
    env: str
    outcomes: tuple[TrialOutcome, ...] = field(default_factory=tuple)


@dataclass
class TrialLoop:
    environments: Environments
    agent: Agent
    store: Recorder
    run_id: int
    trials: int = 3
    max_steps: int = 50
    seed: int = 0
    learner: Learner = field(default_factory=NoLearning)
    observer: Observer = field(default_factory=SilentObserver)

    def run(self, specs: Sequence[EnvSpec]) -> list[EnvResult]:
        """Open every environment first, so a bad variation fails before any trial runs."""
        opened = [self._open(spec) for spec in specs]
        results = [
            self._fail_all(spec, env) if isinstance(env, EnvError) else self.run_env(env)
            for spec, env in zip(specs, opened, strict=True)
        ]
        self.learner.finish()  # not after an error: a graph left stale is rebuilt when opened
        return results

    def _open(self, spec: EnvSpec) -> TextEnv | EnvError:
        try:
            return self.environments.open(spec)
        except EnvError as error:
            return error

    def run_env(self, env: TextEnv) -> EnvResult:
        outcomes = tuple(self.run_trial(env, trial) for trial in range(1, self.trials + 1))
        return EnvResult(str(env.spec), outcomes)

    def _fail_all(self, spec: EnvSpec, error: EnvError) -> EnvResult:
        failed = TrialOutcome(0.0, False, 0, 0.0, RunStatus.FAILED, str(error))
        for trial in range(1, self.trials + 1):
            trial_id = self.store.start_trial(self.run_id, str(spec), trial, seed=self.seed)
            self._finish(trial_id, str(spec), trial, failed)
        return EnvResult(str(spec), (failed,) * self.trials)

    def run_trial(self, env: TextEnv, trial: int) -> TrialOutcome:
        name = str(env.spec)
        seed = self.seed + trial - 1
        started = time.perf_counter()
        steps: list[Step] = []
        trial_id = self.store.start_trial(self.run_id, name, trial, seed=seed)
        try:  # from here on, however the trial ends, its record is closed
            self.observer.trial_started(name, trial, self.max_steps)
            self.agent.reseed(seed)  # a new seed each trial: retrying is not repeating
            episode = Episode(env, self.agent, max_steps=self.max_steps, seed=seed)
            observation, info = episode.reset()
            self.store.describe_trial(
                trial_id,
                task=env.spec.task,
                variation=env.variation,
                description=episode.task,
                observation=observation,
            )
            context = TrialContext(
                self.run_id,
                trial_id,
                env.spec,
                trial,
                env.variation,
                episode.task,
                observation,
                start_of(info),
            )
            recollection = self.learner.before_trial(context)
            for step in episode.steps(recollection):
                self.store.add_step(self.run_id, trial_id, step)
                steps.append(step)
                self.observer.step_taken(step)
            outcome = self._outcome(steps, started)
        except (EnvError, LLMError) as error:
            outcome = self._outcome(steps, started, error=str(error))
            if isinstance(error, LLMError) and error.call is not None:
                self.store.add_llm_calls(self.run_id, trial_id, len(steps) + 1, (error.call,))
            self._finish(trial_id, name, trial, outcome)
            if isinstance(error, LLMUnavailable):
                raise
            return outcome
        except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM made into one by the CLI
            why = interruption_reason(stop)
            self._finish(
                trial_id, name, trial, self._outcome(steps, started, why, RunStatus.INTERRUPTED)
            )
            raise
        self._finish(trial_id, name, trial, outcome)
        self.learner.after_trial(context, recollection, steps, outcome)
        return outcome

    def _finish(self, trial_id: int, spec: str, trial: int, outcome: TrialOutcome) -> None:
        self.store.finish_trial(trial_id, outcome)
        self.observer.trial_finished(spec, trial, outcome)

    @staticmethod
    def _outcome(
        steps: list[Step],
        started: float,
        error: str | None = None,
        status: RunStatus = RunStatus.FAILED,
    ) -> TrialOutcome:
        last = steps[-1] if steps else None
        return TrialOutcome(
            score=last.score if last else 0.0,
            won=bool(last and last.won),
            steps=len(steps),
            seconds=round(time.perf_counter() - started, 3),
            status=status if error else RunStatus.DONE,
            error=error,
        )
