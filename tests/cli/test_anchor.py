"""The anchor witnesses the record outside the database (issue 17, case 2): a record whose
events and head were re-hashed consistently, or deleted, is caught."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from hotfix.domain.record.events import Event, compute_hash
from tests.cli.conftest import Invoke
from tests.cli.test_record_commands import ANSWERS, REQ

pytestmark = pytest.mark.both_modes

MALLORY = "mallory@example.com"


def _rehash(db_path: Path, number: int, seq: int, actor: str) -> None:
    """Alter one event and recompute every hash after it and the head, as an attacker with
    the database (and this source code) would: the chain alone then verifies."""
    with sqlite3.connect(db_path) as db:
        rows = db.execute("SELECT seq, at, actor, kind, payload FROM events WHERE hotfix = ? "
                          "ORDER BY seq", (number,)).fetchall()
        prev = "0" * 64
        for row_seq, at, who, kind, payload in rows:
            from datetime import datetime
            event = Event(number, row_seq, datetime.fromisoformat(at),
                          actor if row_seq == seq else who, kind, json.loads(payload), prev)
            digest = compute_hash(event)
            db.execute("UPDATE events SET actor = ?, prev_hash = ?, hash = ? WHERE hotfix = ? "
                       "AND seq = ?", (event.actor, prev, digest, number, row_seq))
            prev = digest
        db.execute("UPDATE hotfixes SET head_hash = ? WHERE number = ?", (prev, number))


def test_rehashed_record_passes_the_chain_but_not_the_anchor(hotfix: Invoke,
                                                             record_db: Path) -> None:
    hotfix("open", "Bug", *ANSWERS, "--as", REQ)
    hotfix("time", "HF-1", "10m", "--as", REQ)
    anchored = hotfix("anchor", "--json")
    assert anchored.code == 0, anchored.err
    assert [(p["id"], p["seq"], p["checkpoint"]) for p in anchored.json()["written"]] == [
        ("HF-1", 3, 1)]
    assert hotfix("anchor", "--json").json()["written"] == []  # nothing new: no new commit

    hotfix("time", "HF-1", "5m", "--as", REQ)  # newer than the witness: still fine
    assert hotfix("log", "HF-1", "--verify").code == 0
    _rehash(record_db, 1, 2, MALLORY)

    result = hotfix("log", "HF-1", "--verify", "--json")
    assert result.code == 1
    timeline, _ = json.JSONDecoder().raw_decode(result.out)  # then the error, as JSON
    assert timeline["chain"]["ok"] is True  # the chain alone is fooled
    assert "re-hashed after checkpoint 1: event 3" in timeline["anchor"][0]
    status = hotfix("status", "HF-1")
    assert status.code == 0
    assert "re-hashed after checkpoint 1" in status.err
    assert "re-hashed" in hotfix("list").err
    verify = hotfix("anchor", "--verify")
    assert verify.code == 1
    assert "HF-1 was re-hashed" in verify.out
    refused = hotfix("anchor")  # never bless the tampering with a new checkpoint
    assert refused.code == 1
    assert "not checkpointing HF-1" in refused.err


def test_a_deleted_record_is_missing(hotfix: Invoke, record_db: Path) -> None:
    for title in ("One", "Two", "Three"):
        hotfix("open", title, *ANSWERS, "--as", REQ)
    assert hotfix("anchor").code == 0
    with sqlite3.connect(record_db) as db:
        db.execute("DELETE FROM events WHERE hotfix = 2")
        db.execute("DELETE FROM hotfixes WHERE number = 2")
    listing = hotfix("list", "--json")
    assert [r["id"] for r in listing.json()] == ["HF-1", "HF-3"]
    assert "HF-2 is missing: checkpoint 1 witnessed it" in listing.err
    assert "HF-2 is missing" in hotfix("anchor", "--verify").out


def test_anchors_push_without_force_and_keep_their_history(hotfix: Invoke, repo: Path,
                                                           tmp_path: Path, record_db: Path,
                                                           cli_mode: str) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    subprocess.run(["git", "-C", str(remote), "config", "receive.denyNonFastForwards", "true"],
                   check=True)
    subprocess.run(["git", "-C", str(repo), "remote", "add", "origin", str(remote)], check=True)
    hotfix("open", "Bug", *ANSWERS, "--as", REQ)
    assert hotfix("anchor", "--push").code == 0
    hotfix("time", "HF-1", "10m", "--as", REQ)
    pushed = hotfix("anchor", "--push", "--json")
    assert pushed.code == 0, pushed.err
    assert pushed.json()["pushed_to"] == "origin"
    log = subprocess.run(["git", "-C", str(remote), "log", "--format=%s",
                          "refs/hotfix/anchor/HF-1"], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert log == ["hotfix: anchor HF-1 at event 3", "hotfix: anchor HF-1 at event 2"]

    # rewriting the local anchor over a tampered record cannot replace the pushed one
    subprocess.run(["git", "-C", str(repo), "update-ref", "-d", "refs/hotfix/anchor/HF-1"],
                   check=True)
    _rehash(record_db, 1, 2, MALLORY)
    if cli_mode == "client":  # the server's own signatures already tell: no new witness
        refused = hotfix("anchor")
        assert refused.code == 1
        assert "re-hashed after the server signed event 3" in refused.err
        return
    assert hotfix("anchor").code == 0  # a fresh local witness of the tampered record…
    refused = hotfix("anchor", "--push")
    assert refused.code == 1  # …which the remote refuses
    assert "origin refused the anchors" in refused.err


def test_push_without_a_remote_says_what_to_do(hotfix: Invoke) -> None:
    hotfix("open", "Bug", *ANSWERS, "--as", REQ)
    result = hotfix("anchor", "--push")
    assert result.code != 0
    assert "no remote 'origin'" in result.err
    assert "git remote add" in result.err
