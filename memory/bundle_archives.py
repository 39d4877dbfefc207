"""Archives of cells in bundles (``archives.jsonl``, from format 3): each game's archive out
as a record, and in again merged with the home's own (``memory.archive.merge``), so a home
that takes a bundle in knows the ways, the tries and the losses another home found."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from memory.archive import Archive, Cell, Outcome, merge
from memory.bundle_schema import ArchiveRecord
from memory.store import Store

LOCAL = ("first_trial", "last_trial")  # trial numbers of the exporting home: they stay there


def archive_record(archive: Archive) -> dict[str, Any]:
    return {
        "env": archive.env,
        "task": archive.task,
        "variation": archive.variation,
        "start": archive.start,
        "trials": archive.trials,
        "setbacks": archive.setbacks,
        "cells": [
            {k: v for k, v in asdict(cell).items() if k not in LOCAL}
            for cell in archive.cells.values()
        ],
    }


def archive_of(record: ArchiveRecord) -> Archive:
    cells = {
        c.key: Cell(
            c.key,
            c.place,
            tuple(c.inventory),
            c.score,
            tuple(c.path),
            c.reached,
            c.chosen,
            c.won,
            tuple(Outcome(**o.model_dump()) for o in c.tried),
            tuple(c.offered),
            tuple(c.seen),
            tuple(c.risks),
        )
        for c in record.cells
    }
    return Archive(
        record.env,
        record.task,
        record.variation,
        record.start,
        record.trials,
        record.setbacks,
        cells,
    )


def take_archive(store: Store, record: ArchiveRecord) -> bool:
    """Merge a bundle's archive into this home's archive of the game; did anything change?"""
    theirs = archive_of(record)
    ours = store.archives.load(theirs.env, theirs.task, theirs.variation)
    merged = merge(ours, theirs)
    if merged == ours:
        return False
    store.archives.save(merged)
    return True
