"""``--junit`` for ``hotfix policy`` and ``hotfix audit``, and GitHub annotations: what a CI
shows natively (real repos, the in-process CLI, the XML parsed back)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

from hotfix.reports.junit import github_error
from tests.cli.conftest import Invoke
from tests.cli.test_audit_commands import shas  # noqa: F401  (a fixture)
from tests.services.checks import repo_builder as rb


def cases(path: Path) -> list[tuple[str, str | None]]:
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None
    return [(c.get("name", ""), (c.find("failure").get("message")  # type: ignore[union-attr]
                                 if c.find("failure") is not None else None))
            for c in suite.iter("testcase")]


def test_policy_writes_one_testcase_per_finding_and_annotates_its_file(
        hotfix: Invoke, tmp_path: Path) -> None:
    shop = rb.shop_repo(tmp_path / "shop")
    rb.fix_vat(shop)
    report = tmp_path / "policy.xml"
    assert hotfix("policy", "--junit", str(report), cwd=shop).code == 0
    assert cases(report) == [("within scope", None)]
    rb.git(shop, "checkout", "-q", "-b", "js", "v1.0.0")
    rb.commit(shop, "js", {"static/cart.js": "x()\n"})
    bad = hotfix("policy", "--junit", str(report), "--github-annotations", cwd=shop)
    assert bad.code == 1
    found = cases(report)
    assert [name for name, _ in found] == ["forbidden-kind:custom-logic: static/cart.js",
                                           "test-required"]
    assert all(failure for _, failure in found)
    annotations = [line for line in bad.out.splitlines() if line.startswith("::error")]
    assert annotations[0].startswith(
        "::error file=static/cart.js,title=hotfix policy%3A forbidden-kind%3Acustom-logic::")
    assert len(annotations) == 2


def test_audit_writes_one_testcase_per_line(hotfix: Invoke, tmp_path: Path,
                                            shas: dict[str, str]) -> None:  # noqa: F811
    report = tmp_path / "audit.xml"
    assert hotfix("audit", "--junit", str(report)).code == 1
    [(name, failure)] = cases(report)
    assert name == "line 1.1"
    assert failure == f"{shas['l_tax'][:12]} Fix Norwegian tax: not in the mainline"


def test_annotations_escape_what_github_would_misread() -> None:
    assert github_error("50% off\nnow", file="a,b:c.py", line=3, title="t") == (
        "::error file=a%2Cb%3Ac.py,line=3,title=t::50%25 off%0Anow")
    assert github_error("plain") == "::error::plain"


def action_script() -> str:
    import yaml

    action = yaml.safe_load((Path(__file__).parents[2] / "action.yml").read_text())
    return str(action["runs"]["steps"][-1]["run"])


def run_action(repo: Path, event: str, **env: str) -> subprocess.CompletedProcess[str]:
    bin_dir = str(Path(sys.executable).parent)  # where this venv's `hotfix` is
    environ = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "EVENT_NAME": event,
               "HOTFIX_COMMAND": "auto", "HOTFIX_BASE": "", "HOTFIX_JUNIT": "out.xml", **env}
    return subprocess.run(["bash", "-c", action_script()], cwd=repo, env=environ,
                          capture_output=True, text=True, check=False)


def test_the_action_runs_policy_on_pull_requests_and_audit_on_pushes(tmp_path: Path) -> None:
    shop = rb.shop_repo(tmp_path / "shop")
    rb.git(shop, "checkout", "-q", "-b", "js", "v1.0.0")
    rb.commit(shop, "js", {"static/cart.js": "x()\n"})
    pr = run_action(shop, "pull_request", HOTFIX_BASE="v1.0.0")
    assert pr.returncode == 1, pr.stderr
    assert "::error file=static/cart.js," in pr.stdout
    assert next(n for n, _ in cases(shop / "out.xml")).startswith("forbidden-kind")
    push = run_action(shop, "push")
    assert push.returncode == 0, push.stderr
    assert cases(shop / "out.xml") == [("line 1.0", None)]  # nothing missing from main
    wrong = run_action(shop, "push", HOTFIX_COMMAND="deploy")
    assert wrong.returncode == 2
    assert "::error::command must be policy, audit or auto" in wrong.stdout
