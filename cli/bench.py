"""``cairn bench``: memory versus no memory, trial by trial, on a suite of environments."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from agent import __version__
from agent.bench import Results, Suite, load_suite, planned_trials, run_suite
from agent.distributed import Plan, WorkerPool
from agent.environments import Environments, EnvSpec
from agent.trials import TrialLoop
from cli.build import (
    Mode,
    PolicyName,
    ReflectorName,
    build_agent,
    build_learning,
    cache_dir,
    open_model,
)
from cli.common import recorded_run, report_console, write_json
from cli.distributed import AgentFactory, MemoryServiceFactory
from cli.progress import SuiteProgress
from cli.stopping import Checkpoints
from memory.embedding import MiniLMEmbedder
from memory.store import Store

SuiteArgument = Annotated[
    Path,
    typer.Argument(
        help="A suite TOML file, e.g. bench/suites/dev.toml (its header documents the format).",
        exists=True,
        dir_okay=False,
    ),
]


def results_table(results: Results) -> Table:
    table = Table(title=f"suite {results.suite}: mean score by trial", title_justify="left")
    for column in ("setting", "group", "agent"):
        table.add_column(column)
    for trial in range(1, results.trials + 1):
        table.add_column(f"t{trial}", justify="right")
    table.add_column("t1→last", justify="right")
    table.add_column("wins last", justify="right")
    for (setting, group, agent), curve in results.curves.items():
        means = curve.mean_by_trial()
        table.add_row(
            setting,
            group,
            agent,
            *(f"{m:.1f}" for m in means),
            f"{means[-1] - means[0]:+.1f}",
            f"{100 * curve.win_rate_by_trial()[-1]:.0f}%",
        )
    return table


def plot(results: Results, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    settings = sorted({k[0] for k in results.curves}, key=["adapt", "gen_env", "gen_task"].index)
    groups = sorted({k[1] for k in results.curves})
    figure, axes = plt.subplots(
        len(settings),
        len(groups),
        figsize=(4.2 * len(groups), 3.2 * len(settings)),
        squeeze=False,
        sharey=True,
    )
    trials = list(range(1, results.trials + 1))
    for row, setting in enumerate(settings):
        for column, group in enumerate(groups):
            ax = axes[row][column]
            for agent, style in (("memory", "-o"), ("no-memory", "--s")):
                curve = results.curves.get((setting, group, agent))
                if curve is not None:
                    ax.plot(trials, curve.mean_by_trial(), style, label=agent)
            ax.set_title(f"{setting.upper().replace('_', '-')} · {group}", fontsize=10)
            ax.set_ylim(-3, 103)
            ax.set_xticks(trials)
            ax.grid(alpha=0.3)
            if row == len(settings) - 1:
                ax.set_xlabel("trial")
            if column == 0:
                ax.set_ylabel("mean score")
    axes[0][0].legend(loc="upper left", fontsize=8)
    figure.suptitle(f"cairn {__version__} · suite {results.suite}", fontsize=11)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


class SuitePlayer:
    """Plays batches of a suite: one JVM, one model and one embedder for the whole suite."""

    def __init__(
        self,
        environments: Environments,
        llm_spec: str,
        policy: PolicyName,
        seed: int,
        bars: SuiteProgress,
    ) -> None:
        self.environments = environments
        self.policy = policy
        self.seed = seed
        self.bars = bars
        self.model = open_model(llm_spec, None, seed) if policy is PolicyName.llm else None
        self.embedder = MiniLMEmbedder()

    def play(
        self, specs: Sequence[EnvSpec], trials: int, max_steps: int, home: Path, memory: bool
    ) -> list[tuple[list[float], list[bool]]]:
        store = Store.in_home(home)
        learning = build_learning(
            home, store, enabled=memory, llm=self.model, embedder=self.embedder
        )
        agent = build_agent(
            self.model,
            self.policy,
            Mode.auto,
            self.seed,
            learning.box if memory else None,
            self.embedder,
        )
        self.bars.label = f"{'memory' if memory else 'no-memory'}"
        with recorded_run(store, "cairn bench", {"memory": memory}) as run_id:
            loop = TrialLoop(
                self.environments,
                agent,
                store,
                run_id,
                trials,
                max_steps,
                self.seed,
                learner=learning.learner,
                observer=Checkpoints(self.bars),
            )
            played = loop.run(specs)
        store.close()
        return [([o.score for o in r.outcomes], [o.won for o in r.outcomes]) for r in played]


class WorkersPlayer:
    """Plays each batch of a suite on Ray workers (``--workers``): a batch's environments in
    parallel, one memory service writing the batch's home. The workers (with their models
    and JVMs) are started once and play every batch."""

    def __init__(
        self,
        llm_spec: str,
        policy: PolicyName,
        seed: int,
        workers: int,
        address: str | None,
        bars: SuiteProgress,
    ) -> None:
        self.llm_spec, self.seed, self.workers, self.bars = llm_spec, seed, workers, bars
        make_agent = AgentFactory(llm_spec, None, policy, Mode.auto, seed)
        self.pool = WorkerPool(make_agent, cache_dir() / "games", workers, address)

    def __enter__(self) -> WorkersPlayer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.close()

    def play(
        self, specs: Sequence[EnvSpec], trials: int, max_steps: int, home: Path, memory: bool
    ) -> list[tuple[list[float], list[bool]]]:
        store = Store.in_home(home)
        config = {"memory": memory, "workers": self.workers}
        games = cache_dir() / "games"
        service = MemoryServiceFactory(
            home, memory, ReflectorName.auto, self.llm_spec, None, self.seed, None
        )
        self.bars.label = f"{'memory' if memory else 'no-memory'} on {self.workers} workers"
        start = self.bars.completed()
        with recorded_run(store, "cairn bench", config) as run_id:
            plan = Plan(
                tuple(specs), run_id, trials, max_steps, self.seed, self.workers, memory, games
            )
            played = self.pool.run(
                plan, service, on_progress=lambda done: self.bars.set_completed(start + done)
            )
        store.close()
        return [([o.score for o in r.outcomes], [o.won for o in r.outcomes]) for r in played]


def bench(
    suite_path: SuiteArgument,
    trials: Annotated[
        int | None, typer.Option(min=1, help="Trials per env (suite's default: 5).")
    ] = None,
    llm: Annotated[
        str, typer.Option(help="embedded | embedded:smollm2-135m | openai:MODEL.")
    ] = "embedded",
    policy: Annotated[
        PolicyName, typer.Option(help="llm | evidence (no model) | random.")
    ] = PolicyName.llm,
    seed: Annotated[int, typer.Option(help="Seed for the policy's tie-breaking.")] = 0,
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
) -> None:
    """Prove learning: the memory agent against the identical agent without memory.

    For each environment group of the suite: ADAPT (same variation repeated), GEN-ENV (new
    variations after training on others) and GEN-TASK (new tasks). Prints a table of mean
    score by trial; --plot draws the learning curves, --json keeps every score.
    """
    suite: Suite = load_suite(suite_path, trials)
    agents = ("memory", "no-memory")
    with tempfile.TemporaryDirectory() as scratch:
        root = (workdir or Path(scratch)).expanduser()
        with SuiteProgress(planned_trials(suite, agents)) as bars:
            if workers:
                with WorkersPlayer(llm, policy, seed, workers, ray_address, bars) as on_ray:
                    results = run_suite(suite, on_ray.play, root, agents)
            else:
                with Environments(cache_dir() / "games") as environments:
                    player = SuitePlayer(environments, llm, policy, seed, bars)
                    results = run_suite(suite, player.play, root, agents)
    report = report_console(json_path)
    report.print(results_table(results))
    if json_path is not None:
        write_json(json_path, results.to_json())
    if plot_path is not None:
        plot(results, plot_path)
        report.print(f"learning curves: {plot_path}")
