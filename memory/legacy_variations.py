"""What migration m0007 needs to key a variation by everything that makes it another game:
the variation keys of rows recorded before it, and the split of an insight that gathered
evidence from several such games. Part of a released migration: never edited.
"""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from memory.clock import now as _now

# The adapters' defaults and spellings as they were when this migration was written (it
# rewrites the rows of that time, so it must not follow later changes to the adapters).
_TEXTWORLD_DEFAULTS: dict[str, dict[str, object]] = {
    "coin_collector": {"level": 5},
    "treasure_hunter": {"level": 5},
    "simple": {"rewards": "dense", "goal": "detailed", "test": False},
    "cooking": {
        **{"recipe": 1, "take": 1, "go": 1, "recipe_seed": 0, "split": None},
        **{flag: False for flag in ("open", "cook", "cut", "drop")},
    },
}
_FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def _option_value(default: object, text: str) -> object:
    if isinstance(default, bool):
        return _FLAGS.get(text.lower(), text)
    if isinstance(default, int):
        return int(text) if text.isdigit() else text
    return text


def _spelled(value: object) -> str:
    return ("1" if value else "0") if isinstance(value, bool) else str(value)


def legacy_variation_key(spec: str, variation: object) -> str | None:
    """The identity of a variation recorded before m0007: its number and the options of the
    spec it was played with that differ from the defaults (``"3,level=2"``)."""
    if variation is None:
        return None
    name, _, rest = spec.partition(":")
    head, *pairs = rest.split(",")
    task = head.rpartition("@")[0] or head
    options = dict(pair.partition("=")[::2] for pair in pairs if "=" in pair)
    kept: dict[str, str] = {}
    if name == "textworld" and task in _TEXTWORLD_DEFAULTS:
        defaults = _TEXTWORLD_DEFAULTS[task]
        for key, text in options.items():
            value = _option_value(defaults.get(key), text.strip())
            if key not in defaults or value != defaults[key]:
                kept[key] = _spelled(value)
    elif name == "scienceworld":
        simplification = "+".join(sorted(options.get("simplification", "easy").split("+")))
        if simplification != "easy":
            kept["simplification"] = simplification
    else:
        kept = options
    return ",".join([str(variation), *(f"{k}={v}" for k, v in sorted(kept.items()))])


def split_insight(db: Database, insight: dict[str, Any], trial_keys: dict[int, str | None]) -> int:
    """Key one variation-scope insight by the games its evidence came from; returns how many
    insights were split off it."""
    evidence = list(
        db.query(
            "select id, trial_id, kind, weight from insight_evidence where insight_id = ? "
            "order by id",
            [insight["id"]],
        )
    )
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in evidence:
        key = trial_keys.get(row["trial_id"]) if row["trial_id"] is not None else None
        if key is not None:
            groups.setdefault(key, []).append(row)
    if not groups:
        return 0
    own, *others = groups  # the game of its first evidence keeps the insight
    prefix = f"{insight['env']}/{insight['task']}/"
    db.execute(
        "update insights set variation = ?, where_key = ? where id = ?",
        [own, prefix + own, insight["id"]],
    )
    support, refute = float(insight["support"] or 0), float(insight["refute"] or 0)
    for key in others:
        moved = {
            kind: sum(r["weight"] for r in groups[key] if r["kind"] == kind)
            for kind in ("support", "refute")
        }
        support, refute = support - moved["support"], refute - moved["refute"]
        copy = {k: v for k, v in insight.items() if k != "id"}
        copy.update(
            variation=key,
            where_key=prefix + key,
            support=moved["support"],
            refute=moved["refute"],
        )
        new_id = db.table("insights").insert(copy).last_pk
        ids = [r["id"] for r in groups[key]]
        db.execute(
            f"update insight_evidence set insight_id = ? where id in ({','.join('?' * len(ids))})",
            [new_id, *ids],
        )
        db.table("insight_ops").insert(
            {
                "insight_id": new_id,
                "op": "split",
                "actor": "migration",
                "details": json.dumps({"from": insight["id"], "variation": key}),
                "at": _now(),
            }
        )
    db.execute(
        "update insights set support = ?, refute = ? where id = ?",
        [max(0.0, support), max(0.0, refute), insight["id"]],
    )
    return len(others)
