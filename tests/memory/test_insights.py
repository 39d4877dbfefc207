"""How evidence becomes beliefs: add, support, strengthen, refute, supersede, promote."""

from __future__ import annotations

import pytest

from memory.knowledge import InsightUpdate, Relation, Scope, Status, Where
from memory.store import Store

HERE = Where(Scope.VARIATION, "scienceworld", "boil", "3")


def update(
    relation: Relation, weight: float = 1.0, subject: str = "open cupboard"
) -> InsightUpdate:
    return InsightUpdate(
        subject,
        relation,
        "boil water",
        HERE,
        weight,
        "evidence",
        trial_id=7,
        steps=(4,),
        reason="test",
    )


def test_evidence_accumulates_on_one_insight(store: Store) -> None:
    insights = store.insights
    assert [op.op for op in insights.apply(update(Relation.MAY_BE_NECESSARY))] == ["add"]
    ops = insights.apply(update(Relation.NECESSARY, subject="Open the cupboard"))  # same, reworded
    assert [op.op for op in ops] == ["support", "edit"]
    (insight,) = insights.active()
    assert (insight.relation, insight.support, insight.refute) == (Relation.NECESSARY, 2.0, 0.0)
    assert insight.confidence == pytest.approx(3 / 4)
    assert [e["kind"] for e in insights.evidence(insight.id)] == ["support", "support"]
    assert [e["trial_id"] for e in insights.evidence(insight.id)] == [7, 7]


def test_a_contradiction_supersedes_but_deletes_nothing(store: Store) -> None:
    insights = store.insights
    insights.apply(update(Relation.NECESSARY))
    assert [op.op for op in insights.apply(update(Relation.DOES_NOT_CONTRIBUTE))] == ["refute"]
    ops = insights.apply(update(Relation.DOES_NOT_CONTRIBUTE))
    assert [op.op for op in ops] == ["refute", "supersede"]
    old = insights.get(ops[0].insight_id)
    assert old is not None and old.status is Status.SUPERSEDED
    (successor,) = insights.active()
    assert old.superseded_by == successor.id
    assert successor.relation is Relation.DOES_NOT_CONTRIBUTE
    assert (successor.support, successor.refute) == (2.0, 1.0)  # the evidence carried over
    assert insights.count(Status.SUPERSEDED) == 1
    assert [o["op"] for o in insights.operations(old.id)] == [
        "add",
        "refute",
        "refute",
        "supersede",
    ]


def test_a_pinned_insight_is_never_superseded_automatically(store: Store) -> None:
    insights = store.insights
    (added,) = insights.apply(update(Relation.NECESSARY))
    insights.table.update(added.insight_id, {"pinned": 1})
    for _ in range(5):
        insights.apply(update(Relation.DOES_NOT_CONTRIBUTE))
    (insight,) = insights.active()
    assert insight.id == added.insight_id and insight.relation is Relation.NECESSARY
    assert insight.refute == 5.0


def test_recall_for_a_variation_includes_wider_scopes_narrowest_first(store: Store) -> None:
    insights = store.insights
    for where in (
        Where(Scope.GLOBAL),
        Where(Scope.ENVIRONMENT, "scienceworld"),
        Where(Scope.TASK, "scienceworld", "boil"),
        HERE,
        Where(Scope.VARIATION, "scienceworld", "boil", "4"),  # another variation: not recalled
        Where(Scope.TASK, "scienceworld", "melt"),  # another task: not recalled
    ):
        insights.apply(InsightUpdate("look around", Relation.MAY_CONTRIBUTE, "x", where))
    recalled = insights.for_task("scienceworld", "boil", "3")
    assert [i.where.scope for i in recalled] == [
        Scope.VARIATION,
        Scope.TASK,
        Scope.ENVIRONMENT,
        Scope.GLOBAL,
    ]


def test_recall_takes_the_most_confident_of_each_scope_and_pinned_ones_first(
    store: Store,
) -> None:
    insights = store.insights
    environment = Where(Scope.ENVIRONMENT, "scienceworld")
    for n, weight in enumerate((1.0, 5.0, 3.0, 0.5)):
        claim = InsightUpdate(f"open door {n}", Relation.NECESSARY, "x", environment, weight)
        insights.apply(claim)
    (weak,) = [i for i in insights.active() if i.subject == "open door 3"]
    insights.table.update(weak.id, {"pinned": 1})
    insights.apply(update(Relation.NECESSARY))  # the variation's own: its scope has room
    recalled = insights.for_task("scienceworld", "boil", 3, per_scope=2)
    assert [i.subject for i in recalled] == ["open cupboard", "open door 3", "open door 1"]


def test_promotion_sets_evidence_rather_than_adding_it(store: Store) -> None:
    insights = store.insights
    task = Where(Scope.TASK, "scienceworld", "boil")
    args = ("go to kitchen", Relation.NECESSARY, "the boil task", task)
    assert [op.op for op in insights.promote(*args, 3.0, 1.0, (1, 2))] == ["promote"]
    assert insights.promote(*args, 3.0, 1.0, (1, 2)) == []  # nothing changed: nothing logged
    insights.promote(*args, 5.0, 1.0, (1, 2, 3))
    (promoted,) = insights.active()
    assert (promoted.support, promoted.refute, promoted.origin) == (5.0, 1.0, "promotion")


def test_listings_filter_sort_and_count_in_the_database(store: Store) -> None:
    insights = store.insights
    task = Where(Scope.TASK, "scienceworld", "boil")
    for n, weight in enumerate((1.0, 5.0, 3.0)):
        insights.apply(InsightUpdate(f"open door {n}", Relation.NECESSARY, "x", task, weight))
    insights.apply(update(Relation.NECESSARY))
    best = insights.select(min_confidence=0.7, limit=2)
    assert [(i.subject, round(i.confidence, 2)) for i in best] == [
        ("open door 1", 0.86),
        ("open door 2", 0.8),
    ]
    assert insights.count_active_by_scope() == {
        Scope.VARIATION: 1,
        Scope.TASK: 3,
        Scope.ENVIRONMENT: 0,
        Scope.GLOBAL: 0,
    }
    assert insights.count_operations() == 4
    assert [o["details"]["text"] for o in insights.operations(last=2)] == [
        "open door 2 SHOULD BE NECESSARY to x",
        "open cupboard SHOULD BE NECESSARY to boil water",
    ]


@pytest.mark.parametrize("text", ["\x00", "\x00cupboard", '"', "AND OR NOT *"])
def test_full_text_search_takes_any_text(store: Store, text: str) -> None:
    store.insights.apply(update(Relation.NECESSARY))
    found = store.insights.search_text(text)
    assert [i.subject for i in found] == (["open cupboard"] if "cup" in text else [])
