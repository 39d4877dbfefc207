"""``cairn run``: play trials on text environments and record everything."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from agent.environments import EnvSpec, parse
from agent.learning.scorers import voice_names
from agent.running.config import Mode, PolicyName, ReflectorName, RunConfig
from agent.running.distributed import StartUp
from cli.assemble import LocalPlayer, RayPlayer
from cli.build import voices
from cli.common import (
    DEFAULT_HOME,
    HomeOption,
    MemoryUrlOption,
    report_console,
    writable_store,
    write_json,
)
from cli.progress import ProgressObserver, TrialCounter
from cli.report import results_json, results_table

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
            help="llm: the model's preference plus the evidence (memory among it); model: the "
            "model's action as it is, memory only in its prompt (CLIN's design, for comparing "
            "with it; needs a model that reads, e.g. openai:MODEL); evidence: the evidence "
            "alone, no model; random: uniformly random valid actions (a baseline for scale)."
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
    frozen: Annotated[
        bool,
        typer.Option(
            "--frozen",
            help="Recall from memory but learn nothing: every trial starts from the memory the "
            "home holds now (to measure what it knows, e.g. an imported bundle, unchanged).",
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
    without: Annotated[
        str,
        typer.Option(
            help="Switch these voices of the policy off, comma-separated (an ablation): "
            f"{', '.join(voice_names())}. E.g. --without insight,exemplar.",
            show_default=False,
        ),
    ] = "",
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="Also write the results as JSON to this file ('-': stdout)."),
    ] = None,
) -> None:
    """Run trials of an agent on text environments, recording every step and model call.

    Example: cairn run scienceworld:boil@dev:0 textworld:coin_collector@3 --trials 3
    """
    specs: list[EnvSpec] = [parse(text) for text in (envs or [DEFAULT_ENV])]
    config = RunConfig(
        trials=trials,
        max_steps=max_steps,
        seed=seed,
        llm=llm,
        base_url=base_url,
        policy=policy,
        mode=mode,
        memory=not no_memory,
        reflector=reflector,
        home=home,
        memory_url=memory_url,
        workers=workers,
        ray_address=ray_address,
        without=voices(without),
        frozen=frozen,
    )
    store = writable_store(config.home)
    command = " ".join(["cairn", *sys.argv[1:]])
    startups: list[StartUp] = []
    if workers:
        total = len(specs) * trials
        with RayPlayer(config) as on_ray, TrialCounter(total, f"{workers} workers") as counter:
            run_id, results = on_ray.play(config, specs, store, command, counter.update)
            startups = on_ray.startups
        say_startups(startups)
    else:
        with LocalPlayer(config) as here, ProgressObserver() as bars:
            run_id, results = here.play(config, specs, store, command, bars)
    report_console(json_path).print(results_table(results, run_id))
    if json_path is not None:
        report = results_json(results, run_id)
        if workers:
            report["workers"] = [asdict(startup) for startup in startups]
        write_json(json_path, report)


def say_startups(startups: list[StartUp]) -> None:
    """One line on stderr: how long the workers took to be ready (the slowest decides)."""
    if startups:
        slowest = max(startups, key=lambda s: s.ready)
        print(
            f"{len(startups)} workers ready in {slowest.ready:.1f} s at most "
            f"(process {slowest.process:.1f} s, model {slowest.loading:.1f} s)",
            file=sys.stderr,
        )
