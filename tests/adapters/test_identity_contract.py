"""One contract for the identity stores: SQLite, PostgreSQL and the memory fake."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hotfix.adapters.store.identity_memory import MemoryIdentities
from hotfix.adapters.store.sql import SqlStore
from hotfix.errors import NotFound
from hotfix.ports import Identities, SecurityEvent
from tests.conftest import postgres_schema_url

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres", "memory"])
def ids(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Identities]:
    if request.param == "memory":
        yield MemoryIdentities()
        return
    urls = [f"sqlite:///{tmp_path / 'h.db'}"] if request.param == "sqlite" else None
    for url in urls or postgres_schema_url():
        store = SqlStore(url)
        try:
            yield store.identities
        finally:
            store.close()


def test_users_grants_and_holders(ids: Identities) -> None:
    ids.add_user("lee@shop.example", T0)
    ids.add_user("lee@shop.example", T0 + timedelta(days=1))  # the same user again
    ids.grant("lee@shop.example", "shop", "approver")
    who = ids.grant("lee@shop.example", "*", "viewer")
    assert who.grants == {"shop": frozenset({"approver"}), "*": frozenset({"viewer"})}
    assert who.roles("shop") == {"approver", "viewer"}
    assert who.roles("blog") == {"viewer"}
    assert ids.holders("shop", ["approver", "admin"]) == {"lee@shop.example"}
    assert ids.holders("blog", ["approver"]) == frozenset()
    (view,) = ids.users()
    assert view.created_at == T0
    assert ids.identity("kim@shop.example") is None
    with pytest.raises(NotFound):
        ids.grant("kim@shop.example", "*", "viewer")


def test_tokens_issue_find_touch_revoke(ids: Identities) -> None:
    ids.add_user("lee@shop.example", T0)
    first = ids.issue("lee@shop.example", "a" * 64, T0, T0 + timedelta(days=30), "laptop")
    second = ids.issue("lee@shop.example", "b" * 64, T0, None)
    found = ids.token("a" * 64)
    assert found is not None
    assert found.expires_at == T0 + timedelta(days=30)
    assert found.label == "laptop"
    assert found.last_used_at is None
    ids.touch(first.id, T0 + timedelta(hours=1))
    assert ids.token("a" * 64).last_used_at == T0 + timedelta(hours=1)  # type: ignore[union-attr]
    assert ids.revoke("lee@shop.example", T0, token_id=second.id) == 1
    assert ids.revoke("lee@shop.example", T0) == 1  # the one still live
    assert ids.revoke("lee@shop.example", T0) == 0
    assert ids.token("b" * 64).revoked_at == T0  # type: ignore[union-attr]
    assert ids.token("c" * 64) is None
    with pytest.raises(NotFound):
        ids.issue("kim@shop.example", "d" * 64, T0, None)


def test_security_events_are_kept_in_order(ids: Identities) -> None:
    for kind in ["forged_identity_header", "requester_approval"]:
        ids.record(SecurityEvent(T0, kind, "lee@shop.example", "10.0.0.9", "detail"))
    assert [e.kind for e in ids.security_events()] == ["forged_identity_header",
                                                       "requester_approval"]
