"""A database written by release 0.1.0 (before record kinds) reads and works with today's code.

``tests/fixtures/db_v0_1_0.sql`` is that release's database as SQL text, and
``db_v0_1_0.json`` what its ``hotfix list --json`` said; both were made by running the
release's own code (``tests/fixtures/make_db_v0_1_0.py``). Kinds are derived from events,
so no schema migration is needed: the database is at the schema head as it comes.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from hotfix.adapters.store.database import Database
from hotfix.adapters.store.tables import SCHEMA_HEAD
from tests.cli.conftest import Invoke

FIXTURES = Path(__file__).parents[1] / "fixtures"
APPROVER = "lee@example.com"
# the kind today's domain gives each: content and roll-back-first routes have their own, and
# a roll-back-first record that went to work is a code hotfix from its start on
KINDS = {"HF-6": "content", "HF-7": "rollback"}
KEPT = ("id", "title", "state", "requester", "opened_at", "severity", "route", "approvals")


def released_by_0_1_0() -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = json.loads((FIXTURES / "db_v0_1_0.json").read_text())
    return listed


@pytest.fixture
def old_database(tmp_path: Path, repo: Path) -> Path:
    """The fixture loaded into a fresh SQLite file, and the repository configured to use it."""
    path = tmp_path / "hotfix-0.1.0.db"
    conn = sqlite3.connect(path)
    try:
        conn.executescript((FIXTURES / "db_v0_1_0.sql").read_text(encoding="utf-8"))
    finally:
        conn.close()
    (repo / "hotfix.toml").write_text(f'[database]\nurl = "sqlite:///{path}"\n'
                                      f'[approvals]\napprovers = ["{APPROVER}"]\n')
    return path


def test_the_fixture_is_the_release_s_schema(old_database: Path) -> None:
    assert Database(f"sqlite:///{old_database}").schema_revision() == SCHEMA_HEAD


def test_every_record_derives_as_the_release_showed_it(hotfix: Invoke,
                                                        old_database: Path) -> None:
    before = released_by_0_1_0()
    assert [r["state"] for r in before] == [
        "reported", "triaged", "approved", "released", "deferred", "content", "triaged",
        "in_progress", "rejected", "closed", "closed", "deferred"]
    now = hotfix("list", "--json")
    assert now.code == 0, now.err
    assert [{k: r[k] for k in KEPT} for r in now.json()] == [
        {k: r[k] for k in KEPT} for r in before]
    assert [r["kind"] for r in now.json()] == [KINDS.get(r["id"], "service") for r in before]
    assert [r["next"] for r in now.json() if r["id"] != "HF-6"] == [
        r["next"] for r in before if r["id"] != "HF-6"]  # a content record's steps are new


def test_every_timeline_verifies_and_keeps_its_events(hotfix: Invoke,
                                                       old_database: Path) -> None:
    for record in released_by_0_1_0():
        log = hotfix("log", record["id"], "--verify", "--json")
        assert log.code == 0, (record["id"], log.out, log.err)
        assert log.json()["chain"]["ok"] is True
    released = hotfix("status", "HF-4", "--json").json()
    assert (released["facts"]["tag"], released["facts"]["branch"]) == ("v1.0.1", "hotfix/1.0.1")
    assert released["time"]["active_seconds"] == 5400


def test_old_records_go_on_where_they_were(hotfix: Invoke, old_database: Path) -> None:
    approved = hotfix("approve", "HF-2", "--as", APPROVER, "--json")
    assert approved.code == 0, approved.err
    assert (approved.json()["state"], approved.json()["kind"]) == ("approved", "service")
    assert hotfix("close", "HF-9", "--as", APPROVER).code == 0  # rejected, then closed
    closed = hotfix("approve", "HF-10", "--as", APPROVER)
    assert closed.code == 1
    assert "HF-10 is closed; nothing more can be done to it" in closed.err
    for key in ("HF-2", "HF-9"):
        assert hotfix("log", key, "--verify").code == 0
    assert Database(f"sqlite:///{old_database}").schema_revision() == SCHEMA_HEAD
