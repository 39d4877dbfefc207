from __future__ import annotations

from memory.knowledge import Insight, Relation, Scope, Where
from memory.records import Step
from reflection.citations import citation_updates
from reflection.evidence import EvidenceReflector
from reflection.trajectory import Trajectory

HELPFUL = Insight(
    "go to kitchen",
    Relation.NECESSARY,
    "boil water",
    Where(Scope.TASK, "scienceworld", "boil"),
    2,
    0,
    id=1,
)
IDLE = Insight(
    "look around",
    Relation.MAY_CONTRIBUTE,
    "boil water",
    Where(Scope.TASK, "scienceworld", "boil"),
    1,
    0,
    id=2,
)


def test_cited_insights_are_judged_by_what_followed() -> None:
    steps = (
        Step(
            1, "go to kitchen", "You move to the kitchen.", 10, 10, False, False, False, cited=(1,)
        ),
        Step(2, "look around", "The kitchen.", 0, 10, False, False, False),
        Step(3, "look around", "The kitchen.", 0, 10, False, False, False, cited=(2, 99)),
    )
    trajectory = Trajectory(
        "scienceworld",
        "boil",
        3,
        "s",
        "Your task is to boil water.",
        "The hallway.",
        steps,
        trial_id=3,
    )
    exemplar = EvidenceReflector().reflect(trajectory).exemplar
    lookup = {1: HELPFUL, 2: IDLE}.get
    updates = citation_updates(trajectory, exemplar, lookup)
    assert [(u.subject, u.relation, u.where) for u in updates] == [
        ("go to kitchen", Relation.NECESSARY, HELPFUL.where),
        ("look around", Relation.DOES_NOT_CONTRIBUTE, IDLE.where),
    ]
    assert all(u.origin == "citation" for u in updates)


def test_a_cited_insight_is_not_refuted_by_a_gain_that_did_not_come_before_the_cut_off() -> None:
    """Step 2 changed something (the drawer opened); that nothing was gained after it before
    the trial was cut off is no evidence against what it followed."""
    steps = (
        Step(1, "go to kitchen", "You move to the kitchen.", 0, 0, False, False, False),
        Step(2, "open drawer", "The drawer is open.", 0, 0, False, False, True, cited=(2,)),
    )
    trajectory = Trajectory(
        "scienceworld", "boil", 3, "s", "Your task is to boil water.", "The hallway.", steps
    )
    exemplar = EvidenceReflector().reflect(trajectory).exemplar
    assert citation_updates(trajectory, exemplar, {2: IDLE}.get) == []
