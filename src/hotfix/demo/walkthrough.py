"""``hotfix demo``: the lifecycle on the sample shop, step by step.

Each step is a function that acts through the same services the CLI uses and returns what
happened as a ``Step``; the CLI prints them as they come.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hotfix.adapters.git import cmd as git
from hotfix.config import render_toml_value
from hotfix.demo.sample import APPROVER, ENGINEER, build_sample
from hotfix.errors import HotfixError
from hotfix.services import record
from hotfix.services.context import Context, open_context

TITLE = "Checkout returns 500 for EU cards"


@dataclass
class Step:
    title: str
    lines: list[str] = field(default_factory=list)
    refused: bool = False  # the step shows hotfix refusing something, on purpose


@dataclass
class Demo:
    root: Path
    ctx: Context
    key: str = ""


StepFn = Callable[[Demo], Step]


def demo_config() -> str:
    settings: dict[str, Any] = {"approvals.approvers": [APPROVER]}
    lines = ["# written by hotfix demo"]
    section = None
    for key, value in settings.items():
        head, _, leaf = key.rpartition(".")
        if head != section:
            lines.append(f"[{head}]")
            section = head
        lines.append(f"{leaf} = {render_toml_value(value)}")
    return "\n".join(lines) + "\n"


def run_demo(workdir: Path, environ: dict[str, str]) -> Iterator[Step]:
    root = build_sample(workdir / "shop")
    (root / "hotfix.toml").write_text(demo_config(), encoding="utf-8")
    env = {k: v for k, v in environ.items() if k != "HOTFIX_DATABASE_URL"}
    ctx = open_context(root, env)
    demo = Demo(root, ctx)
    try:
        yield _sample_step(demo)
        for step in STEPS:
            yield step(demo)
    finally:
        ctx.close()


def _sample_step(demo: Demo) -> Step:
    history = git.out(["log", "--oneline", "--decorate", "--all", "-n", "8"], demo.root)
    return Step("A sample web shop with releases v1.0.0 and v1.1.0 (v1.1.0 has the bug)",
                [f"repository: {demo.root}", *history.splitlines()])


def _open(demo: Demo) -> Step:
    answers = {"significant": "yes", "users_affected": "35%", "workaround": "no",
               "costing_money": "yes"}
    rec = record.open_hotfix(demo.ctx, TITLE, ENGINEER, answers)
    demo.key = rec.key
    assert rec.triage is not None
    lines = [f"{rec.key} opened by {ENGINEER}: {rec.triage['severity']} → "
             f"{rec.triage['route']}"]
    lines += [f"  because {r['text']} ({', '.join(r['answers'])})" for r in rec.triage["reasons"]]
    return Step(f'hotfix open "{TITLE}" -a significant=yes -a users=35% -a workaround=no '
                "-a costing_money=yes", lines)


def _self_approval(demo: Demo) -> Step:
    return _refusal(f"hotfix approve {demo.key} --as {ENGINEER}",
                    lambda: record.act(demo.ctx, demo.key, "approve", ENGINEER, {}))


def _approve(demo: Demo) -> Step:
    rec = record.act(demo.ctx, demo.key, "approve", APPROVER, {"note": "go"})
    return Step(f"hotfix approve {demo.key} --as {APPROVER}",
                [f"{rec.key} is {rec.state.value}; approvals: {', '.join(rec.approvals)}"])


def _time(demo: Demo) -> Step:
    record.log_time(demo.ctx, demo.key, ENGINEER, "40m", "reproduced and found the cause")
    report = record.timing(demo.ctx, demo.key)
    return Step(f"hotfix time {demo.key} 40m --as {ENGINEER}",
                [f"unplanned work logged: {report.active_seconds // 60} minutes"])


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
        rec = record.open_hotfix(demo.ctx, title, "sam@shop.example", answers)
        assert rec.triage is not None
        lines.append(f"{rec.key} {title!r}: → {rec.triage['route']}")
        lines += [f"  because {r['text']}" for r in rec.triage["reasons"]]
    return Step("Two content requests from marketing", lines)


def _close_refused(demo: Demo) -> Step:
    return _refusal(f"hotfix close {demo.key} --as {APPROVER}",
                    lambda: record.act(demo.ctx, demo.key, "close", APPROVER, {}))


def _verify_log(demo: Demo) -> Step:
    rec = record.get(demo.ctx, demo.key)
    chain = record.verify(demo.ctx, demo.key)
    lines = [f"#{e.seq} {e.kind} by {e.actor}" for e in rec.events]
    lines.append(f"chain intact: {chain.checked} events verified" if chain.ok
                 else f"chain broken: {chain.problem}")
    return Step(f"hotfix log {demo.key} --verify", lines)


def _refusal(command: str, action: Callable[[], object]) -> Step:
    try:
        action()
    except HotfixError as exc:
        return Step(command, [f"refused (exit {exc.exit_code}): {exc.message}",
                              f"hint: {exc.hint}"], refused=True)
    raise AssertionError(f"the demo expected `{command}` to be refused")


STEPS: list[StepFn] = [_open, _self_approval, _approve, _time, _content, _close_refused,
                       _verify_log]
