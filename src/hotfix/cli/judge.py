"""``hotfix judge FILE…``: the canary judge over recorded request streams."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from hotfix.cli.common import JsonOpt, console

if TYPE_CHECKING:
    from hotfix.domain.judge.engine import MetricVerdict
    from hotfix.services.rollout.judge_files import FileVerdict

COLOURS = {"rollback": "bold red", "promote": "bold green", "inconclusive": "yellow"}
LABELS = {"errors": "errors", "latency": "latency", "tail": "slow"}
COLUMNS = ("metric", "ratio", "bounds", "ok if <", "e worse/limit", "e fine/limit", "counts")


def register(app: typer.Typer) -> None:
    app.command("judge")(judge)


def judge(
    files: Annotated[list[Path], typer.Argument(help="CSV files: t,version,ok,latency_ms.")],
    alpha: Annotated[
        float | None, typer.Option("--alpha", help="False rollback rate (judge.alpha).")
    ] = None,
    tolerance: Annotated[
        float | None,
        typer.Option("--tolerance", help="Error-rate margin for promotion (judge.error_margin)."),
    ] = None,
    latency_tolerance: Annotated[
        float | None,
        typer.Option("--latency-tolerance", help="Latency tolerance (judge.latency_tolerance)."),
    ] = None,
    share: Annotated[
        float | None,
        typer.Option("--share", help="Configured canary share, for the sample-ratio check."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Judge recorded canary traffic as if live: rollback, promote or inconclusive.

    Exits 1 when any file's canary is judged a regression (rollback), so it can gate CI."""
    overrides: dict[str, Any] = {
        key: value
        for key, value in (
            ("judge.alpha", alpha),
            ("judge.error_margin", tolerance),
            ("judge.latency_tolerance", latency_tolerance),
        )
        if value is not None
    }
    from hotfix.services.rollout.judge_files import judge_files
    from hotfix.wiring import open_judging

    setup = open_judging(Path.cwd(), dict(os.environ), overrides)
    results = judge_files(files, settings=setup.settings, read=setup.read, expected_share=share)
    for result in results:
        if as_json:
            typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, allow_nan=False))
        else:
            render(result)
    if any(result.verdict.decision == "rollback" for result in results):
        raise typer.Exit(1)


def render(result: FileVerdict) -> None:
    v = result.verdict
    where = f" at row {v.decided_at}" if v.decided_at is not None else ""
    colour = COLOURS.get(v.decision, "bold")
    console.print(
        f"[bold]{escape(result.file)}[/]: [{colour}]{v.decision}[/]{where} "
        f"({v.requests['canary']:,} canary / {v.requests['baseline']:,} baseline requests)"
    )
    console.print(f"  {escape(v.reason)}")
    table = Table(show_edge=False, pad_edge=False)
    for name in COLUMNS:
        table.add_column(name, justify="left" if name in ("metric", "counts") else "right")
    for m in v.metrics:
        table.add_row(*_row(m))
    console.print(table)
    console.print("  ratio = canary/baseline (error rates, geometric-mean latencies, slow rates)")
    srm = v.sample_ratio
    if srm.checked:
        state = "[red]MISMATCH[/]" if srm.flagged else "ok"
        console.print(
            f"  sample ratio: canary share {srm.observed_share:.4f}, expected "
            f"{srm.expected_share:.4f}, e = {_e(srm.log_e)} / {srm.threshold:g}: {state}"
        )
    console.print(f"  combined regression e-value {_e(v.log_e)} (rollback at {v.threshold:g})\n")


def _row(m: MetricVerdict) -> list[str]:
    reg = f"{_e(m.log_e_regression)} / {m.threshold_regression:.3g}"
    ni = f"{_e(m.log_e_noninferior)} / {m.threshold_noninferior:.3g}"
    if m.regressed_at is not None:
        reg = f"[red]{reg}[/]"
    if m.within_tolerance_at is not None:
        ni = f"[green]{ni}[/]"
    if not m.gates_promotion:
        ni = "– (rollback only)"
    return [
        LABELS[m.name],
        _ratio(m.estimate),
        f"[{_ratio(m.lower)}, {_ratio(m.upper)}]",
        f"{m.tolerance:g}" if m.gates_promotion else "–",
        reg,
        ni,
        _data(m),
    ]


def _data(m: MetricVerdict) -> str:
    c = m.counts
    if m.name == "latency":
        sigma = c.get("sigma", 0.0)
        return f"n {c['canary']:.0f}:{c['baseline']:.0f} σ {sigma:.2f}"
    canary = f"{c['canary_events']:.0f}/{c['canary']:.0f}"
    return f"{canary}:{c['baseline_events']:.0f}/{c['baseline']:.0f}"


def _ratio(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    return "∞" if value == float("inf") else f"{value:.3g}"


def _e(log_e: float) -> str:
    if log_e > 230:
        return f"e^{log_e:.0f}"
    return f"{math.exp(log_e):.3g}"
