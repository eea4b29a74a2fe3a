"""``hotfix demo``: the whole lifecycle on the sample shop, step by step.

Each step acts through the same services the CLI uses and returns what happened as a
``Step``; the CLI prints them as they come. ``demo.shipping`` holds the steps that branch,
check, release, deploy and fold back.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hotfix.adapters.git import cmd as git
from hotfix.config import SETTINGS, by_section, render_toml_value
from hotfix.demo.prometheus import Discovered, LocalPrometheus, local_prometheus
from hotfix.demo.sample import APPROVER, ENGINEER, build_sample
from hotfix.domain.record.lifecycle import Hotfix
from hotfix.errors import HotfixError
from hotfix.services.context import Context
from hotfix.services.rollout import production
from hotfix.wiring import RolloutParts, open_context

TITLE = "Checkout returns 500 for EU cards"
MARKETER = "sam@shop.example"


@dataclass
class Step:
    title: str
    lines: list[str] = field(default_factory=list)
    refused: bool = False  # the step shows hotfix refusing or undoing something, on purpose
    mark: str = "refused as it should be"


@dataclass
class Demo:
    root: Path
    ctx: Context
    keys: dict[str, str] = field(default_factory=dict)  # role → HF id
    prometheus: LocalPrometheus | None = None  # --metrics prometheus: the judge reads it

    @property
    def key(self) -> str:
        return self.keys["fix"]


StepFn = Callable[[Demo], Step]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def demo_settings() -> dict[str, Any]:
    """The sample's hotfix.toml: approvers, a quick rollout plan, free loopback ports; the
    judge's settings are the defaults."""
    return {
        "approvals.approvers": [APPROVER],
        "rollout.steps": [{"weight": 10, "min_requests": 100, "bake_seconds": 2},
                          {"weight": 50, "min_requests": 500, "bake_seconds": 5},
                          {"weight": 100}],
        "rollout.max_wait_seconds": 150.0,
        "rollout.poll_seconds": 0.5,
        "rollout.instances": 1,
        "rollout.listen": f"127.0.0.1:{_free_port()}",
        "rollout.admin": f"127.0.0.1:{_free_port()}",
        "rollout.drain_seconds": 0.5,
        "verify.smoke": [{"method": "GET", "path": "/health", "status": 200, "match": "ok"},
                         {"method": "GET", "path": "/products", "status": 200, "match": "mug"}],
    }


def render_settings(settings: dict[str, Any]) -> str:
    lines = ["# written by hotfix demo"]
    for setting, new_section in by_section(SETTINGS[key] for key in settings):
        head, _, leaf = setting.key.rpartition(".")
        if new_section:
            lines += ["", f"[{head}]"]
        lines.append(f"{leaf} = {render_toml_value(settings[setting.key])}")
    return "\n".join(lines) + "\n"


def run_demo(workdir: Path, environ: dict[str, str], metrics: str = "router"
             ) -> Iterator[Step]:
    from hotfix.demo.shipping import SHIPPING_STEPS

    steps = [_sample_step, *RECORD_STEPS, *SHIPPING_STEPS, _verify_log, _report]
    yield from walk(build_sample(workdir / "shop"), demo_settings(), environ, steps, metrics)


METRICS = ("router", "prometheus")  # what the demo's canaries are judged from


def walk(root: Path, settings: dict[str, Any], environ: dict[str, str],
         steps: Sequence[StepFn], metrics: str = "router") -> Iterator[Step]:
    """Commit ``settings`` as the sample's hotfix.toml, then run ``steps`` in its context
    (the user's own HOTFIX_* variables never reach it); production is torn down after.

    ``metrics="prometheus"``: a local Prometheus scrapes every instance the demo starts,
    labelled with its version, and each canary is judged from it over its HTTP query API."""
    with ExitStack() as stack:
        prometheus = None
        if metrics == "prometheus":
            prometheus = stack.enter_context(local_prometheus(root.parent / "prometheus"))
            settings = {**settings, **prometheus.settings()}
        (root / "hotfix.toml").write_text(render_settings(settings), encoding="utf-8")
        git.run(["add", "hotfix.toml"], root)
        git.run(["commit", "-q", "--no-verify", "-m", "Configure hotfix"], root)
        env = {k: v for k, v in environ.items() if not k.startswith("HOTFIX_")}
        ctx = open_context(root, env)
        if prometheus is not None:  # the same target, its instances registered as they start
            target = Discovered(ctx.rollout.target, prometheus)
            ctx.close()
            ctx = open_context(root, env, rollout=RolloutParts(target=target))
        demo = Demo(root, ctx, prometheus=prometheus)
        try:
            if prometheus is not None:
                yield _prometheus_step(demo, prometheus)
            for step in steps:
                yield step(demo)
        finally:
            production.teardown(ctx)
            ctx.close()


def _prometheus_step(demo: Demo, prometheus: LocalPrometheus) -> Step:
    cfg = demo.ctx.cfg
    return Step(f"Prometheus on {prometheus.url} (the judge reads it, not the router)", [
        f"it scrapes every instance of the shop the demo starts, each labelled with its "
        f"version (file-based discovery: {prometheus.targets_file})",
        f"rollout.metrics = {cfg.str('rollout.metrics')!r}: PromQL over its HTTP query API, "
        f"counters as raw deltas per {cfg.float('rollout.monitor.step_seconds'):g} s window, "
        f"{cfg.float('rollout.monitor.lag_seconds'):g} s behind now"])


def _sample_step(demo: Demo) -> Step:
    history = git.out(["log", "--oneline", "--decorate", "--all", "-n", "9"], demo.root)
    return Step("A sample web shop with releases v1.0.0 and v1.1.0 (v1.1.0 has the bug)",
                [f"repository: {demo.root}", *history.splitlines()])


def _open(demo: Demo) -> Step:
    answers = {"significant": "yes", "users_affected": "35%", "workaround": "no",
               "costing_money": "yes"}
    rec = demo.ctx.records.open(TITLE, ENGINEER, answers)
    demo.keys["fix"] = rec.key
    lines = triage_lines(rec, f"opened by {ENGINEER}")
    return Step(f'hotfix open "{TITLE}" -a significant=yes -a users=35% -a workaround=no '
                "-a costing_money=yes", lines)


def triage_lines(rec: Hotfix, how: str) -> list[str]:
    """What triage decided for ``rec``, and why, as the demo shows it."""
    assert rec.triage is not None
    lines = [f"{rec.key} {how}: {rec.triage['severity']} → {rec.triage['route']}"]
    return lines + [f"  because {r['text']} ({', '.join(r['answers'])})"
                    for r in rec.triage["reasons"]]


def _approvals(demo: Demo) -> Step:
    """The approval through the team server: each person signed in with their own token;
    the server decides, so the requester's own attempt is refused whatever they pass."""
    from hotfix.demo.team import signed_in, team_server

    people = {ENGINEER: "approver", APPROVER: "approver"}  # both may approve: not their own
    env = {"XDG_CONFIG_HOME": str(demo.root.parent / "config")}  # never the user's own
    with team_server(demo.root, env, people) as team:
        lines = [f"team server on {team.url}, on this repository's record; users with their "
                 f"own tokens: {ENGINEER} and {APPROVER}, both approvers"]
        with signed_in(demo.root, env, team.url, team.tokens[ENGINEER]) as dana:
            try:
                dana.records.act(demo.key, "approve", ENGINEER, {})
            except HotfixError as exc:
                lines.append(f"as {ENGINEER} (the requester): refused: {exc.message}")
            else:
                raise AssertionError("the server let the requester approve")
        with signed_in(demo.root, env, team.url, team.tokens[APPROVER]) as lee:
            rec = lee.records.act(demo.key, "approve", APPROVER, {"note": "go"})
        lines.append(f"as {APPROVER}: {rec.key} is {rec.state.value}; approvals: "
                     f"{', '.join(rec.approvals)}")
    return Step(f"hotfix serve; hotfix login (as each person); hotfix approve {demo.key}", lines)


def _content(demo: Demo) -> Step:
    lines = []
    for title, answers in (
        ("Holiday shipping deadline says Dec 18, should be Dec 20",
         {"significant": "yes", "users_affected": "0.9", "workaround": "no",
          "change_kind": "content", "template": "shipping-deadline"}),
        ("Checkout button text is wrong",
         {"significant": "yes", "users_affected": "0.9", "workaround": "no",
          "change_kind": "content", "template": "banner-text", "touches_checkout": "yes"}),
    ):
        rec = demo.ctx.records.open(title, MARKETER, answers)
        assert rec.triage is not None
        lines.append(f"{rec.key} {title!r}: → {rec.triage['route']}")
        lines += [f"  because {r['text']}" for r in rec.triage["reasons"]]
    return Step("Two content requests from marketing", lines)


def _verify_log(demo: Demo) -> Step:
    rec = demo.ctx.records.get(demo.key)
    chain = demo.ctx.records.verify(demo.key)
    lines = [f"#{e.seq} {e.kind} by {e.actor}" for e in rec.events
             if e.kind != "git"]
    lines.append(f"({sum(e.kind == 'git' for e in rec.events)} journal events of git steps "
                 "not shown)")
    lines.append(f"chain intact: {chain.checked} events verified" if chain.ok
                 else f"chain broken: {chain.problem}")
    return Step(f"hotfix log {demo.key} --verify", lines)


def _report(demo: Demo) -> Step:
    from hotfix.services.record import report as reports

    made = reports.report(demo.ctx, demo.key)
    workdir = demo.root.parent  # removed after the demo unless --keep; the report stays
    folder = workdir.with_name(f"{workdir.name}-report")
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for fmt in ("html", "pdf"):
        path = folder / f"{demo.key}.{fmt}"
        try:
            path.write_bytes(reports.render(made, fmt))
        except HotfixError as exc:  # PDF needs the system's Pango: say so, keep the HTML
            lines.append(f"{fmt}: not written: {exc.message}")
            continue
        lines.append(f"{fmt}: {path}")
    rollout = made.to_dict()["rollout"] or {}
    lines.append(f"{len(made.timeline)} events, {len(made.checks)} check(s), rollout "
                 f"{rollout.get('decision', 'not deployed')}, "
                 f"{len(made.verification['checks']) if made.verification else 0} "
                 "verification check(s)")
    return Step(f"hotfix report {demo.key} -f pdf", lines)


def prometheus_lines(demo: Demo, canary: str, baseline: str) -> list[str]:
    """With --metrics prometheus: what Prometheus holds of the two versions' requests."""
    if demo.prometheus is None:
        return []
    held = demo.prometheus.requests([canary, baseline])
    return [f"  Prometheus holds {canary}: {held[canary]} requests, {baseline}: "
            f"{held[baseline]} (their instances' counters: health checks and the requests "
            "before and after the judged windows too)"]


def refusal(command: str, action: Callable[[], object]) -> Step:
    """Run ``action``, which must be refused; the step shows the refusal."""
    try:
        action()
    except HotfixError as exc:
        return Step(command, [f"refused (exit {exc.exit_code}): {exc.message}",
                              f"hint: {exc.hint}"], refused=True)
    raise AssertionError(f"the demo expected `{command}` to be refused")


RECORD_STEPS: list[StepFn] = [_open, _approvals, _content]
