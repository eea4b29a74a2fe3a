"""Ordinary bad input ends in a refusal (exit 1) or a usage error (exit 2), never exit 3.

Issue 17, cases 3, 4, 7 and 8: real repository, real SQLite, the CLI in-process."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke

pytestmark = pytest.mark.both_modes

REQ = "dana@example.com"


def opened(hotfix: Invoke) -> str:
    done = hotfix("open", "Checkout returns 500", "--no-input", "--as", REQ, "--json")
    assert done.code == 0, done.err
    return str(done.json()["id"])


def refused(hotfix: Invoke, code: int, *args: str) -> str:
    """Run ``args``; assert the exit code and that the error comes with a hint."""
    done = hotfix(*args)
    assert done.code == code, (done.code, done.out, done.err)
    assert "error:" in done.err, done.err
    assert "hint:" in done.err, done.err
    return " ".join(done.err.split())


# ── case 3: a database file that is no database is refused, never replaced ─────────────


@pytest.mark.local_only  # the local database file
@pytest.mark.parametrize(("content", "what"), [
    (b"", "is empty (0 bytes)"),
    (b"SQLite format 3\x00" + b"\x00" * 84, "is not a SQLite database (100 bytes)"),
    (b"hello, not a database\n" * 40, "is not a SQLite database (880 bytes)"),
])
def test_an_empty_or_truncated_database_is_refused_untouched(
        hotfix: Invoke, repo: Path, content: bytes, what: str) -> None:
    opened(hotfix)
    db = repo / ".hotfix" / "hotfix.db"
    for extra in (repo / ".hotfix" / "hotfix.db-wal", repo / ".hotfix" / "hotfix.db-shm"):
        extra.unlink(missing_ok=True)
    db.write_bytes(content)
    err = refused(hotfix, 1, "list")
    assert f"the database {db} {what}; hotfix will not replace it with an empty record" in err
    assert f"restore it from a backup, or move it aside to start a fresh record: mv {db} " \
           f"{db}.broken" in err
    assert db.read_bytes() == content
    assert refused(hotfix, 1, "open", "Another", "--no-input", "--as", REQ) == err


@pytest.mark.local_only  # the local database file
def test_a_database_cut_short_is_refused(hotfix: Invoke, repo: Path) -> None:
    for n in range(8):
        hotfix("open", f"Bug {n}", "--no-input", "--as", REQ)
    db = repo / ".hotfix" / "hotfix.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = db.stat().st_size
    with db.open("r+b") as f:
        f.truncate(4096)
    err = refused(hotfix, 1, "status", "HF-1")
    assert f"the database {db} is truncated (4096 of {size} bytes)" in err
    assert "restore it from a backup" in err
    assert db.stat().st_size == 4096


# ── case 4: exit 3 on ordinary bad input ─────────────────────────────────────────────


def test_an_id_too_large_for_the_store_is_not_a_hotfix_id(hotfix: Invoke) -> None:
    opened(hotfix)
    err = refused(hotfix, 2, "status", "HF-99999999999999999999")
    assert "'HF-99999999999999999999' is not a hotfix id" in err
    assert "ids look like HF-1 (ASCII digits, from 1); see them all: hotfix list" in err


@pytest.mark.local_only  # the local database file
@pytest.mark.parametrize(("url", "message"), [
    ("bogus", "database.url is not a database URL"),
    ("nosuchdb://u@h/db", "database.url is not a database URL"),
    ("mysql://u:secret@h/db", "database.url needs the Python module 'MySQLdb', which is not "
                              "installed (mysql://…)"),
])
def test_a_database_url_hotfix_cannot_use_is_a_usage_error(
        hotfix: Invoke, monkeypatch: pytest.MonkeyPatch, url: str, message: str) -> None:
    monkeypatch.setenv("HOTFIX_DATABASE_URL", url)
    err = refused(hotfix, 2, "list")
    assert message in err
    assert "leave it empty for SQLite in .hotfix/" in err or "leave database.url empty" in err
    assert "secret" not in err


def test_a_config_file_that_is_not_utf8_is_named(hotfix: Invoke, repo: Path) -> None:
    (repo / "hotfix.toml").write_bytes(b'[records]\nprefix = "F\xe9"\n')
    err = refused(hotfix, 2, "list")
    assert "hotfix.toml is not UTF-8 text (byte b'\\xe9' at offset 21)" in err
    assert f"save {repo / 'hotfix.toml'} as UTF-8" in err


def test_a_smoke_path_without_a_leading_slash_is_refused(hotfix: Invoke, repo: Path) -> None:
    (repo / "hotfix.toml").write_text('[verify]\nbase_url = "http://127.0.0.1:9"\n'
                                      'smoke = [{ path = "health" }]\n')
    key = opened(hotfix)
    err = refused(hotfix, 2, "verify", key, "--as", REQ)
    assert "verify.smoke[0]: the path 'health' must start with '/' (a path, not a URL" in err
    assert 'starts with one "/", e.g. /checkout' in err


@pytest.mark.parametrize(("path", "why"), [
    ("checkout", "must start with '/' (a path, not a URL or host)"),
    ("@127.0.0.1:9999/admin", "must start with '/' (a path, not a URL or host)"),
    ("//evil.example/x", "starts with '//', which names another host"),
])
def test_a_bug_path_without_a_leading_slash_is_refused(hotfix: Invoke, path: str,
                                                       why: str) -> None:
    key = opened(hotfix)
    err = refused(hotfix, 2, "verify", key, "--bug-path", path, "--as", REQ)
    assert f"the bug check: the path {path!r} {why}" in err
    assert 'starts with one "/", e.g. /checkout' in err


@pytest.mark.parametrize(("column", "value", "why"), [
    ("payload", "{not json", "its payload is not a JSON object"),
    ("payload", "[1, 2]", "its payload is not a JSON object"),
    ("at", "yesterday", "its time 'yesterday' is not an ISO 8601 time with a zone"),
    ("at", "2026-01-01T00:00:00", "its time '2026-01-01T00:00:00' is not an ISO 8601 time"),
])
def test_log_verify_names_an_event_that_cannot_be_read(
        hotfix: Invoke, record_db: Path, column: str, value: str, why: str) -> None:
    key = opened(hotfix)
    assert hotfix("time", key, "1h", "--as", REQ).code == 0
    with sqlite3.connect(record_db) as db:
        db.execute(f"UPDATE events SET {column} = ? WHERE hotfix = 1 AND seq = 2", (value,))
    err = refused(hotfix, 1, "log", key, "--verify")
    assert f"record 1, event 2 (time) was altered outside hotfix: {why}" in err
    assert "restore it from a backup" in err


# ── case 7: accepted silently ───────────────────────────────────────────────────────


def test_a_huge_duration_is_refused(hotfix: Invoke) -> None:
    key = opened(hotfix)
    err = refused(hotfix, 2, "time", key, "99999999999999999999h", "--as", REQ)
    assert "'99999999999999999999h' is more than 30d of work in one entry" in err
    assert f"e.g. hotfix time {key} 1h30m" in err


@pytest.mark.local_only  # --as is refused in client mode: who acts is a token
@pytest.mark.parametrize(("actor", "problem"), [
    ("   ", "the actor is empty"), ("dana", "the actor 'dana' is not an email")])
def test_an_actor_that_is_not_an_email_is_refused(hotfix: Invoke, actor: str,
                                                  problem: str) -> None:
    err = refused(hotfix, 2, "open", "Checkout returns 500", "--no-input", "--as", actor)
    assert f"{problem}: who acts is named by an email" in err
    assert "pass --as you@example.com" in err
    assert hotfix("list", "--json").json() == []


def test_an_empty_line_is_refused_not_read_as_the_default(hotfix: Invoke) -> None:
    key = opened(hotfix)
    err = refused(hotfix, 2, "start", key, "--line", "", "--as", REQ)
    assert "--line is empty: name a release line, e.g. --line 1.1" in err


@pytest.mark.parametrize("share", ["150", "1", "0", "-0.1", "nan"])
def test_a_share_outside_zero_to_one_is_refused(hotfix: Invoke, tmp_path: Path,
                                                share: str) -> None:
    stream = tmp_path / "canary.csv"
    stream.write_text("t,version,ok,latency_ms\n0,baseline,1,10\n1,canary,1,10\n")
    err = refused(hotfix, 2, "judge", str(stream), "--share", share)
    assert "is not a traffic share: it must be a fraction strictly between 0 and 1" in err
    assert "--share 0.05" in err


@pytest.mark.parametrize("key", ["HF-\u0661", "\u0661", "HF-\uff11"])
def test_non_ascii_digits_are_not_an_id(hotfix: Invoke, key: str) -> None:
    opened(hotfix)
    err = refused(hotfix, 2, "status", key)
    assert f"{key!r} is not a hotfix id" in err


def test_arguments_that_are_not_utf8_are_refused_before_anything_is_recorded(
        hotfix: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    err = refused(hotfix, 2, "open", "Checkout \udcff500", "--no-input", "--as", REQ)
    assert "argument 2 is not UTF-8 text: 'Checkout \\udcff500'" in err
    assert "LANG=C.UTF-8" in err
    monkeypatch.setenv("HOTFIX_DATABASE_URL", "sqlite:///\udcff.db")
    assert "HOTFIX_DATABASE_URL is not UTF-8 text" in refused(hotfix, 2, "list")
    monkeypatch.delenv("HOTFIX_DATABASE_URL")
    assert hotfix("list", "--json").json() == []


# ── case 8: the crash log ─────────────────────────────────────────────────────────────


def crash(hotfix: Invoke, monkeypatch: pytest.MonkeyPatch, *args: str) -> Path:
    def bug() -> None:
        raise RuntimeError("could not reach postgresql://u:hunter2@db/hotfix")

    monkeypatch.setattr("hotfix.cli.main.app", bug)
    done = hotfix(*args)
    assert done.code == 3
    return Path(" ".join(done.err.split()).rsplit("with the log ", 1)[1].strip())


def test_a_crash_log_is_private_in_the_repository_with_secrets_masked(
        hotfix: Invoke, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = crash(hotfix, monkeypatch, "status", "HF-1", "--token", "tok123",
                "--password=pw456", "postgresql://u:secret@h/db")
    assert log.parent == repo / ".hotfix" / "logs"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
    text = log.read_text()
    assert "'--token', '***', '--password=***', 'postgresql://u:***@h/db'" in text
    assert "RuntimeError: could not reach postgresql://u:***@db/hotfix" in text
    for secret in ("tok123", "pw456", "secret", "hunter2"):
        assert secret not in text
    assert crash(hotfix, monkeypatch, "list") != log  # a new file each time, never reused


def test_outside_a_repository_the_crash_log_is_per_user(
        hotfix: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    outside = tmp_path / "outside"
    outside.mkdir()
    monkeypatch.chdir(outside)

    def bug() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("hotfix.cli.main.app", bug)
    done = hotfix("list", cwd=outside)
    log = Path(" ".join(done.err.split()).rsplit("with the log ", 1)[1].strip())
    assert (done.code, log.parent) == (3, tmp_path / "state" / "hotfix" / "logs")
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
