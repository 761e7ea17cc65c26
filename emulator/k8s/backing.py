"""Keeps a cluster's in-memory ``Store`` in step with its revision log, its SQLite file and its watches.

Every request runs in a ``session``: reads first pick up what other processes committed (incrementally,
from the file's log); writes take the file's write lock, then commit exactly the changes the request
journalled, then publish them to the revision log and wake the watches. A request that fails half-way
still commits the writes it made (each object write is atomic, as on a real API server). Without a
file (tests that build a ``KubeCluster`` directly) the same happens in memory only.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .changelog import LOG_LIMIT, ChangeLog
from .sqlstore import SqlStore
from .store import Change, Store

REFRESH_EVERY_S = 0.2  # how often an idle watch looks for other processes' commits


@dataclass(frozen=True)
class SettingsPort:
    """How the backing reads and restores the cluster's own settings (name, token, controllers...)."""

    export: Callable[[], dict[str, Any]]
    adopt: Callable[[dict[str, Any]], None]


def _settings_text(settings: dict[str, Any]) -> str:
    return json.dumps(settings, sort_keys=True, separators=(",", ":"))


class Backing:
    def __init__(
        self, store: Store, lock: threading.RLock, settings: SettingsPort, log_limit: int = LOG_LIMIT
    ) -> None:
        self.store = store
        self._lock = lock
        self._changed = threading.Condition(lock)
        self._settings = settings
        self.log = ChangeLog(store.revision, log_limit)
        self.log_limit = log_limit
        self._db: SqlStore | None = None
        self._instance = ""
        self._data_version = -1
        self._saved_settings = ""
        self._writing = False
        self._closed = False
        self._refreshed_at = 0.0

    # -- persistence ----------------------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return self._db.path if self._db is not None else None

    @property
    def instance(self) -> str:
        return self._instance

    def _meta(self) -> dict[str, str]:
        self._saved_settings = _settings_text(self._settings.export())
        return {
            "revision": str(self.store.revision),
            "sequence": str(self.store.sequence),
            "signingKey": self.store.signing_key,
            "instance": self._instance,
            "settings": self._saved_settings,
        }

    def persist(self, path: Path) -> None:
        """Write the whole cluster to a new file at ``path`` and keep it in step from now on."""
        with self._lock:
            db = SqlStore(path, self.log_limit)
            self._instance = uuid.uuid4().hex
            db.replace_all(self.store.all_items(), self._meta())
            self._db, self._data_version = db, db.data_version()

    def attach(self, db: SqlStore, meta: dict[str, str]) -> None:
        """Follow a file whose content the store was just loaded from (``meta`` as read)."""
        with self._lock:
            self._db, self._instance = db, meta.get("instance", "")
            self._saved_settings = meta.get("settings", "")
            self._data_version = db.data_version()

    def close(self) -> None:
        """End every watch; the file is closed (the cluster must not be used afterwards)."""
        with self._lock:
            self._closed = True
            self._changed.notify_all()
            if self._db is not None:
                self._db.close()
                self._db = None

    # -- sessions -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def session(self, write: bool) -> Iterator[None]:
        """Run one request (or one model change) against an up-to-date store."""
        with self._lock:
            if self._writing or not write:
                self.refresh()
                yield
                return
            self._writing = True
            try:
                changes = yield from self._write_session()
            finally:
                self._writing = False
            self._publish(changes)

    def _write_session(self) -> Generator[None, None, list[Change]]:
        """Generator body of a write session: returns the committed changes, re-raises errors."""
        error: BaseException | None = None
        with self._transaction():
            self.refresh()
            try:
                yield
            except BaseException as exc:  # commit what was written, then let it propagate
                error = exc
            changes = self.store.take_journal()
            if self._db is not None:
                self._db.save(changes, self._meta())
        if error is not None:
            raise error
        return changes

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        if self._db is None:
            yield
            return
        try:
            with self._db.transaction():
                yield
        except Exception:
            self._reload(self._db.read_meta())  # memory may be ahead of the file now
            raise

    def _publish(self, changes: list[Change]) -> None:
        if changes:
            self.log.append(changes)
            self._changed.notify_all()

    # -- other processes ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Pick up what other processes committed since this process last looked."""
        self._refreshed_at = time.monotonic()
        if self._db is None:
            return
        version = self._db.data_version()
        if version == self._data_version:
            return
        self._data_version = version
        meta = self._db.read_meta()
        revision = int(meta.get("revision", 0))
        if meta.get("instance") != self._instance or revision < self.store.revision:
            self._reload(meta)
            return
        if revision > self.store.revision:
            rows = self._db.changes_after(self.store.revision)
            if not rows:
                self._reload(meta)
                return
            self._publish([self.store.apply_remote(*row) for row in rows])
        self.store.sequence = int(meta.get("sequence", self.store.sequence))
        if meta.get("settings", "") != self._saved_settings:
            self._saved_settings = meta.get("settings", "")
            self._settings.adopt(json.loads(self._saved_settings))

    def _reload(self, meta: dict[str, str]) -> None:
        if self._db is None:
            return
        revision = int(meta.get("revision", 0))
        self.store.signing_key = meta.get("signingKey", self.store.signing_key)
        self.store.load(self._db.load_objects(), revision, int(meta.get("sequence", 0)))
        self._instance = meta.get("instance", "")
        self._saved_settings = meta.get("settings", "")
        if self._saved_settings:
            self._settings.adopt(json.loads(self._saved_settings))
        self.log.reset(revision)
        self._changed.notify_all()

    # -- watches (WatchSource) ------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    def changes_since(self, revision: int, wait: float) -> list[Change] | None:
        with self._lock:
            if time.monotonic() - self._refreshed_at >= REFRESH_EVERY_S and not self._closed:
                self.refresh()
            found = self.log.since(revision)
            if found == [] and not self._closed:
                self._changed.wait(wait)
                found = self.log.since(revision)
            return found
