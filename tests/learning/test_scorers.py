"""Memory acting on the choice: each memory scorer against a hand-made recollection, which
the turn carries."""

from __future__ import annotations

from agent.acting.policy import Policy
from agent.acting.state import Turn, state_key
from agent.learning.recall import Recollection
from agent.learning.scorers import ChainScorer, ExemplarScorer, InsightScorer
from memory.knowledge import Exemplar, ExemplarStep, Insight, Relation, Scope, Where
from memory.records import Step

VALID = ("go to kitchen", "open fridge", "focus on door", "look around", "eat orange")
STATE = state_key(VALID)


def exemplar(*steps: ExemplarStep, score: float = 40.0, id: int = 1) -> Exemplar:
    return Exemplar(
        "scienceworld", "boil", "3", "scienceworld:boil@3", "boil water", score, False, steps, id=id
    )


PAST = exemplar(
    ExemplarStep("go to kitchen", "You move.", 0, 10, STATE, credit=25.0, useful=True),
    ExemplarStep("eat orange", "Yum.", 0, 10, STATE, credit=0.0, useful=False),
    ExemplarStep("focus on door", "You focus.", 0, 0, STATE, credit=0.0, fatal=True),
)


def recalled(**fields: object) -> Recollection:
    return Recollection(**fields)  # type: ignore[arg-type]


def turn(history: tuple[Step, ...] = (), recollection: Recollection | None = None) -> Turn:
    recollection = recollection or Recollection()
    return Turn(
        "Your task is to boil water.", "A hallway.", VALID, history, recollection=recollection
    )


def test_insights_push_necessary_actions_once_and_hold_back_fruitless_ones() -> None:
    task = Where(Scope.TASK, "scienceworld", "boil")
    insights = (
        Insight("Go to the kitchen", Relation.NECESSARY, "g", task, 4, 0, id=7),
        Insight("eat orange", Relation.DOES_NOT_CONTRIBUTE, "g", task, 3, 0, id=8),
    )
    memory, scorer = recalled(insights=insights), InsightScorer()
    votes = scorer.score(turn(recollection=memory))
    assert votes["go to kitchen"].value > 0 and votes["go to kitchen"].memories == ("insight:7",)
    assert votes["eat orange"].value < 0
    done = (Step(1, "go to kitchen", "You move.", 0, 0, False, False, False),)
    assert "go to kitchen" not in scorer.score(turn(done, memory))
    assert scorer.score(turn()) == {}  # the next trial's recollection, not this one's index


def test_being_on_the_way_to_a_gain_in_other_games_is_not_a_reason_here() -> None:
    task = Where(Scope.TASK, "scienceworld", "boil")
    game = Where(Scope.VARIATION, "scienceworld", "boil", "3")
    insights = (
        Insight("eat orange", Relation.MAY_BE_NECESSARY, "g", task, 6, 0, id=1),
        Insight("open fridge", Relation.MAY_BE_NECESSARY, "g", game, 2, 0, id=2),
        Insight("go to kitchen", Relation.NECESSARY, "g", task, 2, 0, id=3),
    )
    votes = InsightScorer().score(turn(recollection=recalled(insights=insights)))
    assert set(votes) == {"open fridge", "go to kitchen"}


def test_exemplar_points_at_its_next_useful_step() -> None:
    walkthrough = exemplar(
        ExemplarStep("look around", "A hall.", 0, 0, useful=True, credit=1),
        ExemplarStep("go to kitchen", "You move.", 0, 40, useful=True, credit=40),
    )
    same_game = recalled(task="boil", variation="3", exemplars=(walkthrough,))
    scorer = ExemplarScorer()
    assert set(scorer.score(turn(recollection=same_game))) == {"look around"}
    looked = (Step(1, "look around", "A hall.", 0, 0, False, False, False),)
    assert set(scorer.score(turn(looked, same_game))) == {"go to kitchen"}
    # Of another variation's trajectory, only what raised its score carries over.
    other = recalled(task="boil", variation="4", exemplars=(walkthrough,))
    assert set(scorer.score(turn(recollection=other))) == {"go to kitchen"}


def test_chain_points_at_the_first_undone_precondition() -> None:
    memory, scorer = recalled(chain=("look around", "open fridge")), ChainScorer()
    assert set(scorer.score(turn(recollection=memory))) == {"look around"}
    done = (Step(1, "look around", "A hall.", 0, 0, False, False, False),)
    assert set(scorer.score(turn(done, memory))) == {"open fridge"}


def test_the_decision_records_which_memories_moved_it() -> None:
    now = turn(recollection=recalled(exemplars=(PAST,)))
    from agent.acting.policy import default_scorers
    from agent.learning.scorers import memory_scorers

    policy = Policy(default_scorers() + memory_scorers(), seed=0)
    choice = policy.choose(now, policy.evidence(now))
    assert choice.action == "go to kitchen"
    assert "exemplar:1" in choice.candidates[0].memories
    assert "exemplar" in choice.candidates[0].evidence


def test_a_trajectory_of_another_variation_is_rebound_and_skips_what_is_not_offered() -> None:
    foil = Exemplar(
        "scienceworld",
        "test-conductivity",
        "0",
        "scienceworld:test-conductivity@0",
        "Determine if aluminum foil is conductive. Place it in the blue box.",
        100.0,
        True,
        (
            ExemplarStep("go to bedroom", "You move.", 0, 5, useful=True, credit=5),
            ExemplarStep("go to workshop", "You move.", 0, 10, useful=True, credit=10),
            ExemplarStep("focus on aluminum foil", "You focus.", 0, 20, useful=True, credit=20),
            ExemplarStep("move aluminum foil to blue box", "Done.", 0, 100, useful=True),
        ),
        id=4,
    )
    memory = recalled(task="test-conductivity", exemplars=(foil,))
    task = "Determine if paper clip is conductive. Place it in the green box."
    valid = ("go to workshop", "go to hallway", "move table to blue box")
    scorer = ExemplarScorer()
    # the bedroom is not next door here: the vote skips to the workshop
    hall = Turn(task, "A hall.", valid, (), recollection=memory)
    assert set(scorer.score(hall)) == {"go to workshop"}
    there = (Step(1, "go to workshop", "You move.", 0, 0, False, False, False),)
    valid = ("focus on paper clip", "focus on aluminum foil", "move table to green box")
    votes = scorer.score(Turn(task, "A workshop.", valid, there, recollection=memory))
    assert set(votes) == {"focus on paper clip"} and votes["focus on paper clip"].memories == (
        "exemplar:4",
    )
    focused = (*there, Step(2, "focus on paper clip", "You focus.", 0, 0, False, False, False))
    # another object in the right box is not the step: no vote rather than a wrong one
    assert scorer.score(Turn(task, "A workshop.", valid, focused, recollection=memory)) == {}


def test_the_things_this_episode_took_the_exemplars_steps_on_are_its_next_steps_things() -> None:
    task = "Your task is to find a(n) living thing. Then, move it to the green box."
    plant = Exemplar(
        "scienceworld",
        "find-living-thing",
        "0",
        "scienceworld:find-living-thing@0",
        "Your task is to find a(n) living thing. Then, move it to the red box.",
        100.0,
        True,
        (
            ExemplarStep("focus on living thing in flower pot 5", "Ok.", 0, 50, useful=True),
            ExemplarStep("pick up flower pot 5", "Ok.", 0, 75, useful=True),
            ExemplarStep("move flower pot 5 to red box", "Done.", 0, 100, useful=True),
        ),
        id=6,
    )
    memory = recalled(task="find-living-thing", exemplars=(plant,))
    focused = (Step(1, "focus on living thing in flower pot 1", "", 0, 50, False, False, False),)
    valid = ("pick up flower pot 5", "pick up flower pot 1", "look around")
    votes = ExemplarScorer().score(Turn(task, "A greenhouse.", valid, focused, recollection=memory))
    assert set(votes) == {"pick up flower pot 1"}  # the pot of the plant focused on here
    held = (*focused, Step(2, "pick up flower pot 1", "", 0, 75, False, False, False))
    valid = ("move flower pot 1 to green box", "move flower pot 5 to green box")
    votes = ExemplarScorer().score(Turn(task, "A kitchen.", valid, held, recollection=memory))
    assert set(votes) == {"move flower pot 1 to green box"}


def test_an_irreversible_step_learned_on_another_variation_needs_the_task_to_name_its_object() -> (
    None
):
    water = Exemplar(
        "scienceworld",
        "melt",
        "0",
        "scienceworld:melt@0",
        "Your task is to melt water. First, focus on the substance.",
        37.0,
        False,
        (
            ExemplarStep("go to outside", "Outside.", 0, 3, "s1", credit=3, useful=True),
            ExemplarStep("focus on substance in fountain", "Ok.", 0, 37, "s2", 37, useful=True),
        ),
        id=9,
    )
    task = "Your task is to melt ice cream. First, focus on the substance."
    valid = ("focus on substance in fountain", "focus on ice cream", "look around")
    history = (Step(1, "go to outside", "Outside.", 0, 3, False, False, False),)
    tasks = Where(Scope.TASK, "scienceworld", "melt")
    necessary = Insight(
        "focus on substance in fountain", Relation.NECESSARY, "g", tasks, 5, 0, id=3
    )
    for variation, voted in (("1", False), ("0", True)):  # another variation; the same one
        memory = recalled(
            task="melt",
            variation=variation,
            exemplars=(water,),
            insights=(necessary,) if variation == "1" else (),
        )
        here = Turn(task, "Outside.", valid, history, frozenset(valid[:2]), recollection=memory)
        votes = {
            **ExemplarScorer().score(here),
            **InsightScorer().score(here),
        }
        assert ("focus on substance in fountain" in votes) is voted
