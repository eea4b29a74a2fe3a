"""A parser for the Prometheus text exposition format (version 0.0.4), ours, stdlib only.

    # HELP http_requests_total Requests.
    # TYPE http_requests_total counter
    http_requests_total{method="post",code="200"} 1027 1395066363000

Comments and blank lines are skipped; label values may hold escaped ``\\\\``, ``\\"`` and
``\\n``; values may be ``+Inf``, ``-Inf`` or ``NaN``; a timestamp, if any, is ignored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


class ExpositionError(ValueError):
    """A line is not in the exposition format; the message names the line number."""


@dataclass(frozen=True)
class Sample:
    name: str
    labels: tuple[tuple[str, str], ...]
    value: float

    def label(self, name: str) -> str | None:
        return dict(self.labels).get(name)


def parse(text: str) -> list[Sample]:
    samples = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            samples.append(_sample(line))
        except (ValueError, IndexError) as exc:
            raise ExpositionError(f"line {number}: {exc}: {raw[:80]!r}") from None
    return samples


def _sample(line: str) -> Sample:
    brace = line.find("{")
    space = line.find(" ")
    if brace != -1 and (space == -1 or brace < space):
        name = line[:brace]
        labels, rest = _labels(line, brace + 1)
    else:
        name, rest, labels = line[:space], line[space:], ()
    if not name or not all(c.isalnum() or c in "_:" for c in name):
        raise ValueError(f"bad metric name {name!r}")
    value = rest.split()[0]
    return Sample(name, labels, _float(value))


def _labels(line: str, i: int) -> tuple[tuple[tuple[str, str], ...], str]:
    labels: list[tuple[str, str]] = []
    while True:
        while line[i] in " ,":
            i += 1
        if line[i] == "}":
            return tuple(labels), line[i + 1:]
        eq = line.index("=", i)
        key = line[i:eq].strip()
        if line[eq + 1] != '"':
            raise ValueError(f"label {key} has no quoted value")
        value, i = _quoted(line, eq + 2)
        labels.append((key, value))


def _quoted(line: str, i: int) -> tuple[str, int]:
    out = []
    while line[i] != '"':
        if line[i] == "\\":
            i += 1
            out.append({"n": "\n", "\\": "\\", '"': '"'}.get(line[i], "\\" + line[i]))
        else:
            out.append(line[i])
        i += 1
    return "".join(out), i + 1


def _float(text: str) -> float:
    special = {"+Inf": math.inf, "Inf": math.inf, "-Inf": -math.inf, "NaN": math.nan}
    return special[text] if text in special else float(text)


def escape(value: str) -> str:
    """A label value as it must appear between quotes."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
