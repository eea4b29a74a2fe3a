"""A flag rollout's evidence for the flags page, as the hotfix page shows a canary's.

From the flag record's events since its latest ``deploy``: the chart and its sentence
(reports/chart.py, the hotfix page's), the step reached (the canary variant's percentage),
and the newest verdict the judge left on an event — per variant users and failed users,
e-values against 1/α, the anytime-valid bounds, the decision. None when the record was
never rolled out by the judge.
"""

from __future__ import annotations

from typing import Any

from hotfix.domain.record.lifecycle import Hotfix
from hotfix.reports.chart import canary_svg, describe
from hotfix.reports.evidence import ROLLOUT_EVENTS, evidence


def flag_rollout(rec: Hotfix) -> dict[str, Any] | None:
    ev = evidence(rec.events)
    if ev is None:
        return None
    starts = [i for i, e in enumerate(rec.events) if e.kind == "deploy"]
    since = rec.events[starts[-1]:]
    canary = str(since[0].payload.get("canary") or ev.canary)
    verdict: dict[str, Any] | None = None
    percent: int | None = None
    for event in since:
        if event.kind not in ROLLOUT_EVENTS:
            continue
        if isinstance(event.payload.get("verdict"), dict):
            verdict = event.payload["verdict"]
        split = (event.payload.get("definition") or {}).get("split") or []
        percent = next((int(w) for v, w in split if v == canary), percent)
    return {"chart": canary_svg(ev, chart_id=f"canary-{rec.key}"), "chart_text": describe(ev),
            "canary": canary, "baseline": ev.baseline, "percent": percent,
            "decision": ev.decision, "verdict": verdict}
