"""``cairn bench --compare A.json B.json``: what changed between two real bench results."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import cairn, one_error_line

SUITE = """name = "tiny"
trials = 2

[toy]
max_steps = {steps}
adapt = ["toy:maze@1,rooms=4", "toy:maze@2,rooms=4"]
"""


def bench(tmp_path: Path, name: str, steps: int, *flags: str) -> Path:
    suite = tmp_path / f"{name}.toml"
    suite.write_text(SUITE.format(steps=steps))
    out = tmp_path / f"{name}.json"
    result = cairn(
        "bench", str(suite), "--policy", "evidence", "--json", str(out), *flags,
        cache=tmp_path / "cache",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


def test_two_results_are_compared_per_curve_and_per_environment(tmp_path: Path) -> None:
    """A step budget too short to find the coin against one long enough: the change is
    what the longer budget won, curve by curve and maze by maze."""
    short, long = bench(tmp_path, "short", 1), bench(tmp_path, "long", 30)
    result = cairn("bench", "--compare", str(short), str(long), "--json", "-", cache=tmp_path)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    memory = next(c for c in found["curves"] if c["agent"] == "memory")
    assert memory["last"][0] < memory["last"][1] and memory["change"] > 0
    envs = {e["env"] for e in found["envs"] if e["agent"] == "memory"}
    assert envs == {"toy:maze@1,rooms=4", "toy:maze@2,rooms=4"}
    shown = cairn("bench", "--compare", str(short), str(long), cache=tmp_path)
    assert "toy:maze@1,rooms=4" in shown.stdout and "change" in shown.stdout


def test_a_file_that_is_not_a_bench_result_is_one_clear_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text('{"runs": []}')
    result = cairn("bench", "--compare", str(junk), str(junk), cache=tmp_path)
    one_error_line(result, "junk.json", "cairn bench SUITE --json")
    one_error_line(cairn("bench", cache=tmp_path), "--compare")


def test_with_seeds_every_setting_is_played_per_seed_and_shown_with_its_spread(
    tmp_path: Path,
) -> None:
    """A budget the maze is sometimes found in: seeds differ, and the spread says how much."""
    out = bench(tmp_path, "seeded", 6, "--seeds", "3", "--seed", "4", "--workdir", str(tmp_path))
    found = json.loads(out.read_text())
    assert found["seeds"] == [4, 5, 6]
    memory = next(r for r in found["results"] if r["agent"] == "memory")
    assert sorted((e["env"], e["seed"]) for e in memory["envs"]) == sorted(
        (f"toy:maze@{m},rooms=4", s) for m in (1, 2) for s in (4, 5, 6)
    )
    assert len(memory["sd_by_trial"]) == 2 and all(sd >= 0 for sd in memory["sd_by_trial"])
    homes = {p.name for p in tmp_path.iterdir() if p.name.startswith("adapt-")}
    assert {"adapt-toy-memory-0", "adapt-toy-memory-0-seed5", "adapt-toy-memory-0-seed6"} <= homes
    again = cairn("bench", "--compare", str(out), str(out), "--json", "-", cache=tmp_path)
    assert not any(c["differs"] for c in json.loads(again.stdout)["curves"])


def test_a_stream_is_played_once_each_in_order_and_reversed(tmp_path: Path) -> None:
    """Evo-Memory's protocol: a maze met again later in the stream is found from memory."""
    suite = tmp_path / "stream.toml"
    suite.write_text(
        'name = "stream"\ntrials = 3\n[toy]\nmax_steps = 12\n'
        'stream = ["toy:maze@2,rooms=8", "toy:fetch@3", "toy:maze@2,rooms=8"]\n'
    )
    out = tmp_path / "stream.json"
    result = cairn(
        "bench", str(suite), "--policy", "evidence", "--json", str(out), cache=tmp_path / "cache"
    )
    assert result.returncode == 0, result.stderr
    assert "stream toy: score by position" in result.stdout
    rows = {(r["setting"], r["agent"]): r for r in json.loads(out.read_text())["results"]}
    forward, backward = rows[("stream", "memory")], rows[("stream_reversed", "memory")]
    assert [e["env"] for e in forward["envs"]] == [
        "toy:maze@2,rooms=8", "toy:fetch@3", "toy:maze@2,rooms=8"
    ]  # fmt: skip
    assert [e["env"] for e in backward["envs"]] == [e["env"] for e in forward["envs"]][::-1]
    assert all(len(e["scores"]) == 1 for e in forward["envs"])  # once each, not 3 trials
    assert len(forward["by_position"]) == len(forward["cumulative_by_position"]) == 3
    first, _, again = forward["steps_by_position"]
    assert again < first or forward["by_position"][2] > forward["by_position"][0]
    assert ("stream", "no-memory") in rows


def test_a_stream_that_is_not_a_list_of_specs_is_one_line(tmp_path: Path) -> None:
    suite = tmp_path / "bad.toml"
    suite.write_text('[toy]\nstream = ["toy:nowhere@1"]\n')
    one_error_line(cairn("bench", str(suite), cache=tmp_path), "nowhere")
    suite.write_text('[toy]\nstream = "toy:maze@1"\n')
    one_error_line(cairn("bench", str(suite), cache=tmp_path), "must be a list of specs")


def test_ablations_play_the_memory_agent_again_without_the_voices_named(tmp_path: Path) -> None:
    """The suite's own ablation and one from the command line, each its own curve: without
    the explorer, nothing finds the coin in this maze."""
    suite = tmp_path / "ablations.toml"
    suite.write_text(
        'name = "ablations"\ntrials = 2\nablations = ["explore"]\n'
        '[toy]\nmax_steps = 30\nadapt = ["toy:maze@2,rooms=8"]\n'
    )
    out = tmp_path / "ablations.json"
    result = cairn(
        "bench", str(suite), "--policy", "evidence", "--ablation", "insight,exemplar",
        "--json", str(out), cache=tmp_path / "cache",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = {r["agent"]: r for r in json.loads(out.read_text())["results"]}
    assert set(rows) == {
        "memory", "memory without explore", "memory without insight,exemplar", "no-memory"
    }  # fmt: skip
    assert rows["memory without explore"]["mean_by_trial"][-1] < rows["memory"]["mean_by_trial"][-1]
    suite.write_text('ablations = ["insights"]\n[toy]\nadapt = ["toy:maze@1"]\n')
    one_error_line(cairn("bench", str(suite), cache=tmp_path), "'insights'", "exemplar")
