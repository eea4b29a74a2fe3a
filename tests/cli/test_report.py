"""``hotfix report`` on a real record: formats, paths, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.cli.test_record_commands import ANSWERS, APP, REQ, approvers

pytestmark = pytest.mark.both_modes


def test_report_in_each_format(hotfix: Invoke, repo: Path, tmp_path: Path) -> None:
    approvers(repo, APP)
    hotfix("open", "Checkout <b>500</b> for @here", *ANSWERS, "--as", REQ)
    hotfix("approve", "HF-1", "--as", APP, "-m", "go")
    hotfix("document", "HF-1", "--field", "follow_ups=- alert on 5xx", "--as", REQ)

    md = hotfix("report", "HF-1")
    assert md.code == 0, md.err
    assert md.out.startswith("# HF-1: Checkout \\<b\\>500\\</b\\> for @here")
    assert f"approved by {APP}" in md.out
    assert "Not deployed." in md.out
    assert "- [ ] alert on 5xx" in md.out

    page = hotfix("report", "HF-1", "-f", "html", "-o", str(tmp_path / "r.html"))
    assert page.code == 0, page.err
    assert "Checkout &lt;b&gt;500&lt;/b&gt;" in (tmp_path / "r.html").read_text()

    pdf = hotfix("report", "HF-1", "--format", "pdf")
    assert pdf.code == 0, pdf.err
    written = repo / ".hotfix" / "reports" / "HF-1.pdf"
    assert str(written) in pdf.out.replace("\n", "")
    assert written.read_bytes().startswith(b"%PDF-")

    data = hotfix("report", "HF-1", "--json").json()
    assert data["action_items"] == ["alert on 5xx"]
    assert data["rollout"] is None


def test_report_refusals(hotfix: Invoke, repo: Path) -> None:
    hotfix("open", "Bug", "--as", REQ)
    unknown = hotfix("report", "HF-1", "-f", "docx")
    assert unknown.code == 2
    assert "--format md" in unknown.err
    tty = hotfix("report", "HF-1", "-f", "pdf", "-o", "-")
    assert tty.code == 2
    assert "give a file" in tty.err
    assert hotfix("report", "HF-9").code == 1
    blocked = repo / "blocked"
    blocked.write_text("a file, not a folder")
    unwritable = hotfix("report", "HF-1", "-f", "html", "-o", str(blocked / "r.html"))
    assert unwritable.code == 2
    assert "cannot write the report" in unwritable.err
