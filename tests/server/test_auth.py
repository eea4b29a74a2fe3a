"""Tokens and the identity header against a real server: expired, revoked, forged, limited."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hotfix.domain.identity.tokens import token_hash
from hotfix.services.identity.users import add_user
from tests.server.live import LiveServer, email, live_server


def test_no_token_is_401_problem(server: LiveServer) -> None:
    with server.client() as c:
        r = c.get(server.api())
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"] == "Bearer"
    body = r.json()
    assert body["error"] == "not_authenticated"
    assert body["status"] == 401
    assert "hotfix login" in body["hint"]


def test_unknown_and_malformed_tokens_are_401(server: LiveServer) -> None:
    for token in ["hfx_" + "A" * 43, "nonsense", "Bearer", "x" * 5000]:
        with server.client(Authorization=f"Bearer {token}") as c:
            assert c.get(server.api()).status_code == 401


def test_expired_token_is_401(server: LiveServer) -> None:
    ids, now = server.parts.identities, server.parts.clock.now()
    secret = "hfx_" + "e" * 43
    ids.issue(email("engineer"), token_hash(secret), now - timedelta(days=2),
              now - timedelta(seconds=1))
    with server.client(Authorization=f"Bearer {secret}") as c:
        assert c.get(server.api()).status_code == 401


def test_revoked_token_is_401_and_last_use_is_kept(server: LiveServer) -> None:
    with server.client("viewer") as c:
        assert c.get(server.api()).status_code == 200
    (view,) = [v for v in server.parts.identities.users() if v.identity.email == email("viewer")]
    assert view.tokens[0].last_used_at is not None
    with server.client("admin") as c:
        r = c.post(f"/api/v1/users/{email('viewer').upper()}/revoke")
    assert r.json() == {"email": email("viewer"), "revoked": 1}
    with server.client("viewer") as c:
        assert c.get(server.api()).status_code == 401


def test_forged_identity_header_from_a_non_proxy_is_refused_and_recorded(
        server: LiveServer) -> None:
    with server.client("engineer", **{"X-Forwarded-Email": email("approver")}) as c:
        r = c.post(server.api(f"/{server.opened()}/approve"), json={"note": "me"})
    assert r.status_code == 401
    assert "trusted only from the sign-on proxy" in r.json()["detail"]
    (event,) = server.parts.identities.security_events()
    assert (event.kind, event.claimed, event.address) == (
        "forged_identity_header", email("approver"), "127.0.0.1")


def test_identity_header_from_a_trusted_proxy_is_the_user(tmp_path: Path) -> None:
    toml = '[server]\ntrusted_proxies = ["127.0.0.0/8"]\n'
    with live_server(tmp_path / "s", f"sqlite:///{tmp_path / 'db'}", toml) as live:
        with live.client(**{"X-Forwarded-Email": "Approver@Shop.EXAMPLE"}) as c:
            me = c.get("/api/v1/projects/default/me").json()
            assert me["email"] == email("approver")
            assert me["via"] == "proxy"
            assert me["roles"] == ["approver"]
        with live.client(**{"X-Forwarded-Email": "stranger@shop.example"}) as c:
            r = c.get(live.api())
        assert r.status_code == 401
        assert "not a user here" in r.json()["detail"]


def test_failed_sign_ins_are_rate_limited(tmp_path: Path) -> None:
    with live_server(tmp_path / "s", f"sqlite:///{tmp_path / 'db'}",
                     "[server]\nlogin_rate_limit = 3\nrate_limit = 5\n") as live:
        with live.client(Authorization="Bearer hfx_" + "b" * 43) as c:
            codes = [c.get(live.api()).status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        with live.client("viewer") as c:
            codes = [c.get(live.api()).status_code for _ in range(3)]
        assert codes == [429, 429, 429]  # the address is blocked, good token or not
    with live_server(tmp_path / "t", f"sqlite:///{tmp_path / 'db2'}",
                     "[server]\nrate_limit = 5\n") as live, live.client("viewer") as c:
        codes = [c.get(live.api()).status_code for _ in range(6)]
        assert codes == [200] * 5 + [429]
        assert int(c.get(live.api()).headers["retry-after"]) >= 1


def test_a_token_is_stored_only_as_its_hash(server: LiveServer) -> None:
    issued = add_user(server.parts.identities, "Kim@Shop.example ", "viewer", "*",
                      server.parts.clock.now(), expires="30d")
    assert issued.identity.email == "kim@shop.example"
    assert issued.token.hash == token_hash(issued.secret) != issued.secret
    assert issued.token.expires_at == issued.token.created_at + timedelta(days=30)
    assert server.parts.identities.token(token_hash(issued.secret)) is not None
