"""The evidence reflector: what a trial's score changes say, with no model involved.

Detours that came back to where they started are cut out of the trajectory (loop erasure);
credit flows back from every score gain along what remains (discounted), so the path to the
final score is marked ``useful`` and each step carries a ``credit``. From that:

    the step that raised the score        SHOULD BE NECESSARY   (weight 1)
    other useful steps before a gain      MAY BE NECESSARY      (weight 0.5)
    steps that changed nothing            DOES NOT CONTRIBUTE   (weight 0.5, if never useful)
    the step that lost the game           SHOULD BE AVOIDED     (weight 2)

"Changed nothing" is read from the observation (``fruitless``): the game gave the same
answer as to the step before. That no gain followed a step is never evidence against it —
a trial cut off by ``--max-steps`` may have stopped just short of the gain — so steps after
the last gain, and every step of a trial without one, are left alone unless they changed
nothing. Repeated trials add up, so what recurs gains confidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from memory.knowledge import Exemplar, ExemplarStep, InsightUpdate, Origin, Relation
from memory.records import Step
from reflection.trajectory import Trajectory

DISCOUNT = 0.9


@dataclass(frozen=True)
class Reflection:
    exemplar: Exemplar
    updates: tuple[InsightUpdate, ...]


def fruitless(steps: tuple[Step, ...], initial_observation: str) -> list[bool]:
    """A step is fruitless if it scored nothing and the game answered it exactly as it
    answered the step before (the initial observation, for the first): nothing new happened.
    That the same action once got the same answer is no such sign — opening a cupboard
    that a later step closed again says "now open" again, and is a change again."""
    before, flags = initial_observation, []
    for step, gain in zip(steps, gains(steps), strict=True):
        flags.append(gain <= 0 and step.observation == before)
        before = step.observation
    return flags


def gains(steps: tuple[Step, ...]) -> list[float]:
    """Rise of the normalised (0-100) score at each step: comparable across environments."""
    previous, result = 0.0, []
    for step in steps:
        result.append(max(0.0, step.score - previous))
        previous = step.score
    return result


def loop_erased(steps: tuple[Step, ...]) -> list[int]:
    """Indices of the steps left when every detour that came back to where it started (same
    state, same score) is cut out: the path a better trial would have walked."""
    path: list[tuple[tuple[str, float], int]] = []  # ((state, score before), step index)
    score = 0.0
    for index, step in enumerate(steps):
        node = (step.state_key, score)
        if step.state_key:
            for position, (seen, _) in enumerate(path):
                if seen == node:
                    del path[position:]  # back where we were: the detour taught nothing
                    break
        path.append((node, index))
        score = step.score
    return [index for _, index in path]


def credits(steps: tuple[Step, ...], path: list[int] | None = None) -> list[float]:
    """Discounted sum of the score gains at and after each step of ``path`` (default: all
    steps); steps off the path get no credit."""
    path = list(range(len(steps))) if path is None else path
    gained = gains(steps)
    running, result = 0.0, [0.0] * len(steps)
    for index in reversed(path):
        running = gained[index] + DISCOUNT * running
        result[index] = running
    return result


class EvidenceReflector:
    name = "evidence"

    def reflect(self, trajectory: Trajectory) -> Reflection:
        steps = trajectory.steps
        idle = fruitless(steps, trajectory.initial_observation)
        path = loop_erased(steps)
        credit = credits(steps, path)
        gained = gains(steps)
        last_gain = max((i for i, g in enumerate(gained) if g > 0), default=-1)
        # Judged along the path: re-opening a drawer a detour had closed is progress again.
        idle_on_path = fruitless(tuple(steps[i] for i in path), trajectory.initial_observation)
        productive = {i for i, still in zip(path, idle_on_path, strict=True) if not still}
        useful = [i <= last_gain and i in productive for i in range(len(steps))]
        fatal = [step.lost and i == len(steps) - 1 for i, step in enumerate(steps)]
        exemplar = Exemplar(
            env=trajectory.env,
            task=trajectory.task,
            variation=trajectory.variation,
            spec=trajectory.spec,
            task_description=trajectory.task_description,
            score=trajectory.score,
            won=trajectory.won,
            steps=tuple(
                ExemplarStep(
                    action=s.action,
                    observation=s.observation,
                    reward=s.reward,
                    score=s.score,
                    state_key=s.state_key,
                    credit=round(credit[i], 4),
                    useful=useful[i],
                    fatal=fatal[i],
                    location=s.location,
                )
                for i, s in enumerate(steps)
            ),
            trial_id=trajectory.trial_id,
        )
        updates = self._updates(trajectory, gained, useful, idle, fatal, last_gain)
        return Reflection(exemplar, tuple(updates))

    def _updates(
        self,
        trajectory: Trajectory,
        gained: list[float],
        useful: list[bool],
        idle: list[bool],
        fatal: list[bool],
        last_gain: int,
    ) -> list[InsightUpdate]:
        """One claim per action per trial — the strongest its steps support — so a trial is
        one piece of evidence however often it repeated an action."""
        steps = trajectory.steps
        useful_actions = {s.action for s, u in zip(steps, useful, strict=True) if u}
        claims: dict[str, tuple[int, Relation, float, int, str]] = {}  # action -> claim
        for i, step in enumerate(steps):
            if fatal[i]:
                claim = (4, Relation.AVOID, 2.0, f"lost the game at step {step.index}")
            elif gained[i] > 0:
                claim = (
                    3,
                    Relation.NECESSARY,
                    1.0,
                    f"score rose by {gained[i]:g} at step {step.index}",
                )
            elif useful[i]:
                claim = (
                    2,
                    Relation.MAY_BE_NECESSARY,
                    0.5,
                    f"on the path to a gain (step {step.index})",
                )
            elif idle[i] and step.action not in useful_actions:
                claim = (
                    1,
                    Relation.DOES_NOT_CONTRIBUTE,
                    0.5,
                    f"changed nothing at step {step.index}",
                )
            else:
                continue
            rank, relation, weight, reason = claim
            if step.action not in claims or rank > claims[step.action][0]:
                claims[step.action] = (rank, relation, weight, i, reason)
        return [
            InsightUpdate(
                subject=action,
                relation=relation,
                goal=trajectory.goal,
                where=trajectory.where,
                weight=weight,
                origin=Origin.EVIDENCE,
                trial_id=trajectory.trial_id,
                steps=(steps[index].index,),
                order=(index + 1) / (last_gain + 1) if relation.positive else None,
                reason=reason,
            )
            for action, (_, relation, weight, index, reason) in claims.items()
        ]
