"""``hotfix demo --scenario rollback``: roll back first, then fix forward.

The sample shop runs v1.1.1; the pipeline deploys v1.2.0, whose search answers nothing (its
server reads the query from ``term`` while every client sends ``q``). Triage says "roll back
first"; ``hotfix rollback`` returns production to v1.1.1 in under a second of switching,
under traffic, with no failed request, and verifies it there (the bug's own check passes on
v1.1.1). The fix then ships forward as v1.2.1: start from v1.2.0, pick, check, a back-out plan
and a backup, a canary judged against v1.1.1, verify. Each step acts through the services the
CLI uses and returns a ``Step``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hotfix.adapters.git import cmd as git
from hotfix.adapters.rollout.loadgen import LoadReport, Req, run_load
from hotfix.config import SETTINGS
from hotfix.demo import shop_files as f
from hotfix.demo.sample import APPROVER, ENGINEER, init_sample_repo
from hotfix.demo.walkthrough import (
    Demo,
    Step,
    demo_settings,
    prometheus_lines,
    triage_lines,
    walk,
)
from hotfix.services.checks import check
from hotfix.services.git import pick, release, start
from hotfix.services.rollout import backout, deploy, production, verify
from hotfix.services.rollout.roll_back_first import roll_back_first

TITLE = "Search answers nothing since this morning's deploy"
PIPELINE = "ci@shop.example"
SEARCH_CHECK = {"method": "GET", "path": "/search?q=mug", "status": 200, "match": "mug"}
# shoppers search, then buy: checkouts (~15 ms at the order database) steady the latency
TRAFFIC = [Req("GET", "/search?q=mug", weight=2), Req("GET", "/search?q=tee", weight=1),
           Req("POST", "/checkout", {"items": [{"sku": "mug", "qty": 1}],
                                     "card_country": "US"}, weight=3)]
QUERY_V1 = '''

def search_query(path: str) -> str:
    """The search text of a request path: /search?q=mug → "mug"."""
    return parse_qs(urlsplit(path).query).get("q", [""])[0]
'''
QUERY_BROKEN = QUERY_V1.replace('.get("q", [""])', '.get("term", [""])')
ROUTE = '''        elif self.path.startswith("/search"):
            text = search_query(self.path)
            status, body = 200, {"results": search(text) if text else []}
'''
TEST_QUERY = '''from shop.server import search_query


def test_the_search_text_is_the_q_parameter():
    assert search_query("/search?q=mug") == "mug"
'''


def _server(query: str) -> str:
    text = f.SERVER.replace("from shop.catalog import PRODUCTS\n",
                            "from urllib.parse import parse_qs, urlsplit\n\n"
                            "from shop.catalog import PRODUCTS, search\n")
    text = text.replace('        elif self.path == "/metrics":\n',
                        ROUTE + '        elif self.path == "/metrics":\n')
    if "search_query(self.path)" not in text or "PRODUCTS, search\n" not in text:
        raise RuntimeError("the sample server (demo/shop_files.py) changed shape")
    return text.replace("\n\nclass Handler", query.rstrip("\n") + "\n\n\nclass Handler", 1)


def build_shop(path: Path) -> Path:
    """v1.1.1 (search works), v1.2.0 (search answers nothing), fix/search (the fix + test)."""
    init_sample_repo(path)
    checkout = f.CHECKOUT_VAT.replace(f.BUGGY_LINE, f.FIXED_LINE)
    _commit(path, "Shop 1.1.1: catalog with search, checkout, server", {
        **_version("1.1.1"), "shop/catalog.py": f.CATALOG + f.SEARCH,
        "shop/checkout.py": checkout, "shop/server.py": _server(QUERY_V1),
        "tests/test_catalog.py": f.TEST_CATALOG, "tests/test_search.py": f.TEST_SEARCH,
        ".gitignore": "__pycache__/\n.pytest_cache/\n", "README.md": "# shop\n"}, tag="v1.1.1")
    _commit(path, "Server: parse the query string properly",
            {"shop/server.py": _server(QUERY_BROKEN)})
    _commit(path, "Release 1.2.0", _version("1.2.0"), tag="v1.2.0")
    git.run(["checkout", "-q", "-b", "fix/search"], path)
    _commit(path, "Search reads its text from q again\n\nv1.2.0 read it from term, which no "
            "client sends: every search answered nothing.",
            {"shop/server.py": _server(QUERY_V1), "tests/test_server.py": TEST_QUERY})
    git.run(["checkout", "-q", "main"], path)
    return path


def _version(version: str) -> dict[str, str]:
    return {"pyproject.toml": f.PYPROJECT.format(version=version),
            "shop/__init__.py": f.INIT.format(version=version)}


def _commit(root: Path, message: str, files: dict[str, str], tag: str | None = None) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    git.run(["add", "-A"], root)
    git.run(["commit", "-q", "--no-verify", "-m", message], root)
    if tag:
        git.run(["tag", "-a", tag, "-m", f"Release {tag[1:]}"], root)


def scenario_settings() -> dict[str, Any]:
    # an error-free shop on a busy laptop: shown below 1 % errors, and within 25 % latency
    merged = {**demo_settings(), "judge.error_floor": 0.01, "judge.latency_tolerance": 0.25,
              "verify.bug_checks": {"search": SEARCH_CHECK},
              "deploy.backup_command": ["{python}", "-c", "import shutil, sys; shutil.copy("
                                        "'shop/catalog.py', sys.argv[1])", "{output}"]}
    return {key: merged[key] for key in SETTINGS if key in merged}  # one table per section


def run_rollback_demo(workdir: Path, environ: dict[str, str], metrics: str = "router"
                      ) -> Iterator[Step]:
    yield from walk(build_shop(workdir / "shop"), scenario_settings(), environ, STEPS, metrics)


def _live(demo: Demo) -> Step:
    production.up(demo.ctx, "v1.1.1")
    production.replace(demo.ctx, "v1.2.0", PIPELINE)
    import httpx

    url = f"http://{demo.ctx.cfg.str('rollout.listen')}/search?q=mug"
    found = httpx.get(url, timeout=5, trust_env=False)
    return Step("The shop ran v1.1.1; the pipeline deployed v1.2.0 (hotfix deployed v1.2.0)",
                [f"repository: {demo.root}", "production runs v1.2.0 behind the router",
                 f"GET /search?q=mug → {found.status_code} {found.text}"])


def _open(demo: Demo) -> Step:
    answers = {"significant": "yes", "users_affected": "40%", "workaround": "no",
               "costing_money": "yes", "caused_by_last_deploy": "yes", "rollback_safe": "yes"}
    rec = demo.ctx.records.open(TITLE, ENGINEER, answers)
    demo.keys["fix"] = rec.key
    lines = triage_lines(rec, f"({rec.kind} record)")
    approved = demo.ctx.records.act(rec.key, "approve", APPROVER, {"note": "roll back now"})
    lines.append(f"approved by {APPROVER}: {approved.state.value}; next: {approved.next_step()}")
    return Step(f'hotfix open "{TITLE}" -a caused_by_last_deploy=yes -a rollback_safe=yes …; '
                f"hotfix approve {rec.key}", lines)


def _roll_back(demo: Demo) -> Step:
    url = f"http://{demo.ctx.cfg.str('rollout.listen')}"
    stop, load = threading.Event(), LoadReport()

    def traffic() -> None:
        got = run_load(url, rate=200, seconds=60, max_requests=12_000, mix=TRAFFIC, stop=stop,
                       seed=11)
        load.sent, load.statuses, load.failures = got.sent, got.statuses, got.failures

    thread = threading.Thread(target=traffic, daemon=True)
    thread.start()
    try:
        stop.wait(1.0)  # shoppers are searching when the rollback starts
        out = roll_back_first(demo.ctx, demo.key, ENGINEER, bug=_named("search"))
        stop.wait(0.5)
    finally:
        stop.set()
        thread.join(30)
    failed = sum(load.failures.values()) + sum(n for s, n in load.statuses.items() if s >= 500)
    lines = list(out.rolled.steps)
    lines += [f"{'pass' if c.passed else 'FAIL'} {c.kind}: {c.name} ({c.detail})"
              for c in out.verification.checks]
    lines += [out.verdict, f"traffic meanwhile: {load.sent} requests, {failed} failed"]
    return Step(f"hotfix rollback {demo.key} --bug-check search   (default --to: the release "
                "live before, v1.1.1)", lines, refused=not out.verification.passed)


def _named(name: str) -> Any:
    from hotfix.domain.rollout.bug_check import BugCheckOptions

    return BugCheckOptions(None, None, "GET", None, 200, "", name)


def _fix_forward(demo: Demo) -> Step:
    ctx, key = demo.ctx, demo.key
    started = start.start(ctx, key, ENGINEER, line="1.2")
    picked = pick.pick(ctx, key, ENGINEER, [git.out(["rev-parse", "fix/search"], demo.root)])
    outcome, _ = check.check(ctx, key, ENGINEER)
    runs = [f"{r['stage']} run: {r['counts']['passed']} passed" for r in
            outcome.to_payload()["runs"]]
    done = release.release(ctx, key, ENGINEER)
    return Step(f"Fix forward: hotfix start {key} --line 1.2; pick; check; release",
                [f"{key} is now a {ctx.records.get(key).kind} record (its timeline kept)",
                 f"branch {started.work.branch} from {started.work.base_tag}",
                 f"picked {len(picked.picked)} commit: Search reads its text from q again",
                 *runs, f"tagged {done.tag}"])


def _ship(demo: Demo) -> Step:
    ctx, key = demo.ctx, demo.key
    plan = backout.backout(ctx, key, ENGINEER, "v1.1.1")
    url = f"http://{ctx.cfg.str('rollout.listen')}"
    stop = threading.Event()
    thread = threading.Thread(target=lambda: run_load(
        url, rate=300, seconds=240, max_requests=72_000, mix=TRAFFIC, stop=stop, seed=5),
        daemon=True)
    thread.start()
    try:
        out = deploy.deploy(ctx, key, ENGINEER)
    finally:
        stop.set()
        thread.join(30)
    note = ctx.records.get(key).last("backup") or {}
    checked = verify.verify(ctx, key, ENGINEER) if out.status == "promoted" else None
    lines = [f"back-out plan: return to {plan.to} (dry start healthy in "
             f"{(plan.dry_start or {}).get('seconds', 0):.2f} s)",
             f"backup: {note.get('location')} ({note.get('size')} bytes, sha256 "
             f"{str(note.get('sha256'))[:12]}…)",
             f"canary {out.canary} against {out.baseline}: {out.status} ({out.reason})"]
    for role in ("baseline", "canary"):
        lines.append(f"  {role}: {out.requests.get(role, 0)} requests, "
                     f"{out.errors.get(role, 0)} errors")
    lines += prometheus_lines(demo, out.canary, out.baseline)
    for name, metric in (out.verdict.get("metrics") or {}).items():
        if isinstance(metric, dict) and metric.get("ratio") is not None:
            lines.append(f"  {name}: canary/baseline {_num(metric.get('ratio'))} (bounds "
                         f"{_num(metric.get('lower'))} … {_num(metric.get('upper'))})")
    if checked is not None:
        lines += [f"{'pass' if c.passed else 'FAIL'} {c.kind}: {c.name}" for c in checked.checks]
    return Step(f"hotfix backout {key} --to v1.1.1; hotfix deploy {key}; hotfix verify {key}",
                lines, refused=checked is None or not checked.passed,
                mark="not shipped: see the judge's reason")


def _num(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, int | float) else "∞"


STEPS = [_live, _open, _roll_back, _fix_forward, _ship]
