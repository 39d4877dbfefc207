"""A person's hand on the insights: marked as theirs, logged, and never destructive."""

from __future__ import annotations

import pytest

from memory.knowledge import InsightUpdate, Relation, Scope, Status, Where
from memory.store import Store

BOIL = Where(Scope.TASK, "scienceworld", "boil")


def evidence(subject: str, relation: Relation, weight: float = 1.0) -> InsightUpdate:
    return InsightUpdate(subject, relation, "boil water", BOIL, weight, "evidence", trial_id=1)


def test_additions_and_edits_by_a_person_are_marked_and_logged(store: Store) -> None:
    insights = store.insights
    (op,) = store.edits.add(InsightUpdate("open cupboard", Relation.NECESSARY, "boil water", BOIL))
    added = insights.get(op.insight_id or 0)
    assert added is not None and (added.origin, added.edited_by) == ("person", "person")

    (op,) = insights.apply(evidence("heat pot", Relation.MAY_BE_NECESSARY))
    insight_id = op.insight_id or 0
    store.edits.edit(insight_id, relation=Relation.NECESSARY, support=4.0)
    edited = insights.get(insight_id)
    assert edited is not None
    assert (edited.relation, edited.support, edited.edited_by) == (
        Relation.NECESSARY,
        4.0,
        "person",
    )
    last = insights.operations(insight_id)[-1]
    assert (last["op"], last["actor"]) == ("edit", "person")
    assert last["details"]["before"]["support"] == 1.0
    with pytest.raises(ValueError, match="cannot edit"):
        store.edits.edit(insight_id, status="active")


def test_forgetting_hides_and_restore_brings_back_the_status_it_had(store: Store) -> None:
    insights = store.insights
    (op,) = insights.apply(evidence("heat pot", Relation.NECESSARY))
    insight_id = op.insight_id or 0
    store.edits.forget(insight_id)
    assert list(insights.active()) == []
    assert list(insights.for_task("scienceworld", "boil", "0")) == []
    assert insights.get(insight_id).status is Status.FORGOTTEN  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="already forgotten"):
        store.edits.forget(insight_id)

    store.edits.restore(insight_id)
    assert [i.id for i in insights.active()] == [insight_id]
    assert [o["op"] for o in insights.operations(insight_id)] == ["add", "forget", "restore"]
    with pytest.raises(ValueError, match="not forgotten"):
        store.edits.restore(insight_id)


def test_evidence_for_a_forgotten_claim_is_recorded_and_it_stays_forgotten(store: Store) -> None:
    insights = store.insights
    (op,) = insights.apply(evidence("heat pot", Relation.NECESSARY))
    insight_id = op.insight_id or 0
    store.edits.forget(insight_id)
    ops = insights.apply(evidence("Heat the pot", Relation.NECESSARY))  # the same claim again
    ops += insights.apply(evidence("heat pot", Relation.DOES_NOT_CONTRIBUTE, weight=5))
    assert [(o.op, o.insight_id, o.details["forgotten"]) for o in ops] == [
        ("support", insight_id, True),
        ("refute", insight_id, True),  # contrary evidence counts, and supersedes nothing
    ]
    assert list(insights.active()) == []
    assert list(insights.for_task("scienceworld", "boil", 0)) == []
    (forgotten,) = insights.all()  # no twin, active or superseded
    assert (forgotten.status, forgotten.support, forgotten.refute) == (Status.FORGOTTEN, 2, 5)
    assert [e["kind"] for e in insights.evidence(insight_id)] == ["support", "support", "refute"]
    with pytest.raises(ValueError, match=f"insight {insight_id} holds this claim and was forgot"):
        store.edits.add(InsightUpdate("heat pot", Relation.NECESSARY, "boil water", BOIL))
    store.edits.restore(insight_id)
    assert [i.id for i in insights.active()] == [insight_id]


def test_restore_refuses_when_an_edit_made_the_same_claim_meanwhile(store: Store) -> None:
    insights = store.insights
    (op,) = insights.apply(evidence("heat pot", Relation.NECESSARY))
    store.edits.forget(op.insight_id or 0)
    (other,) = insights.apply(evidence("heat the kettle", Relation.NECESSARY))
    store.edits.edit(other.insight_id or 0, subject="heat pot")
    with pytest.raises(ValueError, match=f"insight {other.insight_id} holds the same claim"):
        store.edits.restore(op.insight_id or 0)


def test_a_pin_by_a_person_survives_contradicting_evidence(store: Store) -> None:
    insights = store.insights
    (op,) = insights.apply(evidence("heat pot", Relation.NECESSARY))
    insight_id = op.insight_id or 0
    store.edits.set_pinned(insight_id, True)
    insights.apply(evidence("heat pot", Relation.DOES_NOT_CONTRIBUTE, weight=10))
    pinned = insights.get(insight_id)
    assert pinned is not None and pinned.status is Status.ACTIVE and pinned.refute == 10
    store.edits.set_pinned(insight_id, False)
    insights.apply(evidence("heat pot", Relation.DOES_NOT_CONTRIBUTE, weight=10))
    assert insights.get(insight_id).status is Status.SUPERSEDED  # type: ignore[union-attr]
