"""``hotfix demo``: the whole lifecycle on a throw-away sample shop."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from hotfix.cli.common import JsonOpt, console, emit


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    keep: Annotated[bool, typer.Option("--keep", help="Keep the sample project afterwards.")]
    = False,
    scenario: Annotated[str, typer.Option(
        "--scenario", help="hotfix: a checkout bug walked through the whole lifecycle; "
        "rollback: a release that broke search, rolled back first, then fixed forward; "
        "flags: three flags rolled out by the judge over OFREP; "
        "content: a marketer's shipping deadline live in seconds, reverted, and the refusals.")]
    = "hotfix",
    metrics: Annotated[str, typer.Option(
        "--metrics", help="What the canaries are judged from: router (what the router saw) "
        "or prometheus (a local Prometheus scraping each version, read over its HTTP query "
        "API; needs the prometheus binary). hotfix and rollback scenarios.")] = "router",
    as_json: JsonOpt = False,
) -> None:
    """Build a sample web shop with a checkout bug and walk a hotfix through its lifecycle.

    --scenario rollback: v1.2.0 breaks search; triage says roll back first; production
    returns to v1.1.1 under traffic, is verified, and the fix ships forward as v1.2.1.
    --scenario flags: the shop evaluates three flags over OFREP; the judge promotes the one
    enabling the fixed checkout and turns off the one failing 1 checkout in 30, and the one
    making every checkout 300 ms slower (on its users slow).
    --scenario content: the shop reads its banner from the content endpoint; a marketer
    moves the shipping deadline to Dec 20, live in seconds, reverts it, and is refused a
    checkout change and a pasted script.

    --metrics prometheus: the canaries are judged from a real Prometheus (Debian's
    prometheus package) that scrapes every instance the demo starts, as from a team's own
    monitoring (docs/integrations.md)."""
    from functools import partial

    from hotfix.demo.walkthrough import Step

    run_demo: Callable[[Path, dict[str, str]], Iterator[Step]]
    if scenario == "rollback":
        from hotfix.demo.rollback_scenario import run_rollback_demo

        run_demo = partial(run_rollback_demo, metrics=metrics)
    elif scenario == "flags":
        from hotfix.demo.flags_scenario import run_flags_demo as run_demo
    elif scenario == "content":
        from hotfix.demo.content_scenario import run_content_demo as run_demo
    elif scenario == "hotfix":
        from hotfix.demo.walkthrough import run_demo as run_hotfix_demo

        run_demo = partial(run_hotfix_demo, metrics=metrics)
    else:
        from hotfix.errors import UsageError

        raise UsageError(f"unknown demo scenario {scenario!r}",
                         hint="choose hotfix, rollback, flags or content")
    _check_metrics(metrics, scenario)
    workdir = Path(tempfile.mkdtemp(prefix="hotfix-demo-"))
    steps = []
    try:
        for number, step in enumerate(run_demo(workdir, dict(os.environ)), start=1):
            steps.append({"title": step.title, "lines": step.lines, "refused": step.refused,
                          "mark": step.mark if step.refused else None})
            if not as_json:
                mark = f"[yellow]{escape(step.mark)}[/]" if step.refused else ""
                console.print(f"\n[bold cyan]{number}.[/] [bold]{escape(step.title)}[/] {mark}",
                              soft_wrap=True)
                for line in step.lines:
                    console.print(f"  {escape(line)}", soft_wrap=True)
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    emit(as_json, {"steps": steps, "kept": str(workdir) if keep else None},
         lambda: console.print("\n[green]demo complete[/]"
                               + (f": sample kept in {workdir}" if keep else "")))


def _check_metrics(metrics: str, scenario: str) -> None:
    """Refuse, before anything is built, a source the demo cannot judge from."""
    from hotfix.demo.prometheus import INSTALL, binary
    from hotfix.demo.walkthrough import METRICS
    from hotfix.errors import NotConfigured, UsageError

    if metrics not in METRICS:
        raise UsageError(f"unknown --metrics {metrics!r}", hint=f"choose {' or '.join(METRICS)}")
    if metrics == "router":
        return
    if scenario not in ("hotfix", "rollback"):
        raise UsageError(f"--metrics {metrics} judges a canary; the {scenario} scenario "
                         "deploys none", hint="use it with --scenario hotfix or rollback")
    if binary() is None:
        raise NotConfigured("--metrics prometheus needs the prometheus binary, which is not "
                            "on PATH: the demo did not start",
                            hint=f"{INSTALL}, or drop --metrics to judge from the router")
