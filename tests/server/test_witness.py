"""The team server signs every record's head and a running head over all records: a record
re-hashed, appended to, deleted or forged in its database behind its back is named on every
read (API and CLI in client mode), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import stat
import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select, text, update

from hotfix.adapters.store.tables import events, hotfixes, record_index, signed_heads
from hotfix.domain.record.events import Event, compute_hash
from hotfix.errors import ChainBroken, ConfigError
from hotfix.wiring import open_server
from tests.cli.conftest import Invoke
from tests.server.live import PROJECT, LiveServer, live_server

MALLORY = "mallory@shop.example"


def engine(live: LiveServer) -> Engine:
    return live.parts.logs[PROJECT].engine  # type: ignore[attr-defined, no-any-return]


def integrity(live: LiveServer, *records: str) -> dict[str, object]:
    with live.client("viewer") as c:
        r = c.get(f"/api/v1/projects/{PROJECT}/integrity",
                  params={"record": list(records)} if records else None)
    assert r.status_code == 200, r.text
    found: dict[str, object] = r.json()
    return found


def problems(live: LiveServer, *records: str) -> list[str]:
    return [str(p["problem"]) for p in integrity(live, *records)["problems"]]  # type: ignore[attr-defined]


def rehash(db: Engine, number: int, seq: int, actor: str) -> None:
    """Rewrite event ``seq``'s actor and recompute every hash and the head, as someone with
    write access to the database (but not the server's key) can."""
    with db.begin() as conn:
        rows = conn.execute(select(events.c.seq, events.c.at, events.c.actor, events.c.kind,
                                   events.c.payload).where(events.c.hotfix == number)
                            .order_by(events.c.seq)).all()
        prev = "0" * 64
        for row_seq, at, who, kind, payload in rows:
            event = Event(number, row_seq, datetime.fromisoformat(at),
                          actor if row_seq == seq else who, kind, json.loads(payload), prev)
            digest = compute_hash(event)
            conn.execute(update(events).where(events.c.hotfix == number, events.c.seq == row_seq)
                         .values(actor=event.actor, prev_hash=prev, hash=digest))
            prev = digest
        conn.execute(update(hotfixes).where(hotfixes.c.number == number)
                     .values(head_hash=prev))


def test_every_head_is_signed_and_a_rehashed_record_is_named(any_server: LiveServer) -> None:
    first, second = any_server.opened(), any_server.opened()
    with any_server.client("approver") as c:
        assert c.post(any_server.api(f"/{first}/approve"), json={}).status_code == 200
    found = integrity(any_server)
    assert (found["ok"], found["signed_records"], found["problems"]) == (True, 2, [])
    assert str(found["key_id"]).startswith("ed25519:")

    rehash(engine(any_server), 1, 2, MALLORY)  # HF-1's triage, now by mallory
    with any_server.client("viewer") as c:
        chain = c.get(any_server.api(f"/{first}/chain")).json()
        shown = c.get(any_server.api(f"/{first}")).json()
        other = c.get(any_server.api(f"/{second}")).json()
    assert chain["ok"]  # the re-hashed chain verifies on its own: only the signature tells
    assert shown["integrity"] == [
        "HF-1 was re-hashed after the server signed event 3: event 3 (approve) is not the one "
        "signed"]
    assert other["integrity"] == []
    assert problems(any_server) == shown["integrity"]


def test_a_deleted_record_and_a_cut_index_are_seen(any_server: LiveServer) -> None:
    for _ in range(3):
        any_server.opened()
    db = engine(any_server)
    with db.begin() as conn:
        conn.execute(delete(events).where(events.c.hotfix == 2))
        conn.execute(delete(hotfixes).where(hotfixes.c.number == 2))
    assert problems(any_server) == ["HF-2 is missing: the server signed it as record 2 of 3"]
    with db.begin() as conn:  # and its trace in the index too
        conn.execute(delete(record_index).where(record_index.c.hotfix == 2))
    assert problems(any_server) == [
        "the index of records was altered at record 2 (HF-3): a record was removed from it or "
        "changed"]
    with db.begin() as conn:  # the newest one, index row and all
        conn.execute(delete(record_index).where(record_index.c.hotfix == 3))
        conn.execute(delete(events).where(events.c.hotfix == 3))
        conn.execute(delete(hotfixes).where(hotfixes.c.number == 3))
    assert problems(any_server) == [
        "the server signed 3 record(s) but its index lists 1: a record was removed from it"]


def test_a_records_page_reads_only_its_own_signatures(any_server: LiveServer) -> None:
    """GET of one record checks its head, its index entry and the running head's signature,
    not the whole index (its cost does not grow with the project); /integrity walks it all."""
    for _ in range(3):
        any_server.opened()

    def on_page(key: str) -> list[str]:
        with any_server.client("viewer") as c:
            r = c.get(f"/api/v1/projects/{PROJECT}/hotfixes/{key}")
        assert r.status_code == 200, r.text
        return list(r.json()["integrity"])

    assert on_page("HF-1") == []
    db = engine(any_server)
    with db.begin() as conn:
        conn.execute(delete(record_index).where(record_index.c.hotfix == 2))
    # an index entry cut alone is seen by the walk, which a page leaves to /integrity
    assert on_page("HF-1") == on_page("HF-2") == []
    assert problems(any_server)[0].startswith("the index of records was altered at record 2")
    rehash(db, 3, 1, "mallory@shop.example")  # a record's own chain is checked on its page
    assert on_page("HF-3") == [
        "HF-3 was re-hashed after the server signed event 2: event 2 (triage) is not the one "
        "signed"]


def test_forged_events_and_signatures_do_not_pass(server: LiveServer) -> None:
    key = server.opened()
    db = engine(server)
    rehash(db, 1, 1, MALLORY)
    with db.begin() as conn:  # a forger copies the new head into the signed row
        head = conn.execute(select(hotfixes.c.head_hash)).scalar_one()
        conn.execute(update(signed_heads).values(hash=head))
    assert problems(server, key) == [
        "the server's signature of HF-1's head does not verify with its key: the signed head "
        "was altered"]
    with db.begin() as conn:
        conn.execute(delete(signed_heads))
    assert problems(server, key) == ["HF-1 has no server signature: its signed head was removed"]


def test_events_and_records_written_behind_the_servers_back(server: LiveServer) -> None:
    from hotfix.adapters.store.sql import SqlStore

    server.opened()
    raw = SqlStore(engine(server).url.render_as_string(hide_password=False))  # no key
    try:
        raw.append(1, lambda before: [(MALLORY, "note", {"text": "approved by phone"})],
                   server.parts.clock.now())
        raw.create("Forged", MALLORY, server.parts.clock.now(), {"title": "Forged"})
    finally:
        raw.close()
    assert problems(server) == [
        "HF-1 has 1 event(s) after the last one the server signed (event 2): written behind "
        "the server's back",
        "HF-2 is not witnessed by the server: it was written into the database behind the "
        "server's back"]


@pytest.mark.postgres
def test_concurrent_creations_extend_the_index_one_at_a_time(tmp_path: Path) -> None:
    from tests.conftest import postgres_schema_url

    for url in postgres_schema_url():
        with live_server(tmp_path / "a", url) as live:
            failures: list[str] = []

            def open_some(failures: list[str] = failures) -> None:
                for _ in range(5):
                    try:
                        live.opened()
                    except AssertionError as exc:
                        failures.append(str(exc))

            threads = [threading.Thread(target=open_some) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
            assert failures == []
            found = integrity(live)
            assert (found["ok"], found["signed_records"]) == (True, 20), found
            with engine(live).connect() as conn:
                positions = conn.execute(text("SELECT position FROM record_index "
                                              "ORDER BY position")).scalars().all()
            assert positions == list(range(1, 21))


def test_the_key_lives_outside_the_database_and_another_key_sees_every_signature_fail(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    with live_server(tmp_path / "server", url) as live:
        live.opened()
        made = tmp_path / "server" / ".hotfix" / "server-signing.key"
        assert stat.S_IMODE(made.stat().st_mode) == 0o600
    other = tmp_path / "other.key"
    from hotfix.wiring import new_signing_key

    new_signing_key(other)
    with live_server(tmp_path / "server", url, environ={"HOTFIX_SIGNING_KEY": str(other)}) as live:
        assert problems(live) == [
            "the server's signature of the running head does not verify with its key: the "
            "running head was altered",
            "the server's signature of HF-1's head does not verify with its key: the signed "
            "head was altered"]
    os.chmod(other, 0o644)
    with pytest.raises(ConfigError, match="can be read by others"):
        open_server(tmp_path / "server", {"HOTFIX_DATABASE_URL": url,
                                          "HOTFIX_SIGNING_KEY": str(other)})
    with pytest.raises(ConfigError, match="is never replaced"):
        new_signing_key(other)


def test_records_from_before_the_key_are_adopted_unless_their_chain_is_broken(
        tmp_path: Path) -> None:
    from hotfix.adapters.clock import SystemClock
    from hotfix.adapters.store.sql import SqlStore

    url = f"sqlite:///{tmp_path / 'server.db'}"
    store = SqlStore(url)
    for title in ("Written before the server had a key", "And another"):
        store.create(title, "dana@shop.example", SystemClock().now(), {"title": title})
    with store.engine.begin() as conn:  # HF-2 tampered with before the server saw it
        conn.execute(update(events).where(events.c.hotfix == 2).values(actor=MALLORY))
    store.close()
    with pytest.raises(ChainBroken, match=r"HF-2 cannot be witnessed: event 1 .* was altered"):
        open_server(tmp_path / "server", {"HOTFIX_DATABASE_URL": url})
    store = SqlStore(url)
    with store.engine.begin() as conn:
        conn.execute(delete(events).where(events.c.hotfix == 2))
        conn.execute(delete(hotfixes).where(hotfixes.c.number == 2))
    store.close()
    with live_server(tmp_path / "server", url) as live:
        found = integrity(live)
        assert (found["ok"], found["signed_records"]) == (True, 1)


def test_the_cli_in_client_mode_warns_on_every_read(
        hotfix: Invoke, server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTFIX_SERVER", server.url)
    monkeypatch.setenv("HOTFIX_TOKEN", server.tokens["engineer"])
    assert hotfix("open", "Checkout 500", "--json").code == 0
    assert hotfix("status", "HF-1").err == ""
    rehash(engine(server), 1, 1, MALLORY)
    finding = ("HF-1 was re-hashed after the server signed event 1: event 1 (open) is not the "
               "one signed")
    status = hotfix("status", "HF-1", "--json")
    assert status.code == 0
    assert finding in status.err
    assert status.json()["integrity"] == [finding]
    assert finding in hotfix("list").err
    verified = hotfix("log", "HF-1", "--verify")
    assert verified.code == 1
    assert finding in verified.err
    shown = hotfix("status", "HF-1")
    assert f"requester  {MALLORY}" in shown.out  # the altered record is shown, never as sound:
    assert finding in shown.err


def test_the_dashboard_shows_what_the_signatures_contradict(server: LiveServer) -> None:
    from tests.server.test_dashboard import browser

    key = server.opened()
    rehash(engine(server), 1, 1, MALLORY)
    with browser(server, "viewer") as client:
        page = client.get(f"/ui/p/{PROJECT}/hotfixes/{key}")
    assert page.status_code == 200
    assert ("The record does not verify:</strong> HF-1 was re-hashed after the server signed "
            "event 2") in page.text


def test_a_client_remembers_the_running_head_an_old_one_cannot_replace(
        hotfix: Invoke, server: LiveServer, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    from hotfix.adapters.store.tables import running_head

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOTFIX_SERVER", server.url)
    monkeypatch.setenv("HOTFIX_TOKEN", server.tokens["engineer"])
    assert hotfix("open", "Checkout 500").code == 0
    db = engine(server)
    with db.connect() as conn:
        old = conn.execute(select(running_head)).one()._asdict()  # a valid old signature
    assert hotfix("open", "Search 500").code == 0
    assert hotfix("list").err == ""  # this machine saw 2 records signed
    seen = tmp_path / "config" / "hotfix" / "witness.json"
    assert stat.S_IMODE(seen.stat().st_mode) == 0o600
    with db.begin() as conn:  # HF-2 gone without a trace on the server
        conn.execute(delete(events).where(events.c.hotfix == 2))
        conn.execute(delete(hotfixes).where(hotfixes.c.number == 2))
        conn.execute(delete(record_index).where(record_index.c.hotfix == 2))
        conn.execute(update(running_head).values(**old))
    assert problems(server) == []  # the server alone cannot tell
    listed = hotfix("list")
    assert ("the server now signs 1 record(s), but this machine saw it sign 2: records were "
            "deleted and an older running head put back") in listed.err


def test_keygen_writes_a_private_key_once(hotfix: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "signing.key"
    made = hotfix("server", "keygen", str(path), "--json")
    assert made.code == 0, made.err
    assert made.json()["key_id"].startswith("ed25519:")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    again = hotfix("server", "keygen", str(path))
    assert again.code == 2
    assert "a signing key is never replaced" in again.err
