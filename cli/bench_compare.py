"""``cairn bench --compare A.json B.json``: what changed between two bench results.

Per setting, group and agent: the first and last trial's mean score in each, and the
change; per environment: its last-trial score in each. An environment or curve only one of
the two results has is listed as missing, not compared.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.table import Table

from agent.running.bench import Curve, Results
from cli.common import fail


def load_results(path: Path) -> Results:
    """A ``cairn bench --json`` file, or one clear line saying what is wrong with it."""
    try:
        return Results.from_json(json.loads(path.read_text()))
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror}")
    except (ValueError, KeyError, TypeError):
        fail(
            f"{path} is not a `cairn bench --json` result: "
            f"write one with `cairn bench SUITE --json {path}`"
        )


def comparison(before: Results, after: Results) -> dict[str, Any]:
    """Every curve and environment of either result, with both sides' scores and the change
    (None where one side has no such curve or environment)."""
    curves, envs = [], []
    for key in dict.fromkeys([*before.curves, *after.curves]):
        pair = (before.curves.get(key), after.curves.get(key))
        setting, group, agent = key
        means = [c.mean_by_trial() if c else None for c in pair]
        first = [m[0] if m else None for m in means]
        spreads = [c.sd_by_trial()[-1] if c else 0.0 for c in pair]
        rows = [(agent, [m[-1] if m else None for m in means], spreads)]
        if agent == "no-memory":  # what retrying achieves, the bar learning must clear
            best = [c.best_of_k_by_trial()[-1] if c else None for c in pair]
            rows.append(
                ("best-of-k", best, [c.best_of_k_sd_by_trial()[-1] if c else 0.0 for c in pair])
            )
        for name, last, spread in rows:
            change = _change(last)
            curves.append(
                {
                    "setting": setting,
                    "group": group,
                    "agent": name,
                    "first": first,
                    "last": last,
                    "sd_last": spread,
                    "change": change,
                    # Within the spread between seeds, a change is no difference.
                    "differs": change is not None and abs(change) > max(spread),
                }
            )
        scores = [_last_scores(c) for c in pair]
        for spec in dict.fromkeys([*scores[0], *scores[1]]):
            last = [side.get(spec) for side in scores]
            envs.append(
                {
                    "setting": setting,
                    "group": group,
                    "agent": agent,
                    "env": spec,
                    "last": last,
                    "change": _change(last),
                }
            )
    return {"before": before.suite, "after": after.suite, "curves": curves, "envs": envs}


def _last_scores(curve: Curve | None) -> dict[str, float]:
    """Each spec's last-trial score, the mean over seeds (none for a curve a result does not
    have)."""
    if curve is None:
        return {}
    scores: dict[str, list[float]] = {}
    for spec, played in zip(curve.specs, curve.played, strict=True):
        scores.setdefault(spec, []).append(played.scores[-1])
    return {spec: sum(found) / len(found) for spec, found in scores.items()}


def _change(pair: list[float | None]) -> float | None:
    before, after = pair
    return None if before is None or after is None else after - before


def comparison_tables(found: dict[str, Any], before: str, after: str) -> tuple[Table, Table]:
    curves = Table(
        title=f"{before} → {after}: mean score, first and last trial", title_justify="left"
    )
    for column in ("setting", "group", "agent"):
        curves.add_column(column)
    for column in ("first A", "first B", "last A", "last B", "change"):
        curves.add_column(column, justify="right")
    for row in found["curves"]:
        seeded = any(row["sd_last"])
        last = [
            f"{_shown(v)}±{sd:.1f}" if seeded else _shown(v)
            for v, sd in zip(row["last"], row["sd_last"], strict=True)
        ]
        change = _signed(row["change"])
        if seeded and row["change"] is not None and not row["differs"]:
            change += " (no difference)"
        curves.add_row(
            row["setting"],
            row["group"],
            row["agent"],
            *(_shown(v) for v in row["first"]),
            *last,
            change,
        )
    envs = Table(title="last trial by environment (changed or missing only)", title_justify="left")
    for column in ("agent", "env"):
        envs.add_column(column)
    for column in ("A", "B", "change"):
        envs.add_column(column, justify="right")
    for row in found["envs"]:
        if row["change"] != 0:
            envs.add_row(
                row["agent"], row["env"], *map(_shown, row["last"]), _signed(row["change"])
            )
    envs.caption = (
        "A: the first file, B: the second; with several seeds (bench --seeds N), means over "
        "them, and a change within the spread between seeds is no difference."
    )
    return curves, envs


def _shown(value: float | None) -> str:
    return "missing" if value is None else f"{value:.1f}"


def _signed(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1f}"
