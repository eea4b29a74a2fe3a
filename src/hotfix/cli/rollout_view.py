"""Rendering a live rollout: the progress panel and the final outcome."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hotfix.domain.rollout.state import Status

if TYPE_CHECKING:
    from hotfix.services.rollout.canary import Progress
    from hotfix.services.rollout.deploy import Outcome

STATUS_STYLE = {Status.PROMOTED: "bold green", Status.ROLLED_BACK: "bold red",
                Status.PAUSED: "yellow", Status.GATED: "yellow", Status.RUNNING: "cyan"}
NEXT = {Status.PAUSED: "next: hotfix deploy {key} (keep judging) or hotfix rollback {key}",
        Status.GATED: "next: hotfix deploy {key} --approve-gate",
        Status.PROMOTED: "next: hotfix verify {key}"}


def progress_table(p: Progress) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column()
    table.add_row("rollout", f"{p.key}  step {p.step}/{p.steps}  canary weight "
                             f"[bold]{p.weight:g}%[/]  [{STATUS_STYLE.get(p.status, '')}]"
                             f"{p.status}[/]")
    table.add_row("requests", _versions(p.requests, p.errors))
    for name, metric in dict(p.verdict.get("metrics", {})).items():
        table.add_row(name, _metric(metric))
    srm = p.verdict.get("sample_ratio") or {}
    if srm.get("flagged"):
        table.add_row("split", f"[yellow]observed canary share {srm.get('observed_share')} ≠ "
                               f"expected {srm.get('expected_share')}[/]")
    decision = p.verdict.get("decision", "continue")
    table.add_row("judge", f"[bold]{decision}[/] {escape(str(p.verdict.get('reason', '')))}")
    table.add_row("now", f"{p.move}: {escape(p.reason)}")
    return table


def _versions(requests: Mapping[str, int], errors: Mapping[str, int]) -> str:
    return "   ".join(f"{role} {requests.get(role, 0)} ({errors.get(role, 0)} errors)"
                      for role in ("baseline", "canary"))


def _metric(m: Mapping[str, Any]) -> str:
    ratio = _num(m.get("ratio"))
    bounds = f"[{_num(m.get('lower'))}, {_num(m.get('upper'))}]"
    return (f"canary/baseline {ratio} {bounds}   e(regression) {_num(m.get('e_regression'))}"
            f"/{_num(m.get('threshold_regression'))}   e(within tolerance) "
            f"{_num(m.get('e_noninferior'))}/{_num(m.get('threshold_noninferior'))}")


def _num(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):.3g}"


def print_outcome(console: Console, out: Outcome) -> None:
    for line in outcome_lines(out):
        console.print(line, soft_wrap=True)


def outcome_lines(out: Outcome) -> list[str]:
    style = STATUS_STYLE.get(out.status, "")
    lines = [f"[{style}]{out.key} {out.status.replace('_', ' ')}[/]: {escape(out.reason)}",
             f"canary {out.canary} vs baseline {out.baseline}: "
             f"{_versions(out.requests, out.errors)}"]
    if out.status in NEXT:
        lines.append(NEXT[out.status].format(key=out.key))
    return lines
