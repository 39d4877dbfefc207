"""Meta-memory: what holds across variations, tasks and environments is promoted."""

from __future__ import annotations

from memory.knowledge import InsightUpdate, Relation, Scope, Status, Where
from memory.store import Store
from reflection.promotion import promote


def learn(
    store: Store, subject: str, relation: Relation, env: str, task: str, variation: str
) -> None:
    where = Where(Scope.VARIATION, env, task, variation)
    store.insights.apply(InsightUpdate(subject, relation, f"goal {variation}", where, 2.0))


def test_insights_shared_by_two_variations_become_task_insights(store: Store) -> None:
    learn(store, "go to kitchen", Relation.NECESSARY, "scienceworld", "boil", "1")
    learn(store, "go to kitchen", Relation.MAY_BE_NECESSARY, "scienceworld", "boil", "2")
    learn(store, "focus on water", Relation.NECESSARY, "scienceworld", "boil", "1")  # one only
    ops = promote(store.insights, "scienceworld", "boil")
    assert [op.op for op in ops] == ["promote"]
    (promoted,) = store.insights.active(Scope.TASK)
    assert (promoted.subject, promoted.goal, promoted.support) == (
        "go to kitchen",
        "the boil task",
        4.0,
    )
    assert promote(store.insights, "scienceworld", "boil") == []  # idempotent


def test_task_insights_shared_by_two_tasks_reach_the_environment_and_beyond(store: Store) -> None:
    for env in ("scienceworld", "textworld"):
        for task in ("a", "b"):
            for variation in (1, 2):
                learn(store, "look around", Relation.MAY_CONTRIBUTE, env, task, variation)
            promote(store.insights, env, task)
    scopes = sorted(
        i.where.scope.value for i in store.insights.active() if i.where.scope is not Scope.VARIATION
    )
    assert scopes == ["environment", "environment", "global", "task", "task", "task", "task"]
    (everywhere,) = store.insights.active(Scope.GLOBAL)
    assert everywhere.goal == "any task" and everywhere.support == 16.0


def test_contrary_evidence_keeps_an_insight_from_being_promoted(store: Store) -> None:
    learn(store, "wait", Relation.NECESSARY, "scienceworld", "melt", "1")
    learn(store, "wait", Relation.DOES_NOT_CONTRIBUTE, "scienceworld", "melt", "2")
    assert promote(store.insights, "scienceworld", "melt") == []


def test_promotion_of_some_subjects_leaves_the_others_as_they_are(store: Store) -> None:
    for variation in (1, 2):
        learn(store, "go to kitchen", Relation.NECESSARY, "scienceworld", "boil", variation)
        learn(store, "open door", Relation.NECESSARY, "scienceworld", "boil", variation)
    ops = promote(store.insights, "scienceworld", "boil", subjects={"go to kitchen"})
    assert [store.insights.require(op.insight_id or 0).subject for op in ops] == ["go to kitchen"]
    (rest,) = promote(store.insights, "scienceworld", "boil")  # every subject: the other one
    assert store.insights.require(rest.insight_id or 0).subject == "open door"


def test_a_promoted_insight_a_person_forgot_is_not_promoted_again(store: Store) -> None:
    for variation in (1, 2):
        learn(store, "go to kitchen", Relation.NECESSARY, "scienceworld", "boil", variation)
    (promoted,) = promote(store.insights, "scienceworld", "boil")
    store.edits.forget(promoted.insight_id or 0)
    learn(store, "go to kitchen", Relation.NECESSARY, "scienceworld", "boil", 3)
    (again,) = promote(store.insights, "scienceworld", "boil")
    assert (again.op, again.insight_id, again.details["forgotten"]) == (
        "promote",
        promoted.insight_id,
        True,
    )
    assert list(store.insights.active(Scope.TASK)) == []  # no active twin
    forgotten = store.insights.require(promoted.insight_id or 0)
    assert (forgotten.status.value, forgotten.support) == ("forgotten", 6.0)  # counted, hidden
    assert promote(store.insights, "scienceworld", "boil") == []


def test_members_that_disagree_promote_the_side_with_more_of_them_once(store: Store) -> None:
    for variation in (1, 2, 3):
        learn(store, "open door", Relation.NECESSARY, "scienceworld", "boil", variation)
    for variation in (4, 5):
        learn(store, "open door", Relation.AVOID, "scienceworld", "boil", variation)
    ops = promote(store.insights, "scienceworld", "boil")
    (promoted,) = store.insights.active(Scope.TASK)
    assert promoted.relation is Relation.NECESSARY and promoted.support == 6.0
    assert [op.op for op in ops] == ["promote"]
    # More evidence on the same sides changes the numbers, not the claim: nothing flips.
    learn(store, "open door", Relation.NECESSARY, "scienceworld", "boil", 1)
    learn(store, "open door", Relation.AVOID, "scienceworld", "boil", 4)
    promote(store.insights, "scienceworld", "boil")
    (still,) = store.insights.active(Scope.TASK)
    assert (still.id, still.support) == (promoted.id, 8.0)
    assert store.insights.count(Status.SUPERSEDED) == 0
