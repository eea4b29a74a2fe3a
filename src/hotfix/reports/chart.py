"""The canary chart: a server-rendered SVG of a rollout's evidence, readable without script.

Three panels over the same time axis: the canary's share of traffic, the error rate per
version, and the judge's canary/baseline ratio per metric with its anytime-valid bounds and
the tolerance it was held to; a dashed line marks the decision. The ``<title>`` and
``<desc>`` say the same in words for screen readers. Every text is XML-escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

from hotfix.reports.evidence import Evidence, Point

WIDTH, PANEL, GAP, LEFT, RIGHT, TOP = 760, 120, 42, 64, 150, 30
SIDES = {"baseline": "#4b5563", "canary": "#2563eb"}
METRICS = {"errors": "#dc2626", "latency": "#7c3aed", "tail": "#b45309"}
RATIO_CAP = 3.0  # ratios above are drawn at the cap (the number is in the table)


def canary_svg(ev: Evidence, *, chart_id: str = "canary") -> str:
    """The chart of ``ev`` as one ``<svg>`` element."""
    span = max([p.seconds for p in ev.points] + [1.0])
    height = TOP + 3 * PANEL + 2 * GAP + 30
    x = _scale(0.0, span, LEFT, WIDTH - RIGHT)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" role="img" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
             'font-family="sans-serif" font-size="11">',
             f'<title id="{chart_id}-title">Canary {_t(ev.canary)} against {_t(ev.baseline)}'
             '</title>', f'<desc id="{chart_id}-desc">{_t(describe(ev))}</desc>']
    tops = [TOP + i * (PANEL + GAP) for i in range(3)]
    parts += _traffic(ev.points, x, tops[0])
    parts += _errors(ev.points, x, tops[1])
    parts += _ratios(ev.points, x, tops[2])
    axis_y = tops[2] + PANEL
    for tick in _ticks(span):
        parts.append(f'<text x="{x(tick):.1f}" y="{axis_y + 16}" text-anchor="middle">'
                     f'{_seconds(tick)}</text>')
    parts.append(f'<text x="{LEFT}" y="{axis_y + 28}" fill="#374151">time since the deploy '
                 'began</text>')
    if ev.decided_after is not None:
        xd = x(ev.decided_after)
        color = "#15803d" if ev.decision == "promote" else "#b91c1c"
        parts.append(f'<line x1="{xd:.1f}" y1="{TOP - 8}" x2="{xd:.1f}" y2="{axis_y}" '
                     f'stroke="{color}" stroke-dasharray="5 3" stroke-width="1.5"/>')
        parts.append(f'<text x="{xd:.1f}" y="{TOP - 12}" text-anchor="middle" '
                     f'fill="{color}" font-weight="bold">{_t(ev.decision or "")}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def describe(ev: Evidence) -> str:
    """The chart in one sentence."""
    if not ev.points:
        return f"{ev.canary} was deployed beside {ev.baseline}; no evidence yet."
    last = ev.points[-1]
    rates = ", ".join(f"{side} {_pct(last.error_rate(side))} errors over "
                      f"{last.requests.get(side, 0)} requests" for side in SIDES)
    outcome = (f"{ev.decision} after {_seconds(last.seconds)}: {ev.reason}" if ev.decision
               else f"still running at {last.weight:g}% after {_seconds(last.seconds)}")
    return f"{ev.canary} against {ev.baseline}: {rates}; {outcome}."


def _traffic(points: Sequence[Point], x: Callable[[float], float], top: int) -> list[str]:
    y = _scale(0.0, 100.0, top + PANEL, top)
    out = _frame(top, "canary's share of traffic", [(0, "0%"), (50, "50%"), (100, "100%")], y)
    path, prev = [], (0.0, 0.0)
    for p in points:
        path += [f"{x(p.seconds):.1f},{y(prev[1]):.1f}", f"{x(p.seconds):.1f},{y(p.weight):.1f}"]
        prev = (p.seconds, p.weight)
    if path:
        out.append(f'<polyline points="{x(0):.1f},{y(0):.1f} {" ".join(path)}" fill="none" '
                   f'stroke="{SIDES["canary"]}" stroke-width="2"/>')
    if points:
        last = points[-1]
        out.append(_legend(top, [(SIDES[s], f"{s} {last.requests.get(s, 0)} req") for s in SIDES]))
    return out


def _errors(points: Sequence[Point], x: Callable[[float], float], top: int) -> list[str]:
    rates = [r for p in points for s in SIDES if (r := p.error_rate(s)) is not None]
    peak = max([*rates, 0.01]) * 1.15
    y = _scale(0.0, peak, top + PANEL, top)
    out = _frame(top, "error rate", [(0, "0%"), (peak / 2, _pct(peak / 2)), (peak, _pct(peak))],
                 y)
    for side, color in SIDES.items():
        pts = [(x(p.seconds), y(r)) for p in points if (r := p.error_rate(side)) is not None]
        out += _series(pts, color)
    out.append(_legend(top, [(c, s) for s, c in SIDES.items()]))
    return out


def _ratios(points: Sequence[Point], x: Callable[[float], float], top: int) -> list[str]:
    names = [n for n in METRICS if any(n in p.metrics for p in points)]
    tops = [b.tolerance for p in points for b in p.metrics.values() if b.tolerance]
    high = min(RATIO_CAP, max([*tops, 1.0]) * 1.3)
    y = _scale(0.0, high, top + PANEL, top)
    out = _frame(top, "canary / baseline (judge's bounds)",
                 [(0, "0"), (1.0, "1"), (high, f"{high:.2g}")], y)
    out.append(f'<line x1="{LEFT}" y1="{y(1.0):.1f}" x2="{WIDTH - RIGHT}" y2="{y(1.0):.1f}" '
               'stroke="#9ca3af"/>')
    for n, name in enumerate(names):
        color, shift = METRICS[name], (n - (len(names) - 1) / 2) * 5
        tolerance = next((p.metrics[name].tolerance for p in reversed(points)
                          if name in p.metrics and p.metrics[name].tolerance), None)
        if tolerance:
            ty = y(min(tolerance, high))
            out.append(f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" '
                       f'stroke="{color}" stroke-dasharray="2 3" opacity="0.7"/>')
        for p in points:
            b = p.metrics.get(name)
            if b is None or b.ratio is None:
                continue
            cx = x(p.seconds) + shift
            lo, hi = (min(v, high) if v is not None else None for v in (b.lower, b.upper))
            if lo is not None and hi is not None:
                out.append(f'<line x1="{cx:.1f}" y1="{y(lo):.1f}" x2="{cx:.1f}" '
                           f'y2="{y(hi):.1f}" stroke="{color}" stroke-width="2"/>')
            out.append(f'<circle cx="{cx:.1f}" cy="{y(min(b.ratio, high)):.1f}" r="3" '
                       f'fill="{color}"/>')
    out.append(_legend(top, [(METRICS[n], n) for n in names]))
    return out


def _frame(top: int, label: str, ticks: Sequence[tuple[float, str]],
           y: Callable[[float], float]) -> list[str]:
    out = [f'<text x="{LEFT}" y="{top - 8}" font-weight="bold" fill="#111827">{_t(label)}'
           '</text>',
           f'<rect x="{LEFT}" y="{top}" width="{WIDTH - LEFT - RIGHT}" height="{PANEL}" '
           'fill="none" stroke="#d1d5db"/>']
    for value, text in ticks:
        out.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
                   f'fill="#374151">{_t(text)}</text>')
    return out


def _series(pts: Sequence[tuple[float, float]], color: str) -> list[str]:
    if not pts:
        return []
    joined = " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
    return [f'<polyline points="{joined}" fill="none" stroke="{color}" stroke-width="2"/>',
            *(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.5" fill="{color}"/>' for a, b in pts)]


def _legend(top: int, items: Sequence[tuple[str, str]]) -> str:
    rows = [f'<rect x="{WIDTH - RIGHT + 10}" y="{top + 6 + 16 * i}" width="10" height="10" '
            f'fill="{color}"/><text x="{WIDTH - RIGHT + 24}" y="{top + 15 + 16 * i}">'
            f'{_t(text)}</text>' for i, (color, text) in enumerate(items)]
    return "".join(rows)


def _scale(lo: float, hi: float, out_lo: float, out_hi: float) -> Callable[[float], float]:
    span = (hi - lo) or 1.0
    return lambda v: out_lo + (v - lo) / span * (out_hi - out_lo)


def _ticks(span: float) -> list[float]:
    step = next(s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 86400)
                if span / s <= 6)
    return [i * step for i in range(int(span // step) + 1)]


def _seconds(value: float) -> str:
    return f"{value:.0f}s" if value < 120 else f"{value / 60:.0f}m"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2g}%"


def _t(text: str) -> str:
    return escape(text, {'"': "&quot;"})
