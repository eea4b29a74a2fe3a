"""PostgreSQL LISTEN for the team server's live pages: every append on any replica is a
NOTIFY (``sql.APPENDED``, sent on commit); one thread per database listens and counts
them per record, so a live timeline re-reads its record only when it changed.

While the connection is down ``version`` says None (the pages poll) and the thread
reconnects; nothing is lost, since a page always re-reads the record itself."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

import psycopg

from hotfix.adapters.store.database import libpq_url
from hotfix.adapters.store.sql import APPENDED

log = logging.getLogger("hotfix.server")
RECONNECT_SECONDS = 2.0


class AppendListener:
    """``services.server.ChangeFeed`` over LISTEN, one connection per database URL."""

    def __init__(self, urls: Mapping[str, str]) -> None:
        self.versions: dict[tuple[str, int], int] = {}
        self.live: set[str] = set()  # the projects whose connection is up
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        by_url: dict[str, list[str]] = {}
        for project, url in urls.items():
            by_url.setdefault(url, []).append(project)
        self.threads = [threading.Thread(target=self._listen, args=(url, tuple(projects)),
                                         name="hotfix-listen", daemon=True)
                        for url, projects in by_url.items()]
        for thread in self.threads:
            thread.start()

    def version(self, project: str, number: int) -> int | None:
        with self.lock:
            return self.versions.get((project, number), 0) if project in self.live else None

    def close(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(5)

    def _listen(self, url: str, projects: tuple[str, ...]) -> None:
        while not self.stopping.is_set():
            try:
                self._session(url, projects)
            except psycopg.Error as exc:
                log.warning("LISTEN %s: %s; live pages poll meanwhile", APPENDED, exc)
            finally:
                with self.lock:
                    self.live.difference_update(projects)
            self.stopping.wait(RECONNECT_SECONDS)

    def _session(self, url: str, projects: tuple[str, ...]) -> None:
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            row = conn.execute("SELECT current_schema()").fetchone()
            schema = str(row[0]) if row else ""
            conn.execute(f"LISTEN {APPENDED}")
            with self.lock:
                self.live.update(projects)
            while not self.stopping.is_set():
                for note in conn.notifies(timeout=0.5):
                    self._count(note.payload, schema, projects)

    def _count(self, payload: str, schema: str, projects: tuple[str, ...]) -> None:
        where, _, number = payload.rpartition(":")
        if where != schema or not number.isdigit():
            return  # another schema of the same database
        with self.lock:
            for project in projects:
                key = (project, int(number))
                self.versions[key] = self.versions.get(key, 0) + 1
