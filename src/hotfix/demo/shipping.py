"""The demo's shipping steps: branch, pick, check, release, deploy, verify, fold back.

Then the two things hotfix refuses or undoes on its own: a fix out of scope (custom
JavaScript) stopped by the scope guard, and a bad hotfix rolled back by the canary judge.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from hotfix.adapters.git import cmd as git
from hotfix.adapters.rollout.loadgen import LoadProcess, LoadReport, Req
from hotfix.demo.sample import APPROVER, ENGINEER
from hotfix.demo.walkthrough import Demo, Step, StepFn, prometheus_lines
from hotfix.services.checks import check
from hotfix.services.git import audit, backport, pick, release, start
from hotfix.services.record import close, document
from hotfix.services.rollout import deploy, verify
from hotfix.services.rollout.canary import Progress

# checkouts, 35% of them with EU cards (the share of users the bug hits)
TRAFFIC = [Req("POST", "/checkout", {"items": [{"sku": "mug", "qty": 1}], "card_country": c},
               weight=w) for c, w in (("US", 65), ("DE", 20), ("FR", 10), ("NL", 5))]
BUG_CHECK = {"command": ["python", "checks/eu_checkout.py"]}


def _start(demo: Demo) -> Step:
    done = start.start(demo.ctx, demo.key, ENGINEER, line="1.1")
    facts = done.work.facts()
    return Step(f"hotfix start {demo.key} --line 1.1",
                [f"branch {facts['branch']} from {facts['base_tag']}, version "
                 f"{facts['version']} reserved", f"worktree {facts['worktree']}",
                 "your own checkout was not touched"])


def _pick(demo: Demo, branch: str, role: str = "fix") -> Step:
    sha = git.out(["rev-parse", branch], demo.root)
    done = pick.pick(demo.ctx, demo.keys[role], ENGINEER, [sha])
    lines = [f"{p.get('source', '')[:10]} → {p.get('commit', '')[:10]}"
             f" {p.get('subject', '')}" for p in done.picked]
    return Step(f"hotfix pick {demo.keys[role]} {sha[:10]}  ({branch})",
                lines or ["nothing to pick"])


def _check(demo: Demo, role: str = "fix") -> tuple[Step, Mapping[str, Any]]:
    outcome, rec = check.check(demo.ctx, demo.keys[role], ENGINEER)
    payload = outcome.to_payload()
    lines = _scope_lines(payload["scope"])
    impact = payload.get("impact")
    if impact:
        lines.append(f"impact ({impact['strategy']}): {impact['selected_count']} of "
                     f"{impact['total_tests']} tests selected first")
        lines += [f"  {test}" for test in impact["selected"][:6]]
    for run in payload["runs"]:
        counts = run["counts"]
        lines.append(f"{run['stage']} run: {counts['passed']} passed, "
                     f"{counts['failed'] + counts['error']} failed in {run['seconds']:.1f}s")
    lines.append(f"{rec.key} is {rec.state.value}")
    return Step(f"hotfix check {demo.keys[role]}", lines,
                refused=not payload["passed"]), payload


def _scope_lines(scope: Mapping[str, Any]) -> list[str]:
    if scope["ok"]:
        return [f"scope guard: ok ({scope['files']} files, {scope['lines']} lines, tests "
                f"changed: {', '.join(scope['tests_changed'])})"]
    return [f"scope guard: {v['rule']}: {v['message']}" for v in scope["violations"]]


def _release(demo: Demo, role: str = "fix") -> Step:
    done = release.release(demo.ctx, demo.keys[role], ENGINEER)
    return Step(f"hotfix release {demo.keys[role]}",
                [f"tagged {done.tag} on {done.release_commit[:10]} (checked commit "
                 f"{done.commit[:10]})",
                 *[f"bumped {path}" for path in done.bumped], *done.notes])


def _deploy(demo: Demo, role: str = "fix") -> Step:
    key = demo.keys[role]
    url = f"http://{demo.ctx.cfg.str('rollout.listen')}"
    seen: list[str] = []

    def progress(p: Progress) -> None:
        line = f"step {p.step}/{p.steps}: canary at {p.weight:g}% — {p.move}"
        if not seen or seen[-1] != line:
            seen.append(line)

    began = time.monotonic()
    # its own process, so that the rollout loop and the judge do not hold it below the rate;
    # it starts sending once the router answers (deploy brings production up first)
    load = LoadProcess(url, rate=300, seconds=240, max_requests=72_000, mix=TRAFFIC, seed=7,
                       ready_path="/health")
    try:
        outcome = deploy.deploy(demo.ctx, key, ENGINEER, on_progress=progress)
    finally:
        sent = load.stop()
    took = time.monotonic() - began
    return Step(f"hotfix deploy {key}   (with generated checkout traffic: EU and US cards)",
                [*seen[-8:], *_outcome_lines(outcome.to_dict(), took, sent),
                 *prometheus_lines(demo, outcome.canary, outcome.baseline)],
                refused=outcome.status != "promoted")


def _outcome_lines(out: Mapping[str, Any], took: float, sent: LoadReport) -> list[str]:
    verdict = out.get("verdict") or {}
    lines = [f"{out['status']}: {out['reason']}"]
    for role in ("baseline", "canary"):
        n, bad = out["requests"].get(role, 0), out["errors"].get(role, 0)
        lines.append(f"  {role} {out[role]}: {n} requests, {bad} errors")
    for name, metric in (verdict.get("metrics") or {}).items():
        if isinstance(metric, Mapping) and "ratio" in metric:
            lines.append(f"  {name}: canary/baseline {_num(metric.get('ratio'))} "
                         f"(bounds {_num(metric.get('lower'))} … {_num(metric.get('upper'))})")
    lines.append(f"  decided after {sum(out['requests'].values())} requests, {took:.1f}s "
                 f"(traffic: {sent.sent} requests sent in {sent.seconds:.1f}s)")
    return lines


def _num(value: Any) -> str:
    """A ratio or bound; None where the baseline had no events (an unbounded ratio)."""
    return f"{value:.3g}" if isinstance(value, int | float) else "∞"


def _verify(demo: Demo) -> Step:
    done = verify.verify(demo.ctx, demo.key, ENGINEER, bug_check=BUG_CHECK)
    lines = [f"{'pass' if c.passed else 'FAIL'} {c.kind}: {c.name} ({c.detail})"
             for c in done.checks]
    return Step(f"hotfix verify {demo.key} --bug-command 'python checks/eu_checkout.py'",
                lines, refused=not done.passed)


def _backport(demo: Demo) -> Step:
    done = backport.backport(demo.ctx, demo.key, ENGINEER, merge=True)
    lines = [f"{t.target}: {t.status} {t.message}".rstrip() for t in done.targets]
    lines += [f"changelog on {t.target}: {t.changelog['message']}" for t in done.targets
              if t.changelog and t.changelog.get("message")]
    lines.append(f"main has the fix: {done.main_ported}; {demo.key} is "
                 f"{demo.ctx.records.get(demo.key).state.value}")
    return Step(f"hotfix backport {demo.key} --merge", lines)


def _audit(demo: Demo) -> Step:
    result = audit.audit(demo.ctx, [])
    lines = [f"line {line.line}: {len(line.missing)} missing of {len(line.commits)} commits"
             for line in result]
    return Step("hotfix audit", lines or ["no release lines"])


def _document(demo: Demo) -> Step:
    fields = {"root_cause": "VAT rates were keyed by upper-case country codes; EU cards "
                            "from unlisted countries raised KeyError",
              "customer_impact": "EU card checkouts answered 500 from v1.1.0 until v1.1.1",
              "follow_ups": "- a checkout test per EU country\n- alert on 5xx by card region"}
    done = document.document(demo.ctx, demo.key, ENGINEER, fields)
    known = document.show(demo.ctx, demo.key).known
    return Step(f"hotfix doc {demo.key} --field root_cause=… --field customer_impact=… "
                "--field follow_ups=…",
                [f"documented: {', '.join(done.fields)}",
                 *[f"filled in by hotfix — {name}: {text}" for name, text in known.items()]])


def _close(demo: Demo) -> Step:
    demo.ctx.records.log_time(demo.key, ENGINEER, "1h10m", "fix, check, rollout")
    done = close.close(demo.ctx, demo.key, APPROVER, "fixed in v1.1.1")
    report = demo.ctx.records.timing(demo.key)
    return Step(f"hotfix time {demo.key} 1h10m; hotfix close {demo.key}",
                [f"{done.record.key} is {done.record.state.value}; unplanned work logged: "
                 f"{report.active_seconds // 60} minutes",
                 *[f"removed worktree {path} (branches and tags stay)" for path in done.removed]])


def _open_approved(demo: Demo, role: str, title: str) -> None:
    answers = {"significant": "yes", "users_affected": "0.4", "workaround": "no",
               "costing_money": "yes"}
    rec = demo.ctx.records.open(title, ENGINEER, answers)
    demo.ctx.records.act(rec.key, "approve", APPROVER, {})
    demo.keys[role] = rec.key
    start.start(demo.ctx, rec.key, ENGINEER, line="1.1")


def _out_of_scope(demo: Demo) -> Step:
    _open_approved(demo, "js", "VAT line label is wrong on the checkout form")
    _pick(demo, "fix/checkout-js", "js")
    step, _ = _check(demo, "js")
    step.title = (f"A second fix, in custom JavaScript: hotfix start/pick/check "
                  f"{demo.keys['js']}")
    return step


def _bad_hotfix(demo: Demo) -> Step:
    _open_approved(demo, "bad", "Checkout VAT must come from the rate service")
    _pick(demo, "bad/rate-service", "bad")
    _check(demo, "bad")
    _release(demo, "bad")
    step = _deploy(demo, "bad")
    step.title = (f"A bad hotfix ({demo.keys['bad']}: 1 checkout in 33 fails), "
                  f"canaried: hotfix deploy {demo.keys['bad']}")
    step.mark = "rolled back by the judge, as it should be"
    return step


SHIPPING_STEPS: list[StepFn] = [
    _start, lambda d: _pick(d, "fix/eu-cards"), lambda d: _check(d)[0], _release, _deploy,
    _verify, _backport, _audit, _document, _close, _out_of_scope, _bad_hotfix,
]
