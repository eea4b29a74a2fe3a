"""The Prometheus text-format parser."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotfix.adapters.metrics.promtext import ExpositionError, Sample, escape, parse

TEXT = """\
# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",\
error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
metric_without_timestamp_and_labels 12.47
something_weird{problem="division by zero"} +Inf -3982045
http_request_duration_seconds_bucket{le="0.05",} 24054
"""


def test_parses_the_reference_example() -> None:
    samples = parse(TEXT)
    assert samples[0] == Sample("http_requests_total", (("method", "post"), ("code", "200")),
                                1027.0)
    assert samples[1].value == 3
    assert samples[2].label("path") == "C:\\DIR\\FILE.TXT"
    assert samples[2].label("error") == 'Cannot find file:\n"FILE.TXT"'
    assert samples[3] == Sample("metric_without_timestamp_and_labels", (), 12.47)
    assert samples[4].value == math.inf
    assert samples[5].label("le") == "0.05"


@pytest.mark.parametrize(("text", "message"), [
    ("ok 1\nbroken{le=\"1\" 3\n", "line 2"),
    ("bad-name 1\n", "line 1: bad metric name"),
    ("x{le=1} 3\n", "line 1: label le has no quoted value"),
    ("x one\n", "line 1"),
])
def test_malformed_lines_are_named(text: str, message: str) -> None:
    with pytest.raises(ExpositionError, match=message):
        parse(text)


names = st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,12}", fullmatch=True)


@given(names, st.dictionaries(names, st.text(max_size=12), max_size=3),
       st.floats(allow_nan=False, width=64))
def test_round_trips_what_it_renders(name: str, labels: dict[str, str], value: float) -> None:
    rendered = ",".join(f'{k}="{escape(v)}"' for k, v in labels.items())
    text = f"{name}{{{rendered}}} {value!r}\n".replace("inf", "Inf")
    (sample,) = parse(text)
    assert sample == Sample(name, tuple(labels.items()), value)
