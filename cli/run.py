"""``cairn run``: play trials on text environments and record everything."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from agent.distributed import Plan, run_distributed
from agent.environments import Environments, EnvSpec, parse
from agent.trials import EnvResult, TrialLoop
from cli.build import (
    Mode,
    PolicyName,
    ReflectorName,
    build_agent,
    build_learning,
    cache_dir,
    open_model,
)
from cli.common import (
    DEFAULT_HOME,
    HomeOption,
    MemoryUrlOption,
    recorded_run,
    report_console,
    store,
    write_json,
)
from cli.distributed import AgentFactory, MemoryServiceFactory
from cli.progress import ProgressObserver, TrialCounter
from cli.report import results_json, results_table
from cli.stopping import Checkpoints
from memory.store import Store

DEFAULT_ENV = "scienceworld:lifespan-longest-lived@dev:0"


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
    no_memory: Annotated[
        bool,
        typer.Option(
            "--no-memory",
            help="Run the identical agent with memory off: nothing recalled, nothing learned.",
        ),
    ] = False,
    reflector: Annotated[
        ReflectorName,
        typer.Option(
            help="What writes insights after a trial: evidence (score changes, no model) or "
            "llm (also the model, in CLIN's form). auto: llm for non-embedded models."
        ),
    ] = ReflectorName.auto,
    home: HomeOption = DEFAULT_HOME,
    memory_url: MemoryUrlOption = None,
    workers: Annotated[
        int,
        typer.Option(
            min=0,
            help="Play environments in parallel on this many Ray workers (0: here, one after "
            "another). Each worker has its own environments and model; one memory service "
            "writes for all. The trials of one environment stay in order on one worker.",
        ),
    ] = 0,
    ray_address: Annotated[
        str | None,
        typer.Option(
            envvar="RAY_ADDRESS",
            help="Join this Ray cluster (e.g. ray://head:10001 or auto) instead of starting a "
            "local instance.",
        ),
    ] = None,
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
    config = {
        "envs": [str(s) for s in specs],
        "trials": trials,
        "max_steps": max_steps,
        "llm": llm if policy is PolicyName.llm else None,
        "policy": policy.value,
        "mode": mode.value,
        "seed": seed,
        "memory": not no_memory,
        "reflector": reflector.value,
        "workers": workers,
    }
    command = " ".join(["cairn", *sys.argv[1:]])
    with recorded_run(database, command, config) as run_id:
        if workers:
            plan = Plan(
                tuple(specs),
                run_id,
                trials,
                max_steps,
                seed,
                workers,
                not no_memory,
                cache_dir() / "games",
            )
            service = MemoryServiceFactory(
                home.expanduser(), not no_memory, reflector, llm, base_url, seed, memory_url
            )
            make_agent = AgentFactory(llm, base_url, policy, mode, seed)
            with TrialCounter(len(specs) * trials, f"{workers} workers") as counter:
                results = run_distributed(
                    plan, service, make_agent, address=ray_address, on_progress=counter.update
                )
        else:
            results = play_here(
                specs,
                database,
                run_id,
                trials,
                max_steps,
                llm,
                base_url,
                policy,
                mode,
                seed,
                no_memory,
                reflector,
                home,
                memory_url,
            )
    report_console(json_path).print(results_table(results, run_id))
    if json_path is not None:
        write_json(json_path, results_json(results, run_id))


def play_here(
    specs: list[EnvSpec],
    database: Store,
    run_id: int,
    trials: int,
    max_steps: int,
    llm: str,
    base_url: str | None,
    policy: PolicyName,
    mode: Mode,
    seed: int,
    no_memory: bool,
    reflector: ReflectorName,
    home: Path,
    memory_url: str | None,
) -> list[EnvResult]:
    """The trials in this process, one after another."""
    model = open_model(llm, base_url, seed) if policy is PolicyName.llm else None
    try:
        learning = build_learning(
            home.expanduser(),
            database,
            enabled=not no_memory,
            reflector=reflector,
            llm=model,
            memory_url=memory_url,
        )
        recall = None if no_memory else learning.box
        agent = build_agent(model, policy, mode, seed, recall, learning.embedder)
        with Environments(cache_dir() / "games") as environments, ProgressObserver() as bars:
            loop = TrialLoop(
                environments,
                agent,
                database,
                run_id,
                trials,
                max_steps,
                seed,
                learner=learning.learner,
                observer=Checkpoints(bars),
            )
            return loop.run(specs)
    finally:
        if model is not None:
            model.close()
