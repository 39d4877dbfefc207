"""The ``cairn`` command, run as a user runs it: a subprocess, real models and games (the toy
world and a hash-embedder home where the test is about cairn, not an engine or a model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from memory.store import Store
from tests.llm.servers import free_port
from tests.support.cli import cairn, cairn_json, hash_home, one_error_line


@pytest.mark.slow
def test_run_plays_trials_reports_and_logs_them(tmp_path: Path, cache_root: Path) -> None:
    home, report = tmp_path / "home", tmp_path / "out.json"
    result = cairn(
        "run",
        "textworld:treasure_hunter@3,level=2",
        "--trials",
        "2",
        "--max-steps",
        "4",
        "--home",
        str(home),
        "--json",
        str(report),
        cache=cache_root,
    )
    assert result.returncode == 0, result.stderr
    assert "run 1" in result.stdout and "mean" in result.stdout  # the table, a report
    assert "run 1" not in result.stderr  # only the progress bars
    data = json.loads(report.read_text())
    (env,) = data["runs"]
    assert env["env"] == "textworld:treasure_hunter@3,level=2"
    assert [t["trial"] for t in env["trials"]] == [1, 2]
    for trial in env["trials"]:
        assert set(trial) >= {"score", "won", "steps", "seconds"} and 0 <= trial["score"] <= 100
        assert isinstance(trial["won"], bool)

    trials = json.loads(
        cairn("logs", "trials", "--home", str(home), "--json", cache=cache_root).stdout
    )
    assert [t["steps"] for t in trials] == [t["steps"] for t in env["trials"]]
    assert [t["won"] for t in trials] == [t["won"] for t in env["trials"]]  # booleans both
    steps = json.loads(
        cairn(
            "logs", "steps", str(trials[0]["id"]), "--home", str(home), "--json", cache=cache_root
        ).stdout
    )
    assert len(steps["steps"]) == trials[0]["steps"]
    calls = json.loads(
        cairn(
            "logs", "calls", str(trials[0]["id"]), "--home", str(home), "--json", cache=cache_root
        ).stdout
    )
    assert len(calls) == trials[0]["steps"]
    assert calls[0]["model"] == "embedded:gemma3-270m" and calls[0]["messages"]
    label = calls[0]["options"]["label"]  # what the menu read, whatever the greedy token
    assert label in calls[0]["options"]["labels"] and steps["steps"][0]["proposal"] == label
    prompt = calls[0]["messages"][-1]["content"]
    assert prompt.count(steps["trial"]["task_description"]) == 1  # the task, once
    runs = cairn("logs", "runs", "--home", str(home), cache=cache_root)
    assert "treasure_hunter" in runs.stdout
    (run,) = json.loads(
        cairn("logs", "runs", "--home", str(home), "--json", cache=cache_root).stdout
    )
    assert run["config"]["trials"] == 2  # an object, not a string of JSON

    again = cairn(
        "run",
        "textworld:treasure_hunter@3,level=2",
        "--trials",
        "1",
        "--home",
        str(home),
        cache=cache_root,
    )
    assert again.returncode == 0, again.stderr
    diff = cairn("memory", "diff", "1", "2", "--home", str(home), "--json", cache=cache_root)
    changes = json.loads(diff.stdout)
    assert changes and all(c["ops"] and c["text"] for c in changes)  # run 2 changed memory
    one_error_line(
        cairn("memory", "diff", "2", "1", "--home", str(home), cache=cache_root), "RUN_B"
    )


@pytest.mark.slow
def test_the_random_agent_plays_scienceworld_to_stdout_json(
    tmp_path: Path, cache_root: Path
) -> None:
    result = cairn(
        "run",
        "scienceworld:boil@dev:0",
        "--policy",
        "random",
        "--trials",
        "1",
        "--max-steps",
        "3",
        "--home",
        str(tmp_path),
        "--json",
        "-",
        cache=cache_root,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["runs"][0]["trials"][0]["steps"] >= 1


def test_home_comes_from_cairn_home(tmp_path: Path, cache_root: Path) -> None:
    Store.in_home(tmp_path / "h").close()
    result = cairn("logs", "path", cache=cache_root, env={"CAIRN_HOME": str(tmp_path / "h")})
    assert result.stdout.strip() == str(tmp_path / "h" / "cairn.db")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["run", "scienceworld"], ["bad environment spec"]),
        (["run", "scienceworld:bake"], ["unknown ScienceWorld task 'bake'"]),
        (["run", "textworld:cooking,recipe=x"], ["bad value 'x' for recipe"]),
        (["run", "textworld:simple", "--llm", "gpt"], ["unknown --llm 'gpt'"]),
        (["run", "textworld:simple", "--llm", "openai"], ["needs a model name"]),
        (["logs", "trials"], ["no runs recorded"]),
        (["logs", "steps", "99"], ["no trial 99"]),
    ],
)
def test_bad_input_is_one_line_and_exit_1(
    tmp_path: Path, cache_root: Path, args: list[str], fragments: list[str]
) -> None:
    Store.in_home(tmp_path).close()  # a home with nothing in it yet
    one_error_line(cairn(*args, "--home", str(tmp_path), cache=cache_root), *fragments)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["memory", "list", "--limit", "x"], "Invalid value for '--limit'"),
        (["memory", "show", "99999999999999999999"], "less than or equal to"),
        (["memory", "lst"], "No such command 'lst'"),
        (["run", "--trails", "2"], "No such option: --trails"),
    ],
)
def test_a_command_line_click_cannot_take_is_one_line_and_exit_2(
    tmp_path: Path, cache_root: Path, args: list[str], fragment: str
) -> None:
    result = cairn(*args, "--home", str(tmp_path), cache=cache_root)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and fragment in lines[0] and "--help`" in lines[0]


def test_an_unusable_home_is_one_line(tmp_path: Path, cache_root: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = cairn("logs", "runs", "--home", str(tmp_path / "file"), cache=cache_root)
    one_error_line(result, "is a file, not a directory")


@pytest.mark.slow
def test_a_variation_out_of_range_is_one_line(tmp_path: Path, cache_root: Path) -> None:
    result = cairn("run", "scienceworld:boil@dev:99", "--home", str(tmp_path), cache=cache_root)
    one_error_line(result, "boil has 7 dev variations")


def test_an_unreachable_model_ends_the_run_with_one_line(tmp_path: Path, cache_root: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    hash_home(tmp_path)
    result = cairn(
        "run",
        "toy:maze@1",
        "--llm",
        "openai:m",
        "--base-url",
        url,
        "--home",
        str(tmp_path),
        cache=cache_root,
    )
    one_error_line(result, url, "failed 4 times")
    trials = json.loads(
        cairn("logs", "trials", "--home", str(tmp_path), "--json", cache=cache_root).stdout
    )
    assert trials[0]["status"] == "failed" and "failed 4 times" in trials[0]["error"]
    runs = json.loads(
        cairn("logs", "runs", "--home", str(tmp_path), "--json", cache=cache_root).stdout
    )
    assert runs[0]["status"] == "failed"
    stats = json.loads(
        cairn("memory", "stats", "--home", str(tmp_path), "--json", cache=cache_root).stdout
    )
    assert stats["exemplars"] == 0 and sum(stats["insights"].values()) == 0  # nothing learned


def test_debug_shows_the_traceback(tmp_path: Path, cache_root: Path) -> None:
    result = cairn(
        "run", "nope:x", "--home", str(tmp_path), cache=cache_root, env={"CAIRN_DEBUG": "1"}
    )
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_envs_lists_every_task(cache_root: Path) -> None:
    entries = json.loads(cairn("envs", "--json", cache=cache_root).stdout)
    assert sum(e["env"] == "scienceworld" for e in entries) == 30
    assert {e["task"] for e in entries if e["env"] == "textworld"} >= {"cooking", "simple"}


def test_help_teaches_the_spec_syntax(cache_root: Path) -> None:
    result = cairn("run", "--help", cache=cache_root)
    assert "NAME:TASK[@VARIATION]" in result.stdout and "scienceworld:boil@dev:0" in result.stdout


def test_help_paragraphs_flow_to_the_terminal_width(cache_root: Path) -> None:
    """Docstrings are wrapped for the source, not for the reader's terminal."""
    result = cairn("serve", "--help", cache=cache_root)  # 200 columns
    assert "(the home remembers it). Each home's collections are named" in result.stdout


def test_an_evidence_run_reports_logs_and_learns(tmp_path: Path, cache_root: Path) -> None:
    home, report = hash_home(tmp_path / "home"), tmp_path / "out.json"
    h = ("--home", str(home))
    result = cairn(
        "run", "toy:maze@1", "--policy", "evidence", "--trials", "2", *h, "--json", str(report),
        cache=cache_root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "run 1" in result.stdout and "run 1" not in result.stderr  # a report; bars apart
    (env,) = json.loads(report.read_text())["runs"]
    first, second = env["trials"]
    assert (env["env"], first["won"], second["won"]) == ("toy:maze@1", True, True)
    assert second["steps"] < first["steps"]  # it remembered the way
    trials = cairn_json("logs", "trials", *h, cache=cache_root)
    assert [t["steps"] for t in trials] == [first["steps"], second["steps"]]
    steps = cairn_json("logs", "steps", str(trials[1]["id"]), *h, cache=cache_root)["steps"]
    assert all(any(c["memories"] for c in s["candidates"]) for s in steps)
    stats = cairn_json("memory", "stats", *h, cache=cache_root)
    assert stats["exemplars"] == 2 and stats["insights"]["active"] > 0


def test_without_switches_voices_off_and_the_run_record_says_which(
    tmp_path: Path, cache_root: Path
) -> None:
    home = hash_home(tmp_path / "home")
    h = ("--home", str(home))
    result = cairn(
        "run", "toy:maze@1", "--policy", "evidence", "--trials", "2", "--without",
        "explore,insight", *h, cache=cache_root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (run,) = cairn_json("logs", "runs", *h, cache=cache_root)
    assert run["config"]["without"] == ["explore", "insight"]
    trial = cairn_json("logs", "trials", *h, cache=cache_root)[1]
    steps = cairn_json("logs", "steps", str(trial["id"]), *h, cache=cache_root)["steps"]
    voices = {name for s in steps for c in s["candidates"] for name in c["evidence"]}
    assert voices and not voices & {"explore", "insight"}
    bad = tmp_path / "bad"
    one_error_line(
        cairn("run", "toy:maze@1", "--without", "insights", "--home", str(bad), cache=cache_root),
        "'insights'", "exemplar",
    )  # fmt: skip
    assert not bad.exists()  # refused before anything was made


def test_a_frozen_run_recalls_what_the_home_knows_and_learns_nothing(
    tmp_path: Path, cache_root: Path
) -> None:
    home, report = hash_home(tmp_path / "home"), tmp_path / "frozen.json"
    h = ("--home", str(home))
    run = ("run", "toy:maze@1", "--policy", "evidence", *h)
    assert cairn(*run, "--trials", "1", cache=cache_root).returncode == 0
    learned = cairn_json("memory", "stats", *h, cache=cache_root)
    result = cairn(*run, "--trials", "2", "--frozen", "--json", str(report), cache=cache_root)
    assert result.returncode == 0, result.stderr
    assert cairn_json("memory", "stats", *h, cache=cache_root) == learned
    (env,) = json.loads(report.read_text())["runs"]
    first, second = env["trials"]
    assert first["won"] and first["steps"] == second["steps"]  # the same memory, twice
    trials = cairn_json("logs", "trials", *h, cache=cache_root)
    steps = cairn_json("logs", "steps", str(trials[1]["id"]), *h, cache=cache_root)["steps"]
    assert any(c["memories"] for s in steps for c in s["candidates"])  # it did recall
    assert cairn_json("logs", "runs", *h, cache=cache_root)[0]["config"]["frozen"] is True


def test_memory_is_on_by_default_and_off_with_no_memory(tmp_path: Path, cache_root: Path) -> None:
    for name, flags in (("on", []), ("off", ["--no-memory"])):
        result = cairn(
            "run", "toy:maze@3,rooms=8", "--policy", "evidence", "--trials", "2",
            "--max-steps", "30", "--home", str(hash_home(tmp_path / name)), *flags,
            cache=cache_root,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    on = cairn_json("memory", "stats", "--home", str(tmp_path / "on"), cache=cache_root)
    off = cairn_json("memory", "stats", "--home", str(tmp_path / "off"), cache=cache_root)
    assert on["exemplars"] == 2 and on["insights"]["active"] > 0
    assert off["exemplars"] == 0 and off["insights"]["active"] == 0
    assert (tmp_path / "on" / "graph.json").exists() and not (
        tmp_path / "off" / "graph.json"
    ).exists()


@pytest.mark.slow
def test_bench_compares_memory_and_no_memory(tmp_path: Path, cache_root: Path) -> None:
    suite = tmp_path / "suite.toml"
    suite.write_text(
        'name = "tiny"\ntrials = 2\ntrain_trials = 1\n[textworld]\nmax_steps = 6\n'
        'adapt = ["textworld:treasure_hunter@3,level=2"]\n'
        'gen_env = {train = ["textworld:treasure_hunter@4,level=2"], '
        'test = ["textworld:treasure_hunter@5,level=2"]}\n'
    )
    report, picture = tmp_path / "bench.json", tmp_path / "bench.png"
    result = cairn(
        "bench",
        str(suite),
        "--policy",
        "evidence",
        "--json",
        str(report),
        "--plot",
        str(picture),
        cache=cache_root,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text())
    assert data["played_with"]["policy"] == "evidence" and data["played_with"]["llm"] is None
    rows = data["results"]
    assert {(r["setting"], r["agent"]) for r in rows} == {
        ("adapt", "memory"),
        ("adapt", "no-memory"),
        ("gen_env", "memory"),
        ("gen_env", "no-memory"),
    }
    assert all(len(r["mean_by_trial"]) == 2 for r in rows)
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "t1→last" in result.stdout  # the table is a report


def test_a_bad_suite_is_one_line(tmp_path: Path, cache_root: Path) -> None:
    suite = tmp_path / "suite.toml"
    suite.write_text("[textworld]\nadapt = ['textworld:zork']\n")
    one_error_line(cairn("bench", str(suite), cache=cache_root), "unknown TextWorld task 'zork'")
    suite.write_text("this is [ not toml")
    one_error_line(cairn("bench", str(suite), cache=cache_root), "is not valid TOML")


@pytest.mark.slow
def test_memory_demo_learns_and_refuses_test_data(tmp_path: Path, cache_root: Path) -> None:
    ok = cairn(
        "memory",
        "demo",
        "textworld:coin_collector@7,level=2",
        "--home",
        str(tmp_path),
        "--json",
        cache=cache_root,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)[0]["score"] == 100
    refused = cairn(
        "memory",
        "demo",
        "textworld:coin_collector@12345",
        "--home",
        str(tmp_path),
        cache=cache_root,
    )
    one_error_line(refused, "reserved for evaluation")
