"""Reports from records built of sealed events: every section, escaping, the chart, the PDF
rendered to PNG pages (kept under test-artifacts/ for a person to look at)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest

from hotfix.domain.record.timing import time_report
from hotfix.reports import html, markdown
from hotfix.reports.chart import canary_svg
from hotfix.reports.document import build
from hotfix.reports.evidence import evidence
from tests.domain.record.timelines import APPROVER, REQUESTER, T0, Timeline, decision

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
HOSTILE = "<!channel> @here **bold** [x](http://evil.example) <script>alert(1)</script>"


def verdict(ratio: float, lower: float, upper: float, decided: str = "continue") -> dict:
    return {"decision": decided, "metrics": {
        "errors": {"ratio": 0.0, "lower": 0.0, "upper": 0.33, "tolerance": 1.5},
        "latency": {"ratio": ratio, "lower": lower, "upper": upper, "tolerance": 1.1}}}


def shipped(title: str = "Checkout returns 500") -> Timeline:
    t = Timeline()  # opened by REQUESTER
    t.add(REQUESTER, "triage", {"decision": {**decision(), "reasons": [
        {"text": "it is costing money for a large share of users", "answers": []}]}})
    t.add(APPROVER, "approve", {"note": "go"})
    t.add(REQUESTER, "check", {"commit": "a" * 40, "passed": True, "blocked": False,
                               "impact": {"strategy": "static", "selected_count": 2,
                                          "total_tests": 40,
                                          "selected": ["tests/t.py::a", "tests/t.py::b"]},
                               "runs": [{"stage": "targeted", "passed": True,
                                         "counts": {"passed": 2, "failed": 0, "error": 0,
                                                    "skipped": 0}}]})
    t.add(REQUESTER, "release", {"tag": "v1.1.1", "version": "1.1.1", "branch": "hotfix/1.1.1",
                                 "release_commit": "b" * 40, "notes": ["- Fix (HF-1)"]})
    t.add(REQUESTER, "deploy", {"tag": "v1.1.1", "baseline": "v1.1.0", "router": "builtin",
                                "plan": "10% → 50% → 100%"})
    t.add(REQUESTER, "deploy_step", {"step": 1, "weight": 10.0, "requests": {"baseline": 0,
                                     "canary": 0}, "errors": {"baseline": 0, "canary": 0}})
    t.add(REQUESTER, "deploy_step", {"step": 2, "weight": 50.0,
                                     "requests": {"baseline": 900, "canary": 100},
                                     "errors": {"baseline": 300, "canary": 0},
                                     "verdict": verdict(1.01, 0.9, 1.2)})
    t.add(REQUESTER, "promote", {"reason": "every metric within tolerance",
                                 "requests": {"baseline": 3000, "canary": 2500},
                                 "errors": {"baseline": 1000, "canary": 0},
                                 "verdict": verdict(1.0, 0.97, 1.04, "promote")})
    t.add(REQUESTER, "verify", {"against": "http://shop", "checks": [
        {"name": "GET /health → 200", "kind": "smoke", "passed": True, "detail": "status 200"},
        {"name": "eu_checkout", "kind": "bug", "passed": True, "detail": "exit 0"}]})
    t.add(REQUESTER, "document", {"fields": {
        "root_cause": f"VAT rate missing {HOSTILE}",
        "follow_ups": "- add a VAT test per country\n- alert on 5xx by card region\n"}})
    return t


def made(t: Timeline):  # type: ignore[no-untyped-def]
    rec = t.record
    return build(rec, time_report(rec, T0 + timedelta(hours=2)), T0 + timedelta(hours=2))


def test_every_section_from_a_shipped_record() -> None:
    report = made(shipped())
    data = report.to_dict()
    assert data["severity"] == "SEV1"
    assert data["reasons"] == ["it is costing money for a large share of users"]
    assert [(a["actor"], a["verdict"]) for a in data["approvals"]] == [(APPROVER, "approved")]
    assert data["checks"][0]["selected"] == 2
    assert data["checks"][0]["total"] == 40
    assert data["release"]["tag"] == "v1.1.1"
    assert (data["rollout"]["decision"], data["rollout"]["points"]) == ("promote", 3)
    assert data["verification"]["passed"] is True
    assert report.action_items == ["add a VAT test per country", "alert on 5xx by card region"]
    text = markdown.render(report)
    for heading in ("## Triage", "## Approvals", "## Checks", "## Release", "## Rollout",
                    "## Verification", "## Ports", "## Documentation", "## Postmortem",
                    "## Timeline"):
        assert heading in text
    assert "- [ ] add a VAT test per country" in text
    # one row per rollout event, at its time since the deploy began
    assert "| 60s | 10% | 0/0 | 0/0 |\n| 120s | 50% | 300/900 | 0/100 |\n" \
        "| 180s | 100% | 1000/3000 | 0/2500 |" in text
    assert "promote after" in text
    # what hotfix fills in itself, beside the fields people wrote
    assert data["known"] == {
        "tests": "1 check(s); the last passed on aaaaaaaaaaaa; 2 test(s) selected by static: "
                 "targeted 2 passed",
        "canary": "v1.1.1 beside v1.1.0, steps 10% → 50%; promoted (every metric within "
                  "tolerance); canary 2500 request(s), 0 error(s), baseline 3000 request(s), "
                  "1000 error(s)",
        "verification": "2 check(s) against http://shop, passed",
        "ports": "not ported yet", "time": "wall 1h59m; logged none"}
    assert "Filled in by hotfix from the record:\n\n- **tests**: 1 check(s)" in text
    assert "<dt><strong>verification</strong></dt><dd>2 check(s) against http://shop, passed" \
        in html.render(report)


def test_a_record_never_deployed_says_so_in_every_format() -> None:
    t = Timeline()
    report = made(t)
    assert report.rollout is None
    text = markdown.render(report)
    for said in ("Not triaged.", "No checks run.", "Not released.", "Not deployed.",
                 "Not verified.", "Not folded back yet."):
        assert said in text
    page = html.render(report)
    assert "Not deployed." in page
    assert "<svg" not in page


def test_text_from_the_bug_report_cannot_format_ping_or_script() -> None:
    t = shipped()
    t.add(APPROVER, "approve", {"note": HOSTILE})
    report = made(t)
    text = markdown.render(report)
    assert "<!channel>" not in text
    assert "<script>" not in text
    assert "**bold**" not in text
    assert "[x](http" not in text
    assert r"\<\!channel\>" in text
    page = html.render(report)
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


def test_chart_is_valid_svg_with_a_text_equivalent_and_escaped_versions() -> None:
    t = shipped()
    ev = evidence(t.record.events)
    assert ev is not None
    assert [p.weight for p in ev.points] == [10.0, 50.0, 100.0]
    assert ev.points[1].error_rate("baseline") == pytest.approx(1 / 3)
    assert ev.points[2].metrics["latency"].upper == 1.04
    svg = canary_svg(ev.__class__(**{**ev.__dict__, "canary": 'v1"<b>'}))
    root = ElementTree.fromstring(svg)  # well-formed, whatever the version is called
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img"
    desc = root.find(f"{ns}desc")
    assert desc is not None
    assert "promote after" in (desc.text or "")
    assert "canary 0% errors over 2500 requests" in (desc.text or "")
    assert sum(1 for _ in root.iter(f"{ns}circle")) >= 6  # error rates and the judge's ratios


def test_pdf_renders_to_png_pages(tmp_path: Path) -> None:
    assert shutil.which("pdftoppm"), "install poppler-utils (apt-get install poppler-utils)"
    pdf = html.render_pdf(made(shipped()))
    assert pdf.startswith(b"%PDF-")
    (tmp_path / "HF-1.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(tmp_path / "HF-1.pdf"),
                    str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2
    assert all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 2000 for p in pages)
    ARTIFACTS.mkdir(exist_ok=True)
    for page in pages:
        shutil.copy(page, ARTIFACTS / f"report-{page.name}")
