"""Turn the judge's state into a Verdict: the decision rule and the reason shown to people."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from hotfix.domain.judge.counts import CountEvidence
from hotfix.domain.judge.settings import JudgeSettings
from hotfix.domain.judge.shift import LatencyEvidence
from hotfix.domain.judge.srm import SampleRatio
from hotfix.domain.judge.verdict import (
    Decision,
    MetricVerdict,
    SampleRatioVerdict,
    Verdict,
    e_value,
)

LABELS = {"errors": "error rate", "latency": "latency", "tail": "slow requests"}


@dataclass(frozen=True)
class Snapshot:
    settings: JudgeSettings
    weights: Mapping[str, float]
    seen: int
    log_e: float
    rollback_at: int | None
    within_at: Mapping[str, int | None]
    regressed_at: Mapping[str, int | None]
    srm_at: int | None
    finished: bool


def build_verdict(
    snap: Snapshot, errors: CountEvidence, latency: LatencyEvidence, srm: SampleRatio
) -> Verdict:
    metrics = tuple(_metric(snap, name, errors, latency) for name in snap.weights)
    ratio = _sample_ratio(snap, srm)
    decision, at = _decide(snap, ratio)
    t = errors.totals
    return Verdict(
        decision=decision,
        reason=_reason(decision, snap, metrics, ratio),
        decided_at=at,
        alpha=snap.settings.alpha,
        log_e=snap.log_e,
        requests={"canary": t.canary, "baseline": t.baseline},
        metrics=metrics,
        sample_ratio=ratio,
    )


def _decide(snap: Snapshot, ratio: SampleRatioVerdict) -> tuple[Decision, int | None]:
    if snap.rollback_at is not None:
        return "rollback", snap.rollback_at
    times = list(snap.within_at.values())
    if not ratio.flagged and times and all(t is not None for t in times):
        return "promote", max(t for t in times if t is not None)
    return ("inconclusive" if snap.finished else "continue"), None


def _metric(
    snap: Snapshot, name: str, errors: CountEvidence, latency: LatencyEvidence
) -> MetricVerdict:
    s, alpha = snap.settings, snap.settings.alpha
    if name == "latency":
        reg, ni = latency.log_e()
        lower, upper = latency.bounds(alpha)
        stats = latency.stats()
        n = latency.strata.n
        estimate = math.exp(float(stats.diff[0])) if n.min() > 0 else math.nan
        counts = {"canary": float(n[0]), "baseline": float(n[1]), "sigma": math.sqrt(stats.var[0])}
        counts |= _thresholds_ms(latency)
        tolerance = 1 + s.latency_tolerance
    else:
        ev = errors if name == "errors" else latency.tail
        reg, ni = ev.log_e()
        lower, upper = ev.bounds(alpha)
        estimate, counts = _rate_ratio(ev)
        tolerance = 1 + s.error_margin if name == "errors" else math.inf
    return MetricVerdict(
        name=name,
        weight=snap.weights[name],
        log_e_regression=reg,
        log_e_noninferior=ni,
        threshold_regression=1 / (alpha * snap.weights[name]),
        threshold_noninferior=1 / alpha if name in snap.within_at else math.inf,
        regressed_at=snap.regressed_at[name],
        within_tolerance_at=snap.within_at.get(name),
        estimate=estimate,
        lower=lower,
        upper=upper,
        tolerance=tolerance,
        counts=counts,
    )


def _rate_ratio(ev: CountEvidence) -> tuple[float, dict[str, float]]:
    t = ev.totals
    counts = {
        "canary": float(t.canary),
        "baseline": float(t.baseline),
        "canary_events": float(t.canary_events),
        "baseline_events": float(t.baseline_events),
    }
    if min(t.canary, t.baseline, t.baseline_events) == 0:
        return math.nan, counts
    rate_c, rate_b = t.canary_events / t.canary, t.baseline_events / t.baseline
    return rate_c / rate_b, counts


def _thresholds_ms(latency: LatencyEvidence) -> dict[str, float]:
    cap, slow = latency.burnin.cap, latency.threshold.threshold
    out = {} if cap is None else {"winsor_cap_ms": math.exp(cap)}
    return out if slow is None else {**out, "tail_threshold_ms": math.exp(slow)}


def _sample_ratio(snap: Snapshot, srm: SampleRatio) -> SampleRatioVerdict:
    checked = srm.total > 0
    return SampleRatioVerdict(
        checked=checked,
        expected_share=srm.expected / srm.total if checked else None,
        observed_share=srm.canary / srm.total if checked else None,
        log_e=srm.log_e(),
        threshold=1 / snap.settings.srm_alpha,
        flagged_at=snap.srm_at,
    )


def _reason(
    decision: Decision,
    snap: Snapshot,
    metrics: tuple[MetricVerdict, ...],
    ratio: SampleRatioVerdict,
) -> str:
    if decision == "rollback":
        worst = max(metrics, key=lambda m: m.weight * e_value(m.log_e_regression))
        return (
            f"regression shown in {LABELS[worst.name]}: canary/baseline {_x(worst.estimate)} "
            f"(at least {_x(worst.lower)}); "
            f"combined e-value reached 1/α = {1 / snap.settings.alpha:g}"
        )
    gating = [m for m in metrics if m.gates_promotion]
    if decision == "promote":
        shown = ", ".join(f"{LABELS[m.name]} < {_x(m.tolerance)}" for m in gating)
        return f"every metric shown within tolerance: {shown}"
    waiting = [LABELS[m.name] for m in gating if m.within_tolerance_at is None]
    prefix = (
        "bake time ended without a decision"
        if decision == "inconclusive"
        else "collecting evidence"
    )
    if snap.seen == 0:
        return f"{prefix}: no requests yet (no data is no evidence)"
    note = ""
    if ratio.flagged:
        note = (
            f"; sample-ratio mismatch: canary share {ratio.observed_share:.3f} vs "
            f"{ratio.expected_share:.3f} expected, promotion withheld"
        )
    return f"{prefix}: not yet shown within tolerance: {', '.join(waiting) or 'none'}{note}"


def _x(value: float) -> str:
    return f"{value:.3g}×" if math.isfinite(value) else "n/a"
