"""A bench curve's numbers (``agent.running.bench``): means by trial, what retrying achieves,
and the spread over seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.environments.textworld import seed_of
from agent.running.bench import Curve, Played, Results, load_suite, run_suite

SUITES = Path(__file__).parents[2] / "bench" / "suites"


def played(*scores: float) -> Played:
    return Played(list(scores), [s == 100 for s in scores], [10] * len(scores))


def test_the_spread_is_over_seeds_of_the_mean_not_over_environments() -> None:
    curve = Curve(
        specs=["a", "b", "a", "b"],
        played=[played(0, 100), played(50, 0), played(100, 100), played(50, 50)],
        seeds=[0, 0, 1, 1],
    )
    assert curve.mean_by_trial() == [50.0, 62.5]
    # seed 0 means [25, 50], seed 1 means [75, 75]
    assert curve.sd_by_trial() == pytest.approx([35.355, 17.678], abs=1e-3)
    assert curve.best_of_k_by_trial() == [50.0, 75.0]
    assert curve.best_of_k_sd_by_trial() == pytest.approx([35.355, 0.0], abs=1e-3)
    one_seed = Curve(specs=["a", "b"], played=curve.played[:2], seeds=[0, 0])
    assert one_seed.sd_by_trial() == [0.0, 0.0]


def test_steps_by_trial_show_learning_where_every_trial_wins() -> None:
    shorter = Played([100, 100], [True, True], [30, 20])
    curve = Curve(specs=["a", "b"], played=[shorter, played(100, 100)], seeds=[0, 0])
    assert curve.steps_by_trial() == [20.0, 15.0]
    results = Results("s", 2)
    results.curves[("adapt", "toy", "memory")] = curve
    (row,) = results.to_json()["results"]
    assert row["steps_by_trial"] == [20.0, 15.0]


def test_seeds_survive_the_json_and_old_results_read_as_seed_0() -> None:
    results = Results("s", 2)
    curve = results.curve("adapt", "toy", "memory")
    curve.specs += ["a", "a"]
    curve.played += [played(0, 100), played(100, 100)]
    curve.seeds += [3, 4]
    data = results.to_json()
    assert data["seeds"] == [3, 4]
    again = Results.from_json(data)
    assert again.curves[("adapt", "toy", "memory")].sd_by_trial() == curve.sd_by_trial()
    for row in data["results"]:
        for env in row["envs"]:
            del env["seed"]
    assert Results.from_json(data).seeds() == [0]


def test_a_streams_scores_by_position_and_the_mean_so_far_over_seeds() -> None:
    curve = Curve(
        specs=["a", "b", "a", "a", "b", "a"],
        played=[played(s) for s in (0, 50, 100, 50, 50, 100)],
        seeds=[0, 0, 0, 1, 1, 1],
    )
    assert curve.by_position() == [25.0, 50.0, 100.0]
    assert curve.cumulative_by_position() == [25.0, 37.5, 175 / 3]
    assert curve.steps_by_position() == [10.0, 10.0, 10.0]


def test_each_new_variation_starts_from_what_training_left_and_a_stream_carries_on(
    tmp_path: Path,
) -> None:
    suite = tmp_path / "suite.toml"
    suite.write_text(
        'name = "s"\ntrials = 1\ntrain_trials = 1\n[toy]\nmax_steps = 5\n'
        'gen_env = {train = ["toy:maze@1"], test = ["toy:maze@2", "toy:maze@3"]}\n'
        'stream = ["toy:maze@4", "toy:maze@5"]\n'
    )
    seen: dict[tuple[str, str], list[str]] = {}  # (setting, spec) -> what its home held

    def play(specs, trials, max_steps, home, agent, seed):  # type: ignore[no-untyped-def]
        # A home "remembers" the specs it played, one file each.
        home.mkdir(parents=True, exist_ok=True)
        for spec in specs:
            seen[home.name.split("-")[0], str(spec)] = sorted(p.name for p in home.iterdir())
            (home / str(spec).replace(":", "_")).write_text("learned")
        return [played(50) for _ in specs]

    run_suite(load_suite(suite), play, tmp_path / "work", ["memory"])
    gen, stream, reversed_ = "gen_env", "stream", "stream_reversed"
    assert seen[gen, "toy:maze@2"] == seen[gen, "toy:maze@3"] == ["toy_maze@1"]  # training only
    assert seen[stream, "toy:maze@5"] == ["toy_maze@4"]  # a stream carries memory along
    assert seen[reversed_, "toy:maze@4"] == ["toy_maze@5"]


@pytest.mark.parametrize(
    "path",
    [p for p in sorted(SUITES.glob("*.toml")) if p.name != "baseline.toml"],  # baseline.py's own
    ids=lambda p: p.name,
)
def test_every_committed_suite_loads_with_dev_data_only(path: Path) -> None:
    specs = [
        spec
        for group in load_suite(path).groups
        for settings in (group.adapt, group.stream, *(group.gen_env or ()), *(group.gen_task or ()))
        for spec in settings
    ]
    assert specs
    reserved = [
        str(s)
        for s in specs
        if "@test" in str(s) or (s.name in ("textworld", "textcraft") and seed_of(s) >= 10_000)
    ]
    assert not reserved, "test variations and seeds >= 10000 are reserved for evaluation"
