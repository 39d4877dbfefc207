"""The one clock: timestamps as every record stores them (UTC, ISO 8601, milliseconds)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
