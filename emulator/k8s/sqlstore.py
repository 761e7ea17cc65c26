"""One cluster's persistent state in an SQLite file: objects, the revision log and the settings.

A commit writes only the rows the request changed (plus their log entries), so its cost does not grow
with what the cluster holds. WAL journalling makes every commit atomic: a killed process leaves the
file as of the last commit. Processes that share the file serialise writes with ``BEGIN IMMEDIATE``
and notice each other's commits through ``PRAGMA data_version``; the log lets them replay just the
changes they missed. The log keeps the newest ``LOG_LIMIT`` revisions.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from .changelog import LOG_LIMIT
from .store import DELETED, Change, Obj, ident_of

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS objects (bucket TEXT NOT NULL, ns TEXT NOT NULL, name TEXT NOT NULL,"
    " body TEXT NOT NULL, PRIMARY KEY (bucket, ns, name)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS log (rv INTEGER PRIMARY KEY, type TEXT NOT NULL, bucket TEXT NOT NULL,"
    " body TEXT NOT NULL)",
)
BUSY_TIMEOUT_S = 30.0
COMPACT_EVERY = 512
RemoteChange = tuple[int, str, str, Obj]  # revision, type, storage key, object


def _dump(obj: Obj) -> str:
    return json.dumps(obj, separators=(",", ":"))


class SqlStore:
    def __init__(self, path: Path, log_limit: int = LOG_LIMIT) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.log_limit = log_limit
        self._db = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        for statement in SCHEMA:
            self._db.execute(statement)
        self._compacted_at = 0

    def close(self) -> None:
        self._db.close()

    # -- reads ----------------------------------------------------------------------------------
    def data_version(self) -> int:
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def read_meta(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self._db.execute("SELECT k, v FROM meta")}

    def load_objects(self) -> list[tuple[str, Obj]]:
        rows = self._db.execute("SELECT bucket, body FROM objects")
        return [(str(bucket), json.loads(body)) for bucket, body in rows]

    def changes_after(self, revision: int) -> list[RemoteChange] | None:
        """The logged changes after ``revision``; None when the log no longer reaches back that far."""
        rows = [
            (int(rv), str(kind), str(bucket), json.loads(body))
            for rv, kind, bucket, body in self._db.execute(
                "SELECT rv, type, bucket, body FROM log WHERE rv > ? ORDER BY rv", (revision,)
            )
        ]
        if rows and rows[0][0] != revision + 1:
            return None
        return rows

    # -- writes ---------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """An exclusive write transaction (waits for other processes' writers)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def save(self, changes: Sequence[Change], meta: Mapping[str, str]) -> None:
        """Write changes and metadata (call inside ``transaction``)."""
        for change in changes:
            ns, name = ident_of(change.obj)
            body = _dump(change.obj)
            if change.type == DELETED:
                self._db.execute(
                    "DELETE FROM objects WHERE bucket = ? AND ns = ? AND name = ?", (change.key, ns, name)
                )
            else:
                self._db.execute(
                    "INSERT OR REPLACE INTO objects (bucket, ns, name, body) VALUES (?, ?, ?, ?)",
                    (change.key, ns, name, body),
                )
            self._db.execute(
                "INSERT OR REPLACE INTO log (rv, type, bucket, body) VALUES (?, ?, ?, ?)",
                (change.revision, change.type, change.key, body),
            )
        self._write_meta(meta)
        if changes and changes[-1].revision - self._compacted_at >= COMPACT_EVERY:
            self._compacted_at = changes[-1].revision
            self._db.execute("DELETE FROM log WHERE rv <= ?", (changes[-1].revision - self.log_limit,))

    def replace_all(self, entries: Iterable[tuple[str, Obj]], meta: Mapping[str, str]) -> None:
        """Write a complete snapshot (a new or migrated cluster); the log starts empty."""
        with self.transaction():
            for table in ("objects", "log", "meta"):
                self._db.execute(f"DELETE FROM {table}")
            self._db.executemany(
                "INSERT INTO objects (bucket, ns, name, body) VALUES (?, ?, ?, ?)",
                ((key, *ident_of(obj), _dump(obj)) for key, obj in entries),
            )
            self._write_meta(meta)

    def _write_meta(self, meta: Mapping[str, str]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)", meta.items())
