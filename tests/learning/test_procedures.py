"""What a task's variations taught carries, in role form, to a variation it was not learned
on: insights the variations agree on, and the procedure their won ways add up to."""

from __future__ import annotations

from pathlib import Path

from agent.acting.state import Turn
from agent.learning.carried import TaskRoles
from agent.learning.procedures import procedure_of
from agent.learning.recall import Recaller
from agent.learning.scorers import ProcedureScorer
from memory.embedding import HashEmbedder
from memory.knowledge import Exemplar, ExemplarStep, InsightUpdate, Relation, Scope, Where
from memory.memory import Memory
from memory.store import Store
from memory.vectors import VectorIndex
from reflection.trajectory import goal_for

TEST = (
    "Your task is to determine if {thing} is electrically conductive. First, focus on the "
    "{thing}. If it is electrically conductive, place it in the {yes} box. If it is "
    "electrically nonconductive, place it in the {no} box."
)
GAMES = {
    "1": {"thing": "aluminum foil", "yes": "red", "no": "green"},
    "2": {"thing": "iron nail", "yes": "blue", "no": "orange"},
    "3": {"thing": "copper wire", "yes": "yellow", "no": "purple"},
}
NEW = TEST.format(thing="paper clip", yes="pink", no="black")


def won_way(name: str, *, detour: str | None = None) -> Exemplar:
    """A won trial of game ``name``: to the workshop, (a detour), focus, into the yes box."""
    slots = GAMES[name]
    actions = ["go to workshop", *([detour] if detour else []), f"focus on {slots['thing']}"]
    actions.append(f"move {slots['thing']} to {slots['yes']} box")
    scores = [0.0, *([0.0] if detour else []), 50.0, 100.0]
    steps = tuple(
        ExemplarStep(action, "", 0.0, score, useful=True)
        for action, score in zip(actions, scores, strict=True)
    )
    return Exemplar(
        "scienceworld", "test-conductivity", name, "s", TEST.format(**slots), 100, True, steps
    )


def home(tmp_path: Path, games: tuple[str, ...] = ("1", "2", "3")) -> Memory:
    store = Store(tmp_path / "cairn.db")
    memory = Memory(store, VectorIndex(HashEmbedder(), tmp_path / "chroma"))
    for name in games:
        store.exemplars.add(won_way(name, detour="look around" if name == "2" else None))
    return memory


def test_the_won_ways_of_a_task_merge_into_one_procedure_in_role_form(tmp_path: Path) -> None:
    store = home(tmp_path).store
    roles = TaskRoles.of(store, "scienceworld", "test-conductivity")
    procedure = procedure_of(
        store.exemplars.won_ways("scienceworld", "test-conductivity", 50), roles
    )
    assert procedure.won == 3
    assert procedure.lines() == [
        "1. go to workshop",
        "2. look around (optional: 1 of 3)",
        "3. focus on {1} [raised the score]",
        "4. move {1} to {2} box [raised the score]",
    ]
    bound = procedure.bound(roles, NEW)
    assert bound.to_follow() == [
        "go to workshop",
        "focus on paper clip",
        "move paper clip to pink box",
    ]


def test_a_new_variations_first_turn_follows_the_procedure_bound_to_it(tmp_path: Path) -> None:
    recollection = Recaller(home(tmp_path), embedder=HashEmbedder()).recall(
        "scienceworld", "test-conductivity", "4", NEW
    )
    assert "3. focus on paper clip [raised the score]" in recollection.prompt_lines()
    turn = Turn(
        task=NEW,
        observation="",
        valid_actions=("go to kitchen", "focus on paper clip", "move paper clip to pink box"),
        history=(),
        irreversible_actions=frozenset({"focus on paper clip"}),
        recollection=recollection,
    )
    # the workshop is not offered here: the next step that is, is voted for
    assert list(ProcedureScorer().score(turn)) == ["focus on paper clip"]


def test_what_two_variations_agree_on_in_role_form_is_recalled_for_a_new_one(
    tmp_path: Path,
) -> None:
    memory = home(tmp_path)
    for name in ("1", "2"):
        slots = GAMES[name]
        where = Where(Scope.VARIATION, "scienceworld", "test-conductivity", name)
        description = TEST.format(**slots)
        memory.store.insights.apply(
            InsightUpdate(
                f"move {slots['thing']} to {slots['no']} box",
                Relation.AVOID,
                goal_for(where, description),
                where,
                weight=3.0,
            )
        )
    recollection = Recaller(memory, embedder=HashEmbedder()).recall(
        "scienceworld", "test-conductivity", "4", NEW
    )
    carried = [i for i in recollection.insights if i.id is None]
    assert [(i.subject, i.relation, i.where.scope) for i in carried] == [
        ("move paper clip to black box", Relation.AVOID, Scope.TASK)
    ]
    assert carried[0].support == 6.0
    # one variation alone is no evidence for the task
    alone = Recaller(memory, embedder=HashEmbedder()).recall(
        "scienceworld", "test-conductivity", "1", TEST.format(**GAMES["1"])
    )
    assert not [i for i in alone.insights if i.id is None]


def test_one_won_way_is_shown_but_not_followed_twice(tmp_path: Path) -> None:
    store = home(tmp_path, games=("1",)).store
    roles = TaskRoles.of(store, "scienceworld", "test-conductivity", NEW)
    procedure = procedure_of(
        store.exemplars.won_ways("scienceworld", "test-conductivity", 50), roles
    )
    assert procedure.won == 1 and procedure.bound(roles, NEW).lines()[-1] == (
        "3. move paper clip to pink box [raised the score]"
    )
    assert procedure.to_follow() == []  # the exemplar voice follows the one trajectory
