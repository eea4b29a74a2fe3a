"""The dashboard on a real server: sign-in into an HttpOnly cookie, CSRF-protected forms,
who sees the Approve button, the live timeline, and every page × role × anonymous,
generated from the route table so a new page cannot skip it."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
from fastapi.routing import APIRoute

from hotfix.domain.identity.access import ROLES, allows
from hotfix.server.dashboard.session import page
from tests.server.live import LiveServer, email, live_server
from tests.server.test_authorization import _content_change, _digest, _synced
from tests.server.test_authorization import permission_of as route_permission

OPEN = {("GET", "/ui/login"), ("POST", "/ui/login")}
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("dashboard")
    with live_server(tmp / "server", f"sqlite:///{tmp / 'server.db'}",  # marketers approve
                     '[content]\napprover_roles = ["approver", "marketer"]\n') as live:
        yield live


@contextmanager
def browser(live: LiveServer, role: str | None) -> Iterator[httpx.Client]:
    """A client signed in through the sign-in form, as a person's browser is."""
    with httpx.Client(base_url=live.url, timeout=30, follow_redirects=False) as client:
        if role is not None:
            r = client.post("/ui/login", data={"token": live.tokens[role], "next": ""})
            assert r.status_code == 303, r.text
        yield client


def csrf_of(client: httpx.Client, path: str) -> str:
    found = CSRF.search(client.get(path).text)
    assert found, "the page has no form with a CSRF token"
    return found[1]


def pages(live: LiveServer) -> list[APIRoute]:
    from hotfix.server.app import api_routes, create_app

    return [r for r in api_routes(create_app(live.settings, live.parts))
            if r.path.startswith("/ui/")]


def permission_of(route: APIRoute) -> str | None:
    return route_permission(route, page)


# (method, path) → (path params, form) for a request an allowed role makes successfully
Sample = Callable[[LiveServer, httpx.Client], tuple[dict[str, str], dict[str, str] | None]]


def _hotfix(live: LiveServer) -> dict[str, str]:
    return {"project": "default", "key": live.opened("engineer")}


def _form(live: LiveServer, client: httpx.Client, key: str, **fields: str) -> dict[str, str]:
    token = csrf_of(client, f"/ui/p/default/hotfixes/{key}") if "hotfix_session" in \
        client.cookies else ""
    return {"csrf": token, **fields}


def _content_form(client: httpx.Client, **fields: str) -> dict[str, str]:
    token = csrf_of(client, "/ui/p/default/content") if "hotfix_session" in \
        client.cookies else ""
    return {"csrf": token, **fields}


def _stock(live: LiveServer) -> dict[str, str]:
    return {**_synced(live), "name": "stock-level"}


SAMPLES: dict[tuple[str, str], Sample] = {
    ("GET", "/ui/"): lambda live, c: ({}, None),
    ("GET", "/ui/p/{project}/hotfixes"): lambda live, c: ({"project": "default"}, None),
    ("GET", "/ui/p/{project}/audit"): lambda live, c: ({"project": "default"}, None),
    ("GET", "/ui/p/{project}/flags"): lambda live, c: ({"project": "default"}, None),
    ("GET", "/ui/p/{project}/notifications"): lambda live, c: ({"project": "default"}, None),
    ("GET", "/ui/p/{project}/metrics"): lambda live, c: ({"project": "default"}, None),
    ("GET", "/ui/p/{project}/hotfixes/{key}"): lambda live, c: (_hotfix(live), None),
    ("POST", "/ui/p/{project}/hotfixes/{key}/approve"):
        lambda live, c: ((p := _hotfix(live)), _form(live, c, p["key"], note="go")),
    ("POST", "/ui/p/{project}/hotfixes/{key}/reject"):
        lambda live, c: ((p := _hotfix(live)), _form(live, c, p["key"], note="no")),
    ("GET", "/ui/p/{project}/content"): lambda live, c: (_synced(live), None),
    ("GET", "/ui/p/{project}/content/templates/{name}"): lambda live, c: (_stock(live), None),
    ("POST", "/ui/p/{project}/content/templates/{name}/preview"):
        lambda live, c: (_stock(live), _content_form(c, **{"slot-units": "5"})),
    ("POST", "/ui/p/{project}/content/templates/{name}"):
        lambda live, c: (_stock(live), _content_form(c, **{"slot-units": "5"})),
    ("POST", "/ui/p/{project}/content/templates/{name}/approve"):
        lambda live, c: ({"project": "default", "name": "stock-level"},
                         _content_form(c, digest=_digest(live))),
    ("GET", "/ui/p/{project}/content/changes/{key}"):
        lambda live, c: ({**_synced(live), "key": _content_change(live)}, None),
    ("POST", "/ui/p/{project}/content/changes/{key}/approve"):  # another marketer's change
        lambda live, c: ({**_synced(live), "key": _content_change(live, approved=False,
                                                                  by="writer")},
                         _content_form(c)),
    ("POST", "/ui/p/{project}/content/changes/{key}/publish"):
        lambda live, c: ({**_synced(live), "key": _content_change(live)}, _content_form(c)),
    ("POST", "/ui/p/{project}/content/changes/{key}/schedule"):
        lambda live, c: ({**_synced(live), "key": _content_change(live)},
                         _content_form(c, start="2099-12-18T09:00", tz="Europe/Berlin")),
    ("POST", "/ui/p/{project}/content/changes/{key}/revert"):
        lambda live, c: ({**_synced(live), "key": _content_change(live, publish=True)},
                         _content_form(c)),
    ("POST", "/ui/p/{project}/content/zones/{zone}/back/{key}"):
        lambda live, c: ({**_synced(live), "zone": "stock",
                          "key": _content_change(live, publish=True)}, _content_form(c)),
    ("POST", "/ui/logout"):
        lambda live, c: ({}, _form(live, c, _hotfix(live)["key"])),
}
STREAMS = {"/ui/p/{project}/hotfixes/{key}/live"}  # checked by test_timeline_is_live


def test_every_page_is_guarded_and_sampled(server: LiveServer) -> None:
    for route in pages(server):
        for method in route.methods:
            if (method, route.path) in OPEN:
                continue
            assert permission_of(route) is not None, f"{route.path} has no page(permission)"
            if route.path not in STREAMS:
                assert (method, route.path) in SAMPLES, f"add a sample for {method} {route.path}"


def cases() -> list[tuple[str, str, str | None]]:
    return [(m, p, role) for (m, p) in SAMPLES for role in [*ROLES, None]]


@pytest.mark.parametrize(("method", "path", "role"), cases(),
                         ids=[f"{m} {p} {r or 'anonymous'}" for m, p, r in cases()])
def test_page_role(server: LiveServer, method: str, path: str, role: str | None) -> None:
    route = next(r for r in pages(server) if r.path == path and method in r.methods)
    permission = permission_of(route)
    assert permission is not None
    with browser(server, role) as client:
        params, form = SAMPLES[(method, path)](server, client)
        response = client.request(method, path.format(**params), data=form)
    if role is None:
        assert response.status_code == 303
        assert response.headers["location"].startswith("/ui/login?next=")
    elif not allows({role}, permission):
        assert response.status_code == 403, response.text
        assert "text/html" in response.headers["content-type"]
        assert "needs the role" in response.text
    else:
        assert response.status_code in (200, 303), response.text


def test_sign_in_sets_an_httponly_strict_cookie_and_never_redirects_away(
        server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, follow_redirects=False) as client:
        wrong = client.post("/ui/login", data={"token": "hfx_not-a-token"})
        assert wrong.status_code == 401
        assert "hotfix_session" not in wrong.headers.get("set-cookie", "")
        good = client.post("/ui/login", data={"token": server.tokens["viewer"],
                                             "next": "//evil.example/x"})
        assert good.status_code == 303
        assert good.headers["location"] == "/ui/"
        cookie = good.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        assert "path=/ui" in cookie
        assert server.tokens["viewer"] not in client.get("/ui/").text


def test_forms_need_the_session_csrf_token(server: LiveServer) -> None:
    key = server.opened("engineer")
    with browser(server, "approver") as client:
        forged = client.post(f"/ui/p/default/hotfixes/{key}/approve", data={"note": "go"})
        assert forged.status_code == 403
        assert "CSRF" in forged.text
        with browser(server, "admin") as other:
            stolen = csrf_of(other, f"/ui/p/default/hotfixes/{key}")  # another session's
        assert client.post(f"/ui/p/default/hotfixes/{key}/approve",
                           data={"csrf": stolen}).status_code == 403
        token = csrf_of(client, f"/ui/p/default/hotfixes/{key}")
        done = client.post(f"/ui/p/default/hotfixes/{key}/approve",
                           data={"csrf": token, "note": "go"})
        assert done.status_code == 303
    with server.client("viewer") as api:
        record = api.get(server.api(f"/{key}")).json()
    assert record["approvals"] == [email("approver")]


def test_the_requester_sees_no_approve_button_and_is_refused(server: LiveServer) -> None:
    key = server.opened("approver")  # an approver who requested it
    with browser(server, "approver") as client:
        own = client.get(f"/ui/p/default/hotfixes/{key}").text
        assert ">Approve</button>" not in own
        assert "someone else approves it" in own
        token = csrf_of(client, f"/ui/p/default/hotfixes/{key}")
        refused = client.post(f"/ui/p/default/hotfixes/{key}/approve", data={"csrf": token})
        assert refused.status_code == 409
        assert "cannot approve it" in refused.text
    with browser(server, "admin") as client:
        assert ">Approve</button>" in client.get(f"/ui/p/default/hotfixes/{key}").text
    events = server.parts.identities.security_events()
    assert any(e.kind == "requester_approval" and e.claimed == email("approver")
               and "dashboard" in e.detail for e in events)


def test_pages_read_without_javascript(server: LiveServer) -> None:
    key = server.opened("engineer")
    with browser(server, "viewer") as client:
        listing = client.get("/ui/p/default/hotfixes").text
        assert f'href="/ui/p/default/hotfixes/{key}"' in listing
        hotfix = client.get(f"/ui/p/default/hotfixes/{key}")
        assert hotfix.headers["content-security-policy"].startswith("default-src 'self'")
        text = hotfix.text
        assert "Not deployed." in text
        assert 'id="event-1"' in text  # the timeline is in the page itself
        assert "<script>" not in text.split("</head>")[1]  # no inline script anywhere
        assert client.get("/ui/static/htmx-2.0.11.min.js").status_code == 200
        assert client.get("/ui/p/default/hotfixes/HF-999").status_code == 404


def test_timeline_is_live(server: LiveServer) -> None:
    key = server.opened("engineer")
    seen: list[str] = []
    with browser(server, "viewer") as client:
        after = int(re.findall(r'id="event-(\d+)"', client.get(
            f"/ui/p/default/hotfixes/{key}").text)[-1])

        def approve_soon() -> None:
            with server.client("approver") as api:
                api.post(server.api(f"/{key}/approve"), json={"note": "live"})

        timer = threading.Timer(0.8, approve_soon)
        timer.start()
        with client.stream("GET", f"/ui/p/default/hotfixes/{key}/live?after={after}",
                           timeout=15) as stream:
            for line in stream.iter_lines():
                seen.append(line)
                if line.startswith("data: <span id=\"state\""):
                    break
        timer.join()
    rows = [line for line in seen if line.startswith("data: <tr")]
    assert rows
    assert "approve live" in rows[0]
    assert "state-approved" in seen[-1]

