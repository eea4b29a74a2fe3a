"""A horizontal bar chart as an SVG string (the dashboard's metrics page): one bar a row,
its label and value as text beside it, every label escaped. Pure: values in, markup out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

ROW, LABEL, BAR, VALUE = 22, 170, 260, 90


def bars(title: str, rows: Sequence[tuple[str, float]],
         shown: Callable[[float], str] = lambda v: f"{v:g}") -> str:
    """``rows`` of (label, value ≥ 0) as bars scaled to the largest; no rows: a line saying
    so. ``shown`` formats a value for its text."""
    width = LABEL + BAR + VALUE
    if not rows:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
                f'height="{ROW}" aria-label="{escape(title)}: nothing in the window">'
                f'<title>{escape(title)}</title><text x="0" y="15">nothing in the window'
                "</text></svg>")
    top = max((v for _, v in rows), default=0.0) or 1.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
             f'height="{ROW * len(rows)}" aria-label="{escape(title)}">'
             f"<title>{escape(title)}</title>"]
    for i, (label, value) in enumerate(rows):
        y = i * ROW
        length = max(0.0, value) / top * BAR
        text = label if len(label) <= 24 else label[:23] + "…"
        parts.append(f'<text x="0" y="{y + 15}" font-size="13">{escape(text)}</text>'
                     f'<rect x="{LABEL}" y="{y + 4}" width="{length:.1f}" height="14" '
                     f'fill="#4a6fa5"><title>{escape(label)}: {escape(shown(value))}</title>'
                     f'</rect><text x="{LABEL + length + 6:.1f}" y="{y + 15}" font-size="13">'
                     f"{escape(shown(value))}</text>")
    parts.append("</svg>")
    return "".join(parts)
