"""The metrics page's bar chart: scaled to the largest value, labels escaped, empty said."""

from __future__ import annotations

import re

from hotfix.reports.bars import BAR, bars


def test_bars_are_scaled_to_the_largest_and_labels_escaped() -> None:
    svg = bars("Work <per> person", [("<script>a</script>", 10.0), ("b", 5.0)],
               lambda v: f"{v:g} s")
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert widths == [BAR, BAR / 2]
    assert "<script>" not in svg
    assert "&lt;script&gt;a&lt;/script&gt;: 10 s" in svg
    assert 'aria-label="Work &lt;per&gt; person"' in svg


def test_no_rows_says_so() -> None:
    assert "nothing in the window" in bars("Empty", [])
