"""Rows written on learning's hot path, one statement each.

sqlite-utils' ``insert`` and ``update`` read the schema before every write (is the table
there, which columns, does the row exist): ~0.3 ms a call, which the memory service paid a
few hundred times for each trial it learned. The tables here are the migrations' own
(``memory.migrations``), so their schema is known and these write straight away. Values
go to SQLite as they are: callers encode JSON themselves. A write outside a transaction is
one of its own (committed, as sqlite-utils' are); inside one, it is part of it.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlite_utils import Database


@functools.lru_cache(maxsize=128)
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(f"[{column}]" for column in columns)
    return f"INSERT INTO [{table}] ({names}) VALUES ({', '.join('?' * len(columns))})"


@functools.lru_cache(maxsize=128)
def _upsert_sql(table: str, columns: tuple[str, ...], keys: tuple[str, ...]) -> str:
    changes = ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c not in keys)
    conflict = ", ".join(f"[{key}]" for key in keys)
    return f"{_insert_sql(table, columns)} ON CONFLICT ({conflict}) DO UPDATE SET {changes}"


@functools.lru_cache(maxsize=128)
def _update_sql(table: str, columns: tuple[str, ...]) -> str:
    changes = ", ".join(f"[{column}] = ?" for column in columns)
    return f"UPDATE [{table}] SET {changes} WHERE id = ?"


@contextlib.contextmanager
def _writing(db: Database) -> Iterator[sqlite3.Connection]:
    """The connection, in the caller's transaction or in one of the write's own (without
    the savepoint sqlite-utils opens inside one: a single statement is atomic already)."""
    if db.conn.in_transaction:
        yield db.conn
    else:
        with db.atomic():
            yield db.conn


def insert_row(db: Database, table: str, row: Mapping[str, Any]) -> int:
    """Insert one row; its id."""
    with _writing(db) as conn:
        cursor = conn.execute(_insert_sql(table, tuple(row)), tuple(row.values()))
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def insert_rows(db: Database, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows that all have the same columns, in one statement."""
    if rows:
        sql = _insert_sql(table, tuple(rows[0]))
        with _writing(db) as conn:
            conn.executemany(sql, [tuple(row.values()) for row in rows])


def upsert_rows(
    db: Database, table: str, rows: Sequence[Mapping[str, Any]], keys: tuple[str, ...]
) -> None:
    """Insert rows that all have the same columns, or update the columns given of those
    whose ``keys`` (a unique index) are there already."""
    if rows:
        sql = _upsert_sql(table, tuple(rows[0]), keys)
        with _writing(db) as conn:
            conn.executemany(sql, [tuple(row.values()) for row in rows])


def update_row(db: Database, table: str, row_id: int, changes: Mapping[str, Any]) -> None:
    """Change columns of the row with this id (a missing row changes nothing)."""
    if changes:
        sql = _update_sql(table, tuple(changes))
        with _writing(db) as conn:
            conn.execute(sql, (*changes.values(), row_id))
