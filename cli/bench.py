"""``cairn bench``: memory versus no memory, trial by trial, on a suite of environments."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from agent import __version__
from agent.environments import EnvSpec
from agent.running.bench import (
    STREAMS,
    Curve,
    Played,
    Results,
    Suite,
    first_win,
    load_suite,
    planned_trials,
    remembers,
    run_suite,
    voices_off,
)
from agent.running.config import PolicyName, RunConfig
from cli.assemble import LocalPlayer, RayPlayer
from cli.bench_compare import comparison, comparison_tables, load_results
from cli.bench_plot import plot
from cli.build import voices
from cli.common import fail, report_console, write_json
from cli.progress import SuiteProgress
from memory.embedding import MiniLMEmbedder
from memory.store import Store

SuiteArgument = Annotated[
    Path | None,
    typer.Argument(
        help="A suite TOML file, e.g. bench/suites/dev.toml (its header documents the format).",
        exists=True,
        dir_okay=False,
        show_default=False,
    ),
]


def results_table(results: Results) -> Table:
    seeds = len(results.seeds())
    title = f"suite {results.suite}: mean score by trial"
    title += f" (± standard deviation over {seeds} seeds)" if seeds > 1 else ""
    table = Table(title=title, title_justify="left")
    for column in ("setting", "group", "agent"):
        table.add_column(column)
    for trial in range(1, results.trials + 1):
        table.add_column(f"t{trial}", justify="right")
    for column in ("t1→last", "steps t1→last", "wins last", "won", "first win", "lost after"):
        table.add_column(column, justify="right")
    for (setting, group, agent), curve in results.curves.items():
        if setting in STREAMS:
            continue  # one trial per environment: ``stream_tables`` shows them by position
        means = curve.mean_by_trial()
        table.add_row(
            setting,
            group,
            agent,
            *_with_spread(means, curve.sd_by_trial(), seeds),
            f"{means[-1] - means[0]:+.1f}",
            _steps(curve.steps_by_trial()),
            f"{100 * curve.win_rate_by_trial()[-1]:.0f}%",
            *_first_wins(curve),
            str(curve.relapses()),
        )
        if agent == "no-memory":  # what retrying with a new seed each trial achieves
            best = curve.best_of_k_by_trial()
            table.add_row(
                setting,
                group,
                "best-of-k",
                *_with_spread(best, curve.best_of_k_sd_by_trial(), seeds),
                f"{best[-1] - best[0]:+.1f}",
            )
    table.caption = (
        "best-of-k: no-memory's best score over its first k trials. steps: the mean steps of "
        "the first and last trials. won: specs won at least once; first win: mean trial and "
        "steps of each spec's first win; lost after: trials lost after their spec was first "
        "won."
    )
    return table


def stream_tables(results: Results) -> list[Table]:
    """Each group's stream by position: every environment's score with memory carried along
    and without, the mean so far, and the same environment's score when the stream was
    played in reverse (how much the order matters)."""
    tables = []
    for group in sorted({g for s, g, _ in results.curves if s == "stream"}):
        curves = {(s, a): c for (s, g, a), c in results.curves.items() if g == group}
        memory = curves.get(("stream", "memory"))
        if memory is None:
            continue
        none = curves.get(("stream", "no-memory"))
        columns = {
            "memory": memory.by_position(),
            "none": _positions(none),
            "steps": memory.steps_by_position(),
            "steps none": none.steps_by_position() if none else [],
            "mean so far": memory.cumulative_by_position(),
            "none so far": _positions(none, so_far=True),
            # the environment at this position, played at the mirrored one
            "reversed": _positions(curves.get(("stream_reversed", "memory")))[::-1],
        }
        table = Table(title=f"stream {group}: score by position", title_justify="left")
        table.add_column("#", justify="right")
        table.add_column("env", no_wrap=True)
        for name in columns:
            table.add_column(name, justify="right")
        for index, spec in enumerate(memory.specs[: len(columns["memory"])]):
            cells = [f"{c[index]:.1f}" if c else "-" for c in columns.values()]
            table.add_row(str(index + 1), spec.partition(":")[2] or spec, *cells)  # task@...
        table.caption = (
            "memory / none: the score with memory carried along / without; steps likewise; "
            "reversed: the same environment's score (memory) when the stream ran backwards."
        )
        means = {"memory": columns["mean so far"], "no memory": columns["none so far"]}
        means["memory in reverse order"] = _positions(
            curves.get(("stream_reversed", "memory")), so_far=True
        )
        shown = [f"{name} {found[-1]:.1f}" for name, found in means.items() if found]
        table.caption += " Mean over the stream: " + ", ".join(shown) + "."
        tables.append(table)
    return tables


def _positions(curve: Curve | None, so_far: bool = False) -> list[float]:
    if curve is None:
        return []
    return curve.cumulative_by_position() if so_far else curve.by_position()


def _with_spread(means: list[float], spreads: list[float], seeds: int) -> list[str]:
    """Each mean, and with several seeds its spread under it (the table stays narrow)."""
    if seeds < 2:
        return [f"{m:.1f}" for m in means]
    return [f"{m:.1f}\n±{sd:.1f}" for m, sd in zip(means, spreads, strict=True)]


def _steps(by_trial: list[float]) -> str:
    return f"{by_trial[0]:.1f}→{by_trial[-1]:.1f}" if by_trial else "-"


def _first_wins(curve: Curve) -> tuple[str, str]:
    wins = [w for w in map(first_win, curve.played) if w is not None]
    if not wins:
        return f"0/{len(curve.played)}", "-"
    trial = sum(t for t, _ in wins) / len(wins)
    steps = sum(s for _, s in wins) / len(wins)
    return f"{len(wins)}/{len(curve.played)}", f"t{trial:.1f}, {steps:.0f} steps"


class SuitePlayer:
    """Plays the batches of a suite, each a run in its own home (``run_suite`` says which):
    here with one JVM, one model and one embedder for the whole suite, or on Ray workers
    started once for every batch."""

    def __init__(self, config: RunConfig, bars: SuiteProgress) -> None:
        self.config, self.bars = config, bars
        self.player: LocalPlayer | RayPlayer
        if config.workers:
            self.player = RayPlayer(config)
        else:
            self.player = LocalPlayer(config, embedder=MiniLMEmbedder())

    def __enter__(self) -> SuitePlayer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.player.close()

    def play(
        self,
        specs: Sequence[EnvSpec],
        trials: int,
        max_steps: int,
        home: Path,
        agent: str,
        seed: int,
    ) -> list[Played]:
        config = replace(
            self.config,
            trials=trials,
            max_steps=max_steps,
            home=home,
            memory=remembers(agent),
            seed=seed,
            without=voices_off(agent),
        )
        store = Store.in_home(home)
        label = agent
        if isinstance(self.player, RayPlayer):
            self.bars.label = f"{label} on {config.workers} workers"
            start = self.bars.completed()
            _, played = self.player.play(
                config,
                specs,
                store,
                "cairn bench",
                lambda done: self.bars.set_completed(start + done),
            )
        else:
            self.bars.label = label
            _, played = self.player.play(config, specs, store, "cairn bench", self.bars)
        store.close()
        return [
            Played(
                [o.score for o in r.outcomes],
                [o.won for o in r.outcomes],
                [o.steps for o in r.outcomes],
            )
            for r in played
        ]


def bench(
    suite_path: SuiteArgument = None,
    trials: Annotated[
        int | None, typer.Option(min=1, help="Trials per env (suite's default: 5).")
    ] = None,
    llm: Annotated[
        str, typer.Option(help="embedded | embedded:smollm2-135m | openai:MODEL.")
    ] = "embedded",
    policy: Annotated[
        PolicyName,
        typer.Option(
            help="llm | model (its action as it is, memory in its prompt) | evidence | random."
        ),
    ] = PolicyName.llm,
    seed: Annotated[int, typer.Option(help="Seed for the policy's tie-breaking.")] = 0,
    ablation: Annotated[
        list[str] | None,
        typer.Option(
            help="Also play the memory agent without these voices, comma-separated; repeat "
            "for more ablations (e.g. --ablation insight --ablation exemplar,chain). A suite "
            'may list its own: ablations = ["insight"]. Voices: see `cairn run --help`.',
            show_default=False,
        ),
    ] = None,
    seeds: Annotated[
        int,
        typer.Option(
            min=1,
            help="Play every setting with this many seeds (--seed, --seed+1, ...), each in "
            "fresh homes; tables and plots show the mean ± standard deviation over them, the "
            "JSON keeps every run.",
        ),
    ] = 1,
    workdir: Annotated[
        Path | None,
        typer.Option(help="Keep every agent's home here (default: a temporary folder)."),
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write every trial's score as JSON.")
    ] = None,
    plot_path: Annotated[
        Path | None, typer.Option("--plot", help="Write the learning curves as a PNG.")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=0,
            help="Play each batch's environments in parallel on this many Ray workers "
            "(0: here, one after another). Scores may differ slightly from a serial run: "
            "trials of different environments finish, and are learned from, in another order.",
        ),
    ] = 0,
    ray_address: Annotated[
        str | None,
        typer.Option(envvar="RAY_ADDRESS", help="Join this Ray cluster instead of a local one."),
    ] = None,
    compare: Annotated[
        tuple[Path, Path] | None,
        typer.Option(
            help="Play nothing: print what changed between two --json results (A then B), "
            "per setting and per environment.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Prove learning: the memory agent against the identical agent without memory.

    For each environment group of the suite: ADAPT (same variation repeated), GEN-ENV (new
    variations after training on others), GEN-TASK (new tasks) and STREAM (each env once,
    in order, memory carried along; then reversed). Prints a table of mean score by trial,
    with the no-memory agent's best-of-k (what retrying achieves) and, with --seeds, the
    spread; --plot draws the learning curves, --json keeps every score.
    Example: cairn bench bench/suites/dev.toml --seeds 3 --ablation insight --plot dev.png.
    `cairn bench --compare A.json B.json` compares two such results instead.
    """
    if compare is not None:
        _compare(*compare, json_path)
        return
    if suite_path is None:
        fail("give a suite file (e.g. bench/suites/dev.toml), or --compare A.json B.json")
    suite: Suite = load_suite(suite_path, trials)
    more = tuple(voices(text) for text in ablation or [])
    suite = replace(suite, ablations=(*suite.ablations, *more))
    agents = suite.agents
    config = RunConfig(llm=llm, policy=policy, seed=seed, workers=workers, ray_address=ray_address)
    with tempfile.TemporaryDirectory() as scratch:
        root = (workdir or Path(scratch)).expanduser()
        with (
            SuiteProgress(planned_trials(suite, agents, seeds)) as bars,
            SuitePlayer(config, bars) as player,
        ):
            played = range(seed, seed + seeds)
            results = run_suite(suite, player.play, root, agents, tuple(played))
    report = report_console(json_path)
    report.print(results_table(results))
    for table in stream_tables(results):
        report.print(table)
    if json_path is not None:  # with what it was played, so the file alone says
        model = config.llm if config.uses_model else None
        played_with = {"cairn": __version__, "policy": policy.value, "llm": model}
        write_json(json_path, {**results.to_json(), "played_with": played_with})
    if plot_path is not None:
        plot(results, plot_path)
        report.print(f"learning curves: {plot_path}")


def _compare(before_path: Path, after_path: Path, json_path: Path | None) -> None:
    found = comparison(load_results(before_path), load_results(after_path))
    report = report_console(json_path)
    for table in comparison_tables(found, before_path.name, after_path.name):
        report.print(table)
    if json_path is not None:
        write_json(json_path, found)
