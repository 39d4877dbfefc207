"""What a trial sets out to do, chosen from the archive (``agent.learning.plans``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from agent.environments import parse
from agent.environments.toy import OPPOSITE, ToyWorld
from agent.learning.plans import choose_plan, shortcuts, shortest_form
from memory.archive import Archive, Cell, Outcome
from memory.embedding import HashEmbedder
from reflection.archiving import fold_trial
from tests.support.play import play

MAZE = "toy:maze@2,rooms=10"


def detour_then_win(env: ToyWorld) -> list[str]:
    """Look around, walk to the room farthest from the coin and back, then win."""
    rooms = sorted(env.world.exits)
    far = max(rooms, key=lambda room: len(env.route(room)))
    there = env.route(far)
    back = [f"go {OPPOSITE[a.removeprefix('go ')]}" for a in reversed(there)]
    return ["look around", *there, *back, *(env.oracle_actions() or [])]


def test_a_won_way_is_played_without_its_detours() -> None:
    env = ToyWorld(parse(MAZE))
    walk = detour_then_win(env)
    start, steps = play(env, walk)
    assert steps[-1].won
    archive, _ = fold_trial(Archive("toy", "maze", "2,rooms=10"), start, steps, trial_id=1)
    plan = choose_plan(archive, env.task)
    assert plan.won and list(plan.path) == env.oracle_actions()  # the detour is cut out
    assert len(plan.states) == len(plan.path)  # ...and checked step by step as it is followed
    _, replayed = play(env, list(plan.path))
    assert replayed[-1].won


def test_after_a_shortened_way_lost_the_way_that_won_is_replayed() -> None:
    env = ToyWorld(parse(MAZE))
    walk = detour_then_win(env)
    start, steps = play(env, walk)
    archive, _ = fold_trial(Archive("toy", "maze", "2,rooms=10"), start, steps, trial_id=1)
    _, lost = play(env, ["look around", "inventory"])  # a trial that did not win
    archive, _ = fold_trial(archive, start, lost, trial_id=2)
    assert archive.setbacks == 1
    assert choose_plan(archive, env.task).path == tuple(walk)  # exactly as it was won


def test_a_detour_that_never_leaves_its_place_is_kept() -> None:
    """Waiting in one place may be why the game was won (ScienceWorld: the stove heats)."""
    env = ToyWorld(parse(MAZE))
    oracle = env.oracle_actions() or []
    walk = [*oracle[:-1], "look around", "inventory", "look around", oracle[-1]]
    start, steps = play(env, walk)
    archive, _ = fold_trial(Archive("toy", "maze", "2,rooms=10"), start, steps, trial_id=1)
    (won,) = [c for c in archive.cells.values() if c.won]
    path, _ = shortest_form(won.path, archive)
    assert list(path) == walk


def risky_cell(key: str, risks: tuple[str, ...], tried: tuple[Outcome, ...], trial: int) -> Cell:
    return Cell(key, "den", (), 0.0, risks=risks, tried=tried, first_trial=1, last_trial=trial)


def test_each_lost_gamble_is_remembered_and_the_next_candidate_tried() -> None:
    """The elimination search: one untried irreversible action per trial, closest to the task
    first, each loss remembered, until the right one is found."""
    task = "Your task is to find a living thing. Focus on it."
    candidates = ("focus on baby bear", "focus on living rose", "focus on steel chair")
    embedder = HashEmbedder()
    tried: tuple[Outcome, ...] = (Outcome("look around", "s0", "s0", "den||0", changed=False),)
    archive = Archive("toy", "fetch", "1", start="s0", trials=1)
    gambled = []
    for trial in range(2, 2 + len(candidates)):
        start = risky_cell("den||0", candidates, tried, trial)
        archive = replace(archive, trials=trial, cells={start.key: start})
        plan = choose_plan(archive, task, embedder)
        assert plan.gamble is not None and plan.gamble not in gambled
        gambled.append(plan.gamble)
        lost = Outcome(plan.gamble, "s0", "den||0#end", "den||0", changed=True, fatal=True)
        tried = (*tried, lost)
    assert sorted(gambled) == sorted(candidates)  # every candidate once, none twice
    assert gambled[0] == "focus on living rose"  # the one closest to "a living thing" first
    start = risky_cell("den||0", candidates, tried, 9)
    exhausted = replace(archive, cells={start.key: start})
    assert choose_plan(exhausted, task, embedder).gamble is None


class Leaning:
    """A real embedder of the interface with a bias: every text is ``lean``-like (to see
    the rule that comes before meaning)."""

    name, dimension = "leaning", 2

    def __init__(self, lean: str) -> None:
        self.lean = lean

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [[1.0, 0.0] if self.lean in t or "find" in t else [0.0, 1.0] for t in texts]


def test_the_search_tries_a_thing_the_goal_names_before_the_closest_in_meaning() -> None:
    task = "Your task is to find a(n) plant. First, focus on the thing."
    candidates = ("focus on potato", "focus on adult pea plant", "focus on flower pot 6")
    tried = (Outcome("look around", "s0", "s0", "den||0", changed=False),)
    archive = Archive("toy", "fetch", "1", start="s0", trials=1)
    archive = replace(archive, cells={"den||0": risky_cell("den||0", candidates, tried, 1)})
    assert choose_plan(archive, task, Leaning("potato")).gamble == "focus on adult pea plant"
    without_name = replace(
        archive, cells={"den||0": risky_cell("den||0", candidates[::2], tried, 1)}
    )
    assert choose_plan(without_name, task, Leaning("potato")).gamble == "focus on potato"


def test_a_thing_that_shares_a_word_with_a_place_is_still_a_candidate() -> None:
    """ "living thing in flower pot 3" is a thing (ScienceWorld's pea plant, grown), though
    "living room" is a place; "focus on living room" and its door are not candidates."""
    task = "Your task is to find a(n) plant. First, focus on the thing."
    risks = ("focus on door to living room", "focus on living room", "focus on living thing")
    moved = Outcome("go to living room", "s0", "s1", "living room||0", changed=True)
    den = replace(risky_cell("den||0", risks, (moved,), 1), offered=("go to living room",))
    room = Cell("living room||0", "living room", (), 0.0, path=("go to living room",))
    archive = Archive("toy", "fetch", "1", start="s0", trials=1)
    archive = replace(archive, cells={den.key: den, room.key: room})
    assert choose_plan(archive, task, Leaning("living")).gamble == "focus on living thing"


def test_after_a_loss_things_of_the_same_kind_wait_for_the_others() -> None:
    """ "flower in pea" lost: "flower in apple tree" is a flower too, "apple tree" is not."""
    task = "Your task is to find a(n) plant. First, focus on the thing."
    risks = ("focus on flower in pea", "focus on flower in apple tree", "focus on apple tree")
    lost = Outcome("focus on flower in pea", "s0", "s0#end", "den||0", changed=True, fatal=True)
    archive = Archive("toy", "fetch", "1", start="s0", trials=2)
    archive = replace(archive, cells={"den||0": risky_cell("den||0", risks, (lost,), 2)})
    assert choose_plan(archive, task, Leaning("flower")).gamble == "focus on apple tree"


def test_a_shortcut_does_not_skip_what_raised_the_score() -> None:
    """Focusing changes neither the place nor what is seen (the fine state), only the
    score: the way to the cell it reached must keep it, not pass it by as a detour."""
    start, outside = "s0", "s1"
    cells = {
        "kitchen||0": Cell(
            "kitchen||0",
            "kitchen",
            (),
            0.0,
            tried=(Outcome("go outside", start, outside, "outside||0", changed=True),),
        ),
        "outside||0": Cell(
            "outside||0",
            "outside",
            (),
            0.0,
            path=("go outside",),
            tried=(Outcome("focus on beaver", outside, outside, "outside||75", changed=True),),
            risks=("focus on beaver",),
        ),
        "outside||75": Cell(
            "outside||75",
            "outside",
            (),
            75.0,
            path=("go outside", "focus on beaver"),
            tried=(Outcome("go foundry", outside, "s2", "foundry||75", changed=True),),
        ),
        "foundry||75": Cell(
            "foundry||75",
            "foundry",
            (),
            75.0,
            path=("go outside", "wait", "focus on beaver", "go foundry"),
        ),
    }
    archive = Archive("toy", "fetch", "1", start=start, trials=2, cells=cells)
    assert shortcuts(archive)["foundry||75"][0] == ("go outside", "focus on beaver", "go foundry")


def test_among_cells_of_the_best_score_the_one_where_it_was_raised_comes_first() -> None:
    """Picking the beaver up raised the score; wandering on with it put down did not: the
    next trial explores from where the progress was made, not from the farthest cell."""
    held = Outcome("pick up beaver", "s1", "s2", "outside|beaver|83", changed=True)
    dropped = Outcome("put down beaver", "s2", "s3", "outside||83", changed=True)
    walked = Outcome("go to bedroom", "s3", "s4", "bedroom||83", changed=True)
    cells = {
        "outside||75": Cell("outside||75", "outside", (), 75.0, tried=(held,)),
        "outside|beaver|83": Cell(
            "outside|beaver|83",
            "outside",
            ("beaver",),
            83.0,
            path=("pick up beaver",),
            tried=(dropped,),
            offered=("look around", "go to kitchen"),
        ),
        "outside||83": Cell(
            "outside||83",
            "outside",
            (),
            83.0,
            path=("pick up beaver", "put down beaver"),
            tried=(walked,),
            offered=("look around",),
        ),
        "bedroom||83": Cell(
            "bedroom||83",
            "bedroom",
            (),
            83.0,
            path=("pick up beaver", "put down beaver", "go to bedroom"),
            offered=("look around",),
        ),
    }
    archive = Archive("toy", "fetch", "1", start="s1", trials=3, cells=cells)
    plan = choose_plan(archive, "find a living thing")
    assert plan.target == "outside|beaver|83"
    chosen = {**cells, "outside|beaver|83": replace(cells["outside|beaver|83"], chosen=3)}
    assert choose_plan(replace(archive, cells=chosen)).target != "outside|beaver|83"


def test_no_way_goes_through_an_action_that_lost_the_game() -> None:
    """Eating the peanut oil ended a trial: the cell it led to is not returned to by taking
    it again, though the cell has untried actions and looks least explored."""
    ate = Outcome("eat peanut oil", "s1", "s2", "den||0", changed=True, fatal=True)
    walked = Outcome("go east", "s1", "s3", "hall||0", changed=True)
    cells = {
        "barn||0": Cell("barn||0", "barn", (), 0.0, tried=(ate, walked), chosen=3),
        "den||0": Cell("den||0", "den", (), 0.0, path=("eat peanut oil",), offered=("look",)),
        "hall||0": Cell("hall||0", "hall", (), 0.0, path=("go east",), offered=("look",), chosen=1),
    }
    archive = Archive("toy", "maze", "1", start="s1", trials=2, cells=cells)
    plan = choose_plan(archive, "find the coin")
    assert plan.target == "hall||0" and plan.path == ("go east",)


def test_where_no_score_tells_cells_apart_the_one_furthest_along_the_instructions_comes_first() -> (
    None
):
    task = "First, go north. Then take the key. After that, unlock the chest with the key."
    north = Outcome("go north", "s0", "s1", "hall||0", changed=True)
    south = Outcome("go south", "s0", "s2", "den||0", changed=True)
    key = Outcome("take key", "s1", "s3", "hall|key|0", changed=True)
    offered = ("look", "unlock chest with key")
    cells = {
        "cellar||0": Cell("cellar||0", "cellar", (), 0.0, tried=(north, south), chosen=3),
        "hall||0": Cell("hall||0", "hall", (), 0.0, path=("go north",), tried=(key,), chosen=3),
        "hall|key|0": Cell(
            "hall|key|0",
            "hall",
            ("key",),
            0.0,
            path=("go north", "take key"),
            offered=offered,
            chosen=1,
        ),
        "den||0": Cell("den||0", "den", (), 0.0, path=("go south",), offered=offered),
    }
    archive = Archive("textworld", "treasure_hunter", "1", start="s0", trials=2, cells=cells)
    assert choose_plan(archive, task).target == "hall|key|0"


def test_a_focus_the_game_heeded_ends_the_search_one_it_ignored_does_not() -> None:
    """ScienceWorld's wrong focus ends the game at once, and the right one raises the
    score: a trial that focused and went on found it. But "focus on ice cream" while the ice
    cream is shut in the freezer is answered "No known action matches that input." and
    changes nothing: it is still the candidate."""
    task = "Your task is to melt ice cream. First, focus on the substance."

    def archive_after(focus_led_to: str) -> Archive:
        focused = Outcome("focus on ice cream", "s1", "s2", focus_led_to, changed=True)
        start = Cell(
            "kitchen||3",
            "kitchen",
            (),
            3.0,
            risks=("focus on ice cream", "focus on freezer"),
            tried=(focused,),
            first_trial=1,
            last_trial=2,
        )
        after = Cell(
            focus_led_to + "#", "kitchen", (), 3.0, path=("focus on ice cream",), first_trial=1
        )
        cells = {c.key: c for c in (start, after)}
        return Archive("scienceworld", "melt", "0", start="s1", trials=2, cells=cells)

    assert choose_plan(archive_after("kitchen||70"), task, HashEmbedder()).gamble is None
    ignored = choose_plan(archive_after("kitchen||3"), task, HashEmbedder())
    assert ignored.gamble == "focus on ice cream"
