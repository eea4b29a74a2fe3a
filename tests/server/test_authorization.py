"""Authorization, generated from the route table: every route × every role × anonymous.

Every route but the open ones (OPEN) must carry a ``require(permission)`` dependency, and
every mutating route a sample request below, so a new route cannot skip this test. The
expected status comes from hotfix.domain.identity.access.PERMISSIONS: anonymous → 401, a
role that lacks the permission → 403, one that holds it → 2xx."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute

from hotfix.domain.identity.access import ROLES, allows
from hotfix.server.auth import current_user, require
from tests.server.live import ANSWERS, LiveServer, live_server

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
# answer anyone (besides /openapi.json and /docs); "/" → /ui/; a site reads its content zones
OPEN = {"/healthz", "/", "/content/v1/zones/{zone}", "/content/v1/images/{name}"}
DASHBOARD = "/ui/"  # pages: tests/server/test_dashboard.py walks them the same way
OFREP = "/ofrep/"  # a project's flag client key, never a person: tests/server/test_ofrep.py
WHO_AM_I = {"/api/v1/me", "/api/v1/projects", "/api/v1/projects/{project}/me"}  # any user

# (method, path) → a request that succeeds for an allowed role: (path params, body) built
# against a fresh server state by the function
Sample = Callable[[LiveServer], tuple[dict[str, str], dict[str, Any] | None]]


def _fresh(live: LiveServer) -> dict[str, str]:
    return {"key": live.opened("admin"), "project": "default"}


SAMPLES: dict[tuple[str, str], Sample] = {
    ("POST", "/api/v1/projects/{project}/hotfixes"):
        lambda live: ({"project": "default"}, {"title": "Cart empty", "answers": ANSWERS}),
    ("POST", "/api/v1/projects/{project}/hotfixes/{key}/triage"):
        lambda live: (_fresh(live), {"answers": {"workaround": "yes"}}),
    ("POST", "/api/v1/projects/{project}/hotfixes/{key}/time"):
        lambda live: (_fresh(live), {"duration": "30m"}),
    ("POST", "/api/v1/projects/{project}/hotfixes/{key}/approve"):
        lambda live: (_fresh_by_viewer(live), {"note": "go"}),
    ("POST", "/api/v1/projects/{project}/hotfixes/{key}/reject"):
        lambda live: (_fresh_by_viewer(live), {"note": "no"}),
    ("POST", "/api/v1/projects/{project}/hotfixes/{key}/actions/{action}"):
        lambda live: ({**_fresh(live), "action": "document"},
                      {"payload": {"fields": {"cause": "a typo"}}}),
    ("POST", "/api/v1/projects/{project}/metrics"):
        lambda live: ({"project": "default"}, {"since": "2026-01-01", "until": "2026-02-01",
                                               "figures": {}}),
    ("POST", "/api/v1/projects/{project}/deployments"):
        lambda live: ({"project": "default"}, {"version": "v1.0.0", "at": 1.0e9}),
    ("POST", "/api/v1/projects/{project}/audit"):
        lambda live: ({"project": "default"}, {"commit": "a" * 40, "lines": []}),
    ("POST", "/api/v1/projects/{project}/notify/retry"):
        lambda live: ({"project": "default"}, {}),
    ("POST", "/api/v1/projects/{project}/notify/run"):
        lambda live: ({"project": "default"}, None),
    ("POST", "/api/v1/projects/{project}/import"):
        lambda live: ({"project": "default"}, {"records": [{"events": [_exported()]}]}),
    ("POST", "/api/v1/users"):
        lambda live: ({}, {"email": "new@shop.example", "role": "viewer"}),
    ("POST", "/api/v1/users/{email}/revoke"):
        lambda live: ({"email": _someone(live)}, None),
    ("POST", "/api/v1/projects/{project}/flags/keys"):
        lambda live: ({"project": "default"}, {"label": "checkout"}),
    ("POST", "/api/v1/projects/{project}/flags/keys/{key_id}/revoke"):
        lambda live: ({"project": "default", "key_id": _client_key(live)}, None),
    ("POST", "/api/v1/projects/{project}/content/catalog"):
        lambda live: ({"project": "default"}, CATALOG),
    ("POST", "/api/v1/projects/{project}/content/templates/{name}/approve"):
        lambda live: ({"project": "default", "name": "stock-level"}, {"digest": _digest(live)}),
    ("POST", "/api/v1/projects/{project}/content/changes"):  # with an upload, base64
        lambda live: (_synced(live), {"template": "stock-level", "values": {
            "units": "7", "photo": "Shelf"}, "files": {"photo": {
                "filename": "shelf.gif", "data": base64.b64encode(GIF).decode()}}}),
    ("POST", "/api/v1/projects/{project}/content/changes/{key}/draft"):
        lambda live: ({**_synced(live), "key": _content_change(live)},
                      {"template": "stock-level", "values": {"units": "4"}}),
    ("POST", "/api/v1/projects/{project}/content/changes/{key}/approve"):  # a 2nd marketer
        lambda live: ({**_synced(live), "key": _content_change(live, approved=False,
                                                               by="writer")}, {"note": "ok"}),
    ("POST", "/api/v1/projects/{project}/content/changes/{key}/publish"):
        lambda live: ({**_synced(live), "key": _content_change(live)}, None),
    ("POST", "/api/v1/projects/{project}/content/changes/{key}/schedule"):
        lambda live: ({**_synced(live), "key": _content_change(live)},
                      {"start": "2099-12-18T09:00", "end": "2099-12-24T00:00",
                       "tz": "Europe/Berlin"}),
    ("POST", "/api/v1/projects/{project}/content/changes/{key}/revert"):
        lambda live: ({**_synced(live), "key": _content_change(live, publish=True)}, None),
    ("POST", "/api/v1/projects/{project}/content/images/prune"):  # admins only
        lambda live: (_synced(live), {"apply": True, "grace_seconds": 0}),
}
CATALOG = {"zones": {"stock": {"paths": ["/products/*"]}}, "templates": {"stock-level": {
    "zone": "stock", "author": "engineer@shop.example", "slots": {
        "units": {"type": "integer"}, "photo": {"type": "image", "required": False}}}}}
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00" \
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"  # 1×1 pixel


def _synced(live: LiveServer) -> dict[str, str]:
    """The catalog synced by the engineer, its template approved by the approver."""
    digest = _digest(live)
    with live.client("approver") as a:
        assert a.post("/api/v1/projects/default/content/templates/stock-level/approve",
                      json={"digest": digest}).is_success
    return {"project": "default"}


def _digest(live: LiveServer) -> str:
    """The catalog synced by the engineer (not approved): stock-level's digest."""
    with live.client("engineer") as c:
        done = c.post("/api/v1/projects/default/content/catalog", json=CATALOG)
        assert done.is_success, done.text
    return str(done.json()["digests"]["stock-level"])


def _content_change(live: LiveServer, publish: bool = False, approved: bool = True,
                    by: str = "marketer") -> str:
    """A content change by ``by`` (the marketer, or "writer": another marketer), approved by
    the approver (and published)."""
    from hotfix.services.identity.users import add_user

    if by not in live.tokens:
        live.tokens[by] = add_user(live.parts.identities, f"{by}@shop.example", "marketer",
                                   "*", live.parts.clock.now()).secret
    changes = "/api/v1/projects/default/content/changes"
    with live.client(by) as c:
        key = str(c.post(changes, json={"template": "stock-level",
                                        "values": {"units": "3"}}).json()["id"])
        with live.client("approver") as a:
            assert not approved or a.post(live.api(f"/{key}/approve"),
                                          json={"note": "ok"}).is_success
        if publish:
            assert c.post(f"{changes}/{key}/publish").is_success
    return key


def _client_key(live: LiveServer) -> str:
    from hotfix.services.flags.client_keys import create_key

    issued = create_key(live.parts.identities, "default", "", "test", live.parts.clock.now())
    return str(issued.key.id)


def _fresh_by_viewer(live: LiveServer) -> dict[str, str]:
    """A hotfix requested by someone approving nowhere in this test (the admin and the
    approver must not be its requester)."""
    from hotfix.services.identity.users import add_user

    if "opener" not in live.tokens:
        live.tokens["opener"] = add_user(live.parts.identities, "opener@shop.example",
                                         "engineer", "*", live.parts.clock.now()).secret
    return {"key": live.opened("opener"), "project": "default"}


_NUMBERS = iter(range(1000, 100_000))


def _exported() -> dict[str, Any]:
    """A record's open event as another database holds it, at a number free on the server."""
    from datetime import UTC, datetime

    from hotfix.domain.record.events import sealed

    return sealed(hotfix=next(_NUMBERS), seq=1, at=datetime.now(UTC), actor="dana@example.com",
                  kind="open", payload={"title": "Moved", "kind": "service"},
                  prev_hash="0" * 64).to_dict()


def _someone(live: LiveServer) -> str:
    from hotfix.services.identity.users import add_user

    add_user(live.parts.identities, "leaver@shop.example", "viewer", "*", live.parts.clock.now())
    return "leaver@shop.example"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the module: every case starts from a hotfix of its own. Marketers
    approve content changes here too (content.approver_roles), so the content approval
    route's sample succeeds for a role holding its permission."""
    tmp = tmp_path_factory.mktemp("authz")
    with live_server(tmp / "server", f"sqlite:///{tmp / 'server.db'}",
                     '[content]\napprover_roles = ["approver", "marketer"]\n') as live:
        yield live


def permission_of(route: APIRoute, guard: type = require) -> str | None:
    """The permission the route's ``guard`` dependency (``require``, or the dashboard's
    ``page``) checks; None when it has none."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, guard):
            return str(dep.call.permission)
        stack.extend(dep.dependencies)
    return None


def authenticated(route: APIRoute) -> bool:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if dep.call is current_user:
            return True
        stack.extend(dep.dependencies)
    return False


def api_routes(live: LiveServer) -> list[APIRoute]:
    from hotfix.server.app import api_routes as routes
    from hotfix.server.app import create_app

    return routes(create_app(live.settings, live.parts))


def test_every_route_is_guarded_and_every_mutating_route_is_sampled(server: LiveServer) -> None:
    for route in api_routes(server):
        if route.path in OPEN or route.path.startswith((DASHBOARD, OFREP)):
            continue
        if route.path in WHO_AM_I:
            assert authenticated(route), route.path
            continue
        assert permission_of(route) is not None, f"{route.path} has no require(permission)"
        for method in route.methods & MUTATING:
            assert (method, route.path) in SAMPLES, f"add a sample for {method} {route.path}"


def cases() -> list[tuple[str, str, str | None]]:
    return [(method, path, role) for (method, path) in SAMPLES for role in [*ROLES, None]]


@pytest.mark.parametrize(("method", "path", "role"), cases(),
                         ids=[f"{m} {p} {r or 'anonymous'}" for m, p, r in cases()])
def test_route_role(server: LiveServer, method: str, path: str, role: str | None) -> None:
    route = next(r for r in api_routes(server) if r.path == path and method in r.methods)
    permission = permission_of(route)
    assert permission is not None
    params, body = SAMPLES[(method, path)](server)
    url = path.format(**params)
    with server.client(role) as client:
        response = client.request(method, url, json=body)
    assert response.headers["content-type"].startswith(
        "application/json" if response.is_success else "application/problem+json")
    if role is None:
        assert response.status_code == 401, response.text
    elif not allows({role}, permission):
        assert response.status_code == 403, response.text
        assert response.json()["error"] == "forbidden"
    else:
        assert response.is_success, response.text
