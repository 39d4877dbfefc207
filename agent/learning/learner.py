"""Learning across trials: recall before a trial, reflect and remember after it.

``MemoryLearner`` plugs into the trial loop (``agent.trials.Learner``):

    before_trial   recall insights, exemplars, experience and graph facts for the task,
                   returned as the trial's ``Recollection`` (the loop hands it to the
                   episode; each turn carries it to the memory scorers and a strong model)
    after_trial    (given that recollection back) evidence reflector (+ LLM reflector,
                   + the model's citations) -> insight updates -> memory -> the trial as
                   an exemplar -> promotion across scopes (of the subjects the trial
                   changed) -> the trial folded into its game's archive of cells, all in
                   one SQLite transaction; then the vector index -> the graph and its map
                   of the game (saved to disk by ``finish``)

A failed trial (the environment or the model broke) never reaches ``after_trial``: what it
half-saw is not learned.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from agent.learning.recall import Recaller, Recollection
from agent.running.trials import Finished, TrialContext
from knowledge_graph.graph import KnowledgeGraph
from knowledge_graph.map import GameMap
from memory.archive import Archive
from memory.insights import Op, Operation
from memory.knowledge import Exemplar, Insight, Origin, normalise
from memory.memory import Memory, changed_claims
from memory.records import Step, TrialOutcome
from reflection.archiving import fold_trial
from reflection.citations import citation_updates
from reflection.evidence import EvidenceReflector, Reflection
from reflection.llm import LLMReflection, LLMReflector
from reflection.promotion import promote
from reflection.trajectory import Trajectory

GRAPH_FILE = "graph.json"


def load_graph(memory: Memory, path: Path | None, *, save: bool = True) -> KnowledgeGraph:
    """The saved graph if it is current with the store, else one rebuilt from the store (a
    crash between the SQLite commit and the save leaves the saved one behind) and saved
    unless ``save`` is false (a reader that writes nothing)."""
    if path is not None and path.exists():
        graph = KnowledgeGraph.load(path)
        if graph.graph.graph.get("source") == memory.stamp():
            return graph
    return rebuild_graph(memory, path if save else None)


def rebuild_graph(memory: Memory, path: Path | None) -> KnowledgeGraph:
    """The graph made anew from SQLite (it is derived data), saved to ``path`` if given."""
    store = memory.store
    graph = KnowledgeGraph.build(
        store.insights.active(), store.exemplars.all(), store.archives.all()
    )
    save_graph(graph, memory, path)
    return graph


def save_graph(graph: KnowledgeGraph, memory: Memory, path: Path | None) -> None:
    graph.graph.graph["source"] = memory.stamp()
    if path is not None:
        graph.save(path)


@dataclass(frozen=True)
class _Lesson:
    """What one trajectory teaches, reflected on and not yet written."""

    trajectory: Trajectory
    reflection: Reflection
    written: LLMReflection | None
    origin: str
    target: str | None


def _trajectory(trial: Finished) -> Trajectory:
    context = trial.context
    return Trajectory(
        env=context.spec.name,
        task=context.spec.task,
        variation=context.variation,
        spec=str(context.spec),
        task_description=context.task_description,
        initial_observation=context.observation,
        steps=tuple(trial.steps),
        trial_id=context.trial_id,
        start=context.start,
    )


class MemoryLearner:
    def __init__(
        self,
        memory: Memory,
        *,
        graph_path: Path | None = None,
        llm_reflector: LLMReflector | None = None,
    ) -> None:
        self.memory = memory
        self.graph_path = graph_path
        self.graph = load_graph(memory, graph_path)
        self.recaller = Recaller(memory, self.graph)
        self.evidence = EvidenceReflector()
        self.llm_reflector = llm_reflector
        self.last_operations: list[Operation] = []
        self._promoted_all = False
        self._graph_unsaved = False

    def before_trial(self, context: TrialContext) -> Recollection:
        spec = context.spec
        return self.recaller.recall(
            spec.name, spec.task, context.variation, context.task_description
        )

    def after_trial(
        self,
        context: TrialContext,
        recollection: Recollection,
        steps: Sequence[Step],
        outcome: TrialOutcome,
    ) -> None:
        self.after_trials([Finished(context, recollection, steps, outcome)])

    def after_trials(self, trials: Sequence[Finished]) -> None:
        """Several trials' lessons in one transaction (one commit, one index write): all of
        them or none. The model reflects on each before it, as for one trial."""
        lessons = [
            self._reflect(_trajectory(t), t.context, Origin.TRIAL, t.recollection.plan.target)
            for t in trials
        ]
        with self._transaction():
            learned = [self._store(lesson) for lesson in lessons]
        for ops, exemplar, archive in learned:
            self._after_commit(ops, exemplar, archive)

    def learn_from(
        self,
        trajectory: Trajectory,
        context: TrialContext | None = None,
        origin: str = Origin.TRIAL,
        target: str | None = None,
    ) -> Exemplar:
        """Reflect on a trajectory and remember it; ``origin`` marks where it came from
        (``Origin.TRIAL``, or ``demonstration:oracle`` for an oracle path), ``target`` the
        cell of the archive the trial set out to explore from. The trial is folded into its
        game's archive of cells too (``reflection.archiving``).

        What it teaches is stored all or nothing (``Memory.transaction``): a kill, an
        interrupt or an error during learning keeps every lesson of the trial — evidence,
        citations, the model's insights, the exemplar, promotions — or none. The model
        reflects before the transaction, so no write lock is held while it thinks."""
        lesson = self._reflect(trajectory, context, origin, target)
        with self._transaction():
            ops, exemplar, archive = self._store(lesson)
        self._after_commit(ops, exemplar, archive)
        return exemplar

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """``Memory.transaction``; rolled back, it leaves the learner as it was too."""
        promoted_all = self._promoted_all
        try:
            with self.memory.transaction():
                yield
        except BaseException:
            self._promoted_all = promoted_all  # the catch-up promotion was rolled back
            raise

    def _reflect(
        self, trajectory: Trajectory, context: TrialContext | None, origin: str, target: str | None
    ) -> _Lesson:
        """What a trajectory teaches, before anything is written."""
        reflection = self.evidence.reflect(trajectory)
        written = self._reflect_with_model(trajectory, context)
        return _Lesson(trajectory, reflection, written, origin, target)

    def _store(self, lesson: _Lesson) -> tuple[list[Operation], Exemplar, Archive]:
        """Write a lesson (inside the caller's transaction)."""
        trajectory, reflection, origin = lesson.trajectory, lesson.reflection, lesson.origin
        store = self.memory.store
        actor = Origin.EVIDENCE if origin == Origin.TRIAL else origin
        updates = [replace(u, origin=actor) for u in reflection.updates]
        ops = self.memory.learn(updates, actor=actor)
        ops += self.memory.learn(
            citation_updates(trajectory, reflection.exemplar, store.insights.get),
            Origin.CITATION,
        )
        if lesson.written is not None:
            ops += self._learn_model_reflection(lesson.written, trajectory.trial_id)
        exemplar = self.memory.remember(replace(reflection.exemplar, origin=origin))
        # The first promotion reads every subject (catching up on edits and imports made
        # between runs); later ones only the subjects this trial changed.
        subjects = self._subjects(ops) if self._promoted_all else None
        promoted = promote(
            store.insights, trajectory.env, trajectory.task, trajectory.trial_id, subjects
        )
        self.memory.reindex(changed_claims(promoted))
        self._promoted_all = True
        return ops + promoted, exemplar, self._archive(trajectory, lesson.target)

    def _after_commit(self, ops: list[Operation], exemplar: Exemplar, archive: Archive) -> None:
        """The graph and its map follow what SQLite committed."""
        self.graph.add_map(GameMap.of(archive))
        self._update_graph(ops, exemplar)
        self.last_operations = ops

    def _archive(self, trajectory: Trajectory, target: str | None) -> Archive:
        """The trial folded into its game's archive, and the changed cells stored."""
        archives = self.memory.store.archives
        before = archives.load(trajectory.env, trajectory.task, trajectory.variation)
        archive, changed = fold_trial(
            before, trajectory.start, trajectory.steps, target=target, trial_id=trajectory.trial_id
        )
        archives.save(archive, changed)
        return archive

    def _reflect_with_model(
        self, trajectory: Trajectory, context: TrialContext | None
    ) -> LLMReflection | None:
        """The model's reflection on the trial (what was believed before it as the prior),
        its call logged; nothing is learned from it yet."""
        if self.llm_reflector is None or context is None:
            return None
        store = self.memory.store
        prior = store.insights.for_task(trajectory.env, trajectory.task, trajectory.variation)
        result = self.llm_reflector.reflect(trajectory, prior)
        if result.call is not None:
            store.add_llm_calls(context.run_id, context.trial_id, None, (result.call,))
        return result

    def _learn_model_reflection(
        self, result: LLMReflection, trial_id: int | None
    ) -> list[Operation]:
        insights = self.memory.store.insights
        ops = self.memory.learn(result.updates, actor=Origin.LLM)
        for rejected in result.dropped:
            details = {"line": rejected.line, "reason": rejected.reason, "trial_id": trial_id}
            ops.append(insights.log(Op.DROP, None, Origin.LLM, details))
        for line, fixes in result.repaired:
            repaired = {"line": line, "repairs": list(fixes), "trial_id": trial_id}
            ops.append(insights.log(Op.REPAIR, None, Origin.LLM, repaired))
        return ops

    def _update_graph(self, ops: list[Operation], exemplar: Exemplar) -> None:
        touched = {op.insight_id for op in ops if op.insight_id is not None}
        touched |= {s for op in ops if isinstance(s := op.details.get("successor"), int)}
        for insight_id in sorted(touched):
            insight: Insight | None = self.memory.store.insights.get(insight_id)
            if insight is not None:
                self.graph.add_insight(insight)
        self.graph.add_exemplar(exemplar)
        # Saved by ``finish``, not after each trial: a graph saved before later learning
        # is stale, and a stale one is rebuilt from SQLite when next loaded (its stamp
        # tells), so saving mid-run bought nothing and cost what the graph weighs (9 s for
        # a million insights; ~10% of the memory service's time).
        self._graph_unsaved = True

    def finish(self) -> None:
        self.memory.flush_index()
        if self._graph_unsaved:
            save_graph(self.graph, self.memory, self.graph_path)
            self._graph_unsaved = False

    def _subjects(self, ops: list[Operation]) -> set[str]:
        """The subjects of the insights these operations changed (normalised)."""
        changed = {op.insight_id for op in ops if op.insight_id is not None}
        found = map(self.memory.store.insights.get, sorted(changed))
        return {normalise(insight.subject) for insight in found if insight is not None}
