"""``cairn run``: play trials on text environments and record everything."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from agent import __version__
from agent.acting import Agent
from agent.decide import Decider, FreeDecider, MenuDecider
from agent.environments import Environments, EnvSpec, parse
from agent.llm import LLM, open_llm
from agent.policy import Policy, RandomPolicy
from agent.trials import TrialLoop
from cli.common import DEFAULT_HOME, HomeOption, console, store, write_json
from cli.progress import ProgressObserver
from cli.report import results_json, results_table
from memory.embedding import MiniLMEmbedder

DEFAULT_ENV = "scienceworld:find-living-thing@dev:0"


class PolicyName(StrEnum):
    llm = "llm"
    evidence = "evidence"
    random = "random"


class Mode(StrEnum):
    auto = "auto"
    menu = "menu"
    free = "free"


def cache_dir() -> Path:
    """Generated games and assembled model files, shared by every home on this machine."""
    root = os.environ.get("CAIRN_CACHE") or Path(
        os.environ.get("XDG_CACHE_HOME", "~/.cache"), "cairn"
    )
    return Path(root).expanduser()


def build_agent(llm: LLM | None, policy_name: PolicyName, mode: Mode, seed: int) -> Agent:
    if policy_name is PolicyName.random:
        return Agent(RandomPolicy(seed=seed))
    if policy_name is PolicyName.evidence or llm is None:
        return Agent(Policy(seed=seed))
    if mode is Mode.auto:
        mode = Mode.menu if llm.name.startswith("embedded") else Mode.free
    decider: Decider
    if mode is Mode.menu:
        decider = MenuDecider(llm)
        return Agent(Policy(seed=seed), decider)
    decider = FreeDecider(llm, embedder=MiniLMEmbedder())
    # A model that writes its own action is trusted more than a menu pick by a tiny one.
    return Agent(Policy(seed=seed, llm_weight=4.0), decider, menu_size=15)


def run(
    envs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Environment specs NAME:TASK\\[@VARIATION]\\[,key=value...], e.g. "
            "scienceworld:boil@dev:0 or textworld:cooking@42,recipe=2. "
            f"Default: {DEFAULT_ENV}. See `cairn envs`.",
            show_default=False,
        ),
    ] = None,
    trials: Annotated[int, typer.Option(min=1, help="Trials per environment.")] = 3,
    max_steps: Annotated[int, typer.Option(min=1, help="Steps per trial before it is cut.")] = 50,
    llm: Annotated[
        str,
        typer.Option(
            help="embedded (Gemma-3-270M) | embedded:smollm2-135m | openai:MODEL (see --base-url)."
        ),
    ] = "embedded",
    base_url: Annotated[
        str | None,
        typer.Option(
            envvar="OPENAI_BASE_URL",
            help="OpenAI-compatible endpoint for --llm openai:MODEL, e.g. "
            "http://127.0.0.1:8000/v1 (vLLM, Ollama, llama.cpp). Key: OPENAI_API_KEY.",
        ),
    ] = None,
    policy: Annotated[
        PolicyName,
        typer.Option(
            help="llm: the model's preference plus the evidence; evidence: the evidence alone, "
            "no model; random: uniformly random valid actions (a baseline for scale)."
        ),
    ] = PolicyName.llm,
    mode: Annotated[
        Mode,
        typer.Option(
            help="menu: the model picks from a numbered shortlist; free: it writes any action, "
            "which is grounded. auto: menu for embedded models, free otherwise."
        ),
    ] = Mode.auto,
    seed: Annotated[int, typer.Option(help="Seed for the policy's tie-breaking and sampling.")] = 0,
    home: HomeOption = DEFAULT_HOME,
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="Also write the results as JSON to this file ('-': stdout)."),
    ] = None,
) -> None:
    """Run trials of an agent on text environments, recording every step and model call.

    Example: cairn run scienceworld:boil@dev:0 textworld:coin_collector@3 --trials 3
    """
    specs: list[EnvSpec] = [parse(text) for text in (envs or [DEFAULT_ENV])]
    database = store(home)
    model = _open_model(llm, base_url, seed) if policy is PolicyName.llm else None
    agent = build_agent(model, policy, mode, seed)
    config = {
        "envs": [str(s) for s in specs],
        "trials": trials,
        "max_steps": max_steps,
        "llm": None if model is None else model.name,
        "policy": policy.value,
        "mode": mode.value,
        "seed": seed,
    }
    run_id = database.start_run(" ".join(["cairn", *sys.argv[1:]]), config, __version__)
    status = "failed"
    try:
        with Environments(cache_dir() / "games") as environments, ProgressObserver() as bars:
            loop = TrialLoop(
                environments, agent, database, run_id, trials, max_steps, seed, observer=bars
            )
            results = loop.run(specs)
        status = "done"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        database.finish_run(run_id, status)
        if model is not None:
            model.close()
    console.print(results_table(results, run_id))
    if json_path is not None:
        write_json(json_path, results_json(results, run_id))


def _open_model(spec: str, base_url: str | None, seed: int) -> LLM:
    return open_llm(
        spec,
        cache_dir=cache_dir() / "models",
        base_url=base_url,
        api_key=os.environ.get("OPENAI_API_KEY"),
        seed=seed,
    )
