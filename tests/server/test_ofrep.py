"""hotfix's flags read by the real OpenFeature Python SDK with its OFREP provider, from a
real server on loopback; flags changed through the Records port in client mode (the same
``RemoteRecords`` the CLI uses when signed in)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openfeature import api
from openfeature.client import OpenFeatureClient
from openfeature.contrib.provider.ofrep import OFREPProvider
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode

from hotfix.services.flags import changes
from hotfix.services.flags.client_keys import create_key
from tests.server.flag_clients import (
    BOOL,
    ENGINEER,
    client_key,
    close_clients,
    remote,
    serve,
)
from tests.server.live import LiveServer, live_server

PROVIDERS: list[OFREPProvider] = []


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("ofrep")
    with live_server(tmp / "server", f"sqlite:///{tmp / 'server.db'}") as live:
        yield live
        api.clear_providers()
        for provider in PROVIDERS:
            provider.session.close()
        close_clients()


def sdk(live: LiveServer, key: str, name: str) -> OpenFeatureClient:
    provider = OFREPProvider(live.url, headers_factory=lambda: {
        "Authorization": f"Bearer {key}"})
    PROVIDERS.append(provider)
    api.set_provider(provider, domain=name)
    return api.get_client(name)


def test_boolean_string_object_and_targeting(server: LiveServer) -> None:
    serve(server, "new-checkout", BOOL, default="on")
    serve(server, "button-colour", {"type": "string", "variants": {"blue": "#00f",
                                                                   "green": "#0f0"},
                                    "default": "blue"},
          rules=[{"attribute": "plan", "op": "in", "value": ["pro", "team"],
                  "variant": "green"},
                 {"attribute": "app", "op": "semver_ge", "value": "2.0.0",
                  "variant": "green"}])
    serve(server, "limits", {"type": "object", "variants": {"small": {"cart": 10},
                                                            "big": {"cart": 100}},
                             "default": "small"})
    client = sdk(server, client_key(server), "plain")
    on = client.get_boolean_details("new-checkout", False)
    assert (on.value, on.variant, on.reason) == (True, "on", "STATIC")
    assert client.get_string_value("button-colour", "x") == "#00f"
    pro = client.get_string_details("button-colour", "x", EvaluationContext(
        "u1", {"plan": "pro"}))
    assert (pro.value, pro.variant, pro.reason) == ("#0f0", "green", "TARGETING_MATCH")
    old = client.get_string_details("button-colour", "x", EvaluationContext(
        "u1", {"app": "1.9.3"}))
    assert (old.value, old.reason) == ("#00f", "DEFAULT")
    assert client.get_object_value("limits", {}) == {"cart": 10}
    wrong = client.get_string_details("new-checkout", "fallback")
    assert (wrong.value, wrong.error_code) == ("fallback", ErrorCode.TYPE_MISMATCH)


def test_the_split_is_sticky_and_the_kill_switch_serves_off_at_once(
        server: LiveServer) -> None:
    serve(server, "fast-search", BOOL, split=[["on", 30], ["off", 70]])
    client = sdk(server, client_key(server), "split")
    users = [f"user-{i}" for i in range(200)]

    def variants() -> dict[str, str | None]:
        return {u: client.get_boolean_details("fast-search", False, EvaluationContext(u))
                .variant for u in users}

    at_30 = variants()
    assert 30 <= sum(v == "on" for v in at_30.values()) <= 90  # about 60 of 200
    assert at_30 == variants()  # the same users, the same variants
    changes.set_flag(remote(server, "engineer"), ENGINEER, "fast-search",
                     {"split": [["on", 60], ["off", 40]]}, "more")
    at_60 = variants()
    assert all(at_60[u] == "on" for u in users if at_30[u] == "on")
    assert sum(v == "on" for v in at_60.values()) > sum(v == "on" for v in at_30.values())
    missing = client.get_boolean_details("fast-search", False)
    assert missing.error_code == ErrorCode.TARGETING_KEY_MISSING
    changes.kill(remote(server, "engineer"), ENGINEER, "fast-search", "errors at 3 %")
    killed = [client.get_boolean_details("fast-search", True, EvaluationContext(u))
              for u in users[:20]]
    assert {(d.value, d.variant, d.reason) for d in killed} == {(False, "off", "DISABLED")}


def test_unknown_flag_and_bad_keys(server: LiveServer) -> None:
    issued = create_key(server.parts.identities, "default", "to revoke", "test",
                        server.parts.clock.now())
    client = sdk(server, issued.secret, "errors")
    unknown = client.get_boolean_details("no-such-flag", True)
    assert (unknown.value, unknown.error_code) == (True, ErrorCode.FLAG_NOT_FOUND)
    wrong = [{"Authorization": "Bearer hfk_" + "x" * 43},
             {"Authorization": f"Bearer {server.tokens['admin']}"},  # a person's token
             {"X-API-Key": "nonsense"}, {}]
    for headers in wrong:
        with httpx.Client(base_url=server.url, headers=headers) as http:
            refused = http.post("/ofrep/v1/evaluate/flags/new-checkout", json={})
        assert refused.status_code == 401, headers
        assert refused.json()["error"] == "not_authenticated"
    with server.client("admin") as admin:
        done = admin.post(f"/api/v1/projects/default/flags/keys/{issued.key.id}/revoke")
    assert (done.status_code, done.json()["revoked_at"] is not None) == (200, True), done.text
    with httpx.Client(base_url=server.url, headers={"X-API-Key": issued.secret}) as http:
        assert http.post("/ofrep/v1/evaluate/flags", json={}).status_code == 401
    gone = client.get_boolean_details("no-such-flag", False)
    assert (gone.error_code, gone.error_message) == (ErrorCode.GENERAL, "unauthorized")


def test_bulk_evaluation_with_etag_revalidation(server: LiveServer) -> None:
    serve(server, "bulk-a", BOOL, default="on")
    key = client_key(server)
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}) as h:
        first = h.post("/ofrep/v1/evaluate/flags", json={"context": {"targetingKey": "u9"}})
        assert first.status_code == 200, first.text
        by_key = {f["key"]: f for f in first.json()["flags"]}
        assert (by_key["bulk-a"]["value"], by_key["bulk-a"]["reason"]) == (True, "STATIC")
        etag = first.headers["ETag"]
        same = h.post("/ofrep/v1/evaluate/flags", json={"context": {"targetingKey": "u9"}},
                      headers={"If-None-Match": etag})
        assert (same.status_code, same.headers["ETag"], same.content) == (304, etag, b"")
        changes.set_flag(remote(server, "engineer"), ENGINEER, "bulk-a", {"default": "off"},
                         "off now")
        changed = h.post("/ofrep/v1/evaluate/flags", json={"context": {"targetingKey": "u9"}},
                         headers={"If-None-Match": etag})
        assert changed.status_code == 200
        assert changed.headers["ETag"] != etag
        assert {f["key"]: f for f in changed.json()["flags"]}["bulk-a"]["value"] is False
        bad = h.post("/ofrep/v1/evaluate/flags", content=b"{not json")
        assert (bad.status_code, bad.json()["errorCode"]) == (400, "PARSE_ERROR")
        wrong = h.post("/ofrep/v1/evaluate/flags/bulk-a", json={"context": ["a"]})
        assert (wrong.status_code, wrong.json()["errorCode"]) == (400, "INVALID_CONTEXT")


def test_flags_and_keys_through_the_management_api(server: LiveServer, tmp_path: Path) -> None:
    serve(server, "listed", BOOL)
    with server.client("viewer") as viewer:
        shown = viewer.get("/api/v1/projects/default/flags/listed")
        assert shown.status_code == 200
        assert [c["action"] for c in shown.json()["history"]] == ["flag_proposed", "set"]
        assert viewer.post("/api/v1/projects/default/flags/keys", json={}).status_code == 403
    with server.client("admin") as admin:
        made = admin.post("/api/v1/projects/default/flags/keys", json={"label": "web"})
        assert made.status_code == 201
        secret = made.json()["key"]
        assert "key" not in admin.get("/api/v1/projects/default/flags/keys").json()[0]
    evaluated = sdk(server, secret, "api-key").get_boolean_details("listed", True)
    assert (evaluated.value, evaluated.reason) == (False, "STATIC")


def test_a_bad_definition_sent_to_the_api_is_refused_and_nothing_changes(
        server: LiveServer) -> None:
    serve(server, "guarded", BOOL, default="on")
    record = changes.one(remote(server, "engineer"), "guarded").record
    bad = {"flag": "guarded", "reason": "x", "definition": {
        "key": "guarded", "type": "boolean", "variants": {"on": "yes"}, "default": "on"}}
    with server.client("engineer") as http:
        refused = http.post(server.api(f"/{record}/actions/set"), json={"payload": bad})
        other = http.post(server.api(f"/{record}/actions/set"), json={"payload": {
            **bad, "definition": {**BOOL, "key": "another"}}})
    assert refused.status_code == 422, refused.text
    assert "variant 'on' is 'yes', not a boolean" in refused.json()["detail"]
    assert other.status_code == 422
    assert "names flag 'guarded' but defines 'another'" in other.json()["detail"]
    served = changes.one(remote(server, "viewer"), "guarded").served
    assert served is not None
    assert served.variants == {"on": True, "off": False}
