"""``cairn bench --plot``: the learning curves, one panel per setting and group."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent import __version__
from agent.running.bench import Results


def plot(results: Results, path: Path) -> None:
    """One panel per setting and group: mean score by trial (with the spread over seeds);
    a stream's panel: the mean score so far by position, in order and reversed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = ["adapt", "gen_env", "gen_task", "stream"]
    settings = sorted({k[0] for k in results.curves} - {"stream_reversed"}, key=order.index)
    groups = sorted({k[1] for k in results.curves})
    figure, axes = plt.subplots(
        len(settings),
        len(groups),
        figsize=(4.2 * len(groups), 3.2 * len(settings)),
        squeeze=False,
        sharey=True,
    )
    for row, setting in enumerate(settings):
        for column, group in enumerate(groups):
            ax = axes[row][column]
            if setting == "stream":
                _plot_stream(ax, results, group)
            else:
                _plot_trials(ax, results, setting, group)
            ax.set_title(f"{setting.upper().replace('_', '-')} · {group}", fontsize=10)
            ax.set_ylim(-3, 103)
            ax.grid(alpha=0.3)
            if column == 0:
                ax.set_ylabel("mean score")
            if column == 0 or setting == "stream":
                ax.legend(loc="upper left", fontsize=7)
    figure.suptitle(f"cairn {__version__} · suite {results.suite}", fontsize=11)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _plot_trials(ax: Any, results: Results, setting: str, group: str) -> None:
    trials = list(range(1, results.trials + 1))
    agents = [a for s, g, a in results.curves if (s, g) == (setting, group)]
    for agent in agents:
        curve = results.curves[(setting, group, agent)]
        style = {"memory": "-o", "no-memory": "--s"}.get(agent, "-.x")  # -.x: an ablation
        means, sd = curve.mean_by_trial(), curve.sd_by_trial()
        ax.errorbar(trials, means, sd, fmt=style, label=agent, capsize=3)
        if agent == "no-memory":
            best, sd = curve.best_of_k_by_trial(), curve.best_of_k_sd_by_trial()
            ax.errorbar(trials, best, sd, fmt=":^", label="best-of-k retry", capsize=3)
    ax.set_xticks(trials)
    ax.set_xlabel("trial")


def _plot_stream(ax: Any, results: Results, group: str) -> None:
    lines = (
        ("stream", "memory", "-o", "memory"),
        ("stream", "no-memory", "--s", "no memory"),
        ("stream_reversed", "memory", ":^", "memory, reversed order"),
    )
    for setting, agent, style, label in lines:
        curve = results.curves.get((setting, group, agent))
        if curve is not None:
            so_far = curve.cumulative_by_position()
            ax.plot(range(1, len(so_far) + 1), so_far, style, label=label)
    ax.set_xlabel("position in the stream (mean so far)")
