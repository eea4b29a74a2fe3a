"""The check pipeline with real pytest runs in a real worktree and a real check venv."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hotfix.adapters.clock import SystemClock
from hotfix.adapters.git.repo import Git
from hotfix.config import load_config
from hotfix.domain.checks.testrun import Progress
from hotfix.errors import UsageError
from hotfix.services.checks.pipeline import CheckOutcome, run_pipeline
from hotfix.services.checks.policy import resolve_range
from tests.services.checks import repo_builder as rb

SLOW = "import time\n\n\ndef test_hangs():\n    time.sleep(60)\n"
FLAKY = '''\
import os


def test_flaky():
    mark = os.environ["FLAKY_MARK"]
    if not os.path.exists(mark):
        open(mark, "w").close()
        raise AssertionError("first time fails")
'''


def run(root: Path, events: list[Progress] | None = None, **kw: object) -> CheckOutcome:
    sink = events.append if events is not None else (lambda _: None)
    git = Git(root)
    return run_pipeline(git, load_config(root), resolve_range(git, None, None),
                        clock=SystemClock(),
                        on_progress=sink, **kw)  # type: ignore[arg-type]


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return rb.shop_repo(tmp_path / "shop")


def test_a_good_fix_passes_targeted_then_full_with_progress(shop: Path) -> None:
    rb.fix_vat(shop)
    events: list[Progress] = []
    outcome = run(shop, events)
    assert outcome.passed, outcome.to_payload()
    targeted, full = outcome.runs
    assert (targeted.stage, full.stage) == ("targeted", "full")
    assert targeted.counts()["passed"] == 6
    assert full.counts() == {"passed": 10, "failed": 0, "error": 0, "skipped": 0}
    stages = [e.stage for e in events]
    assert stages[:3] == ["scope", "environment", "environment"]
    assert "impact" in stages
    assert stages[-1] == "done"
    done = [e for e in events if e.stage == "full" and e.test]
    assert (done[-1].done, done[-1].total) == (10, 10)
    payload = outcome.to_payload()
    assert payload["commit"] == rb.git(shop, "rev-parse", "HEAD")
    assert payload["environment"]["packages"]["pytest"]
    assert not (shop / ".hotfix" / "check" / outcome.range.head_sha[:12]).exists()

    again = run(shop)
    assert again.env is not None
    assert again.env.base is not None
    assert again.env.base.reused


def test_a_failing_targeted_test_stops_before_the_full_suite(shop: Path) -> None:
    rb.git(shop, "checkout", "-q", "-b", "bad-fix", "v1.0.0")
    rb.commit(shop, "break vat", {"shop/pricing.py": rb.PRICING.replace("return RATE",
                                                                        "return 0.3"),
                                  "tests/test_util.py": rb.TEST_UTIL + "\n"})
    outcome = run(shop)
    assert not outcome.passed
    assert [r.stage for r in outcome.runs] == ["targeted"]
    assert outcome.problem == "a targeted test failed: the full suite was not run"
    failed = {c.nodeid for c in outcome.runs[0].failures}
    assert failed == {"tests/test_pricing.py::test_vat_de", "tests/test_pricing.py::test_total",
                      "tests/test_orders.py::TestOrders::test_sum_eu"}

    kept_going = run(shop, keep_going=True)
    assert [r.stage for r in kept_going.runs] == ["targeted", "full"]
    assert len(kept_going.runs[1].failures) == 3


def test_scope_violation_blocks_unless_overridden(shop: Path) -> None:
    rb.git(shop, "checkout", "-q", "-b", "pay", "v1.0.0")
    rb.commit(shop, "payments", {"payments/limits.py": "LIMIT = 5\n",
                                 "tests/test_limits.py": "def test_limit():\n    pass\n"})
    blocked = run(shop)
    assert blocked.blocked
    assert not blocked.passed
    assert blocked.runs == []
    assert blocked.to_payload()["scope"]["violations"][0]["rule"] == "forbidden-path"

    forced = run(shop, override={"by": "lee@example.com", "reason": "card limit outage"})
    assert forced.passed
    assert forced.to_payload()["scope_override"]["reason"] == "card limit outage"


def test_flaky_test_is_retried_once_and_marked(shop: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAKY_MARK", str(tmp_path / "flaky-mark"))
    rb.git(shop, "checkout", "-q", "-b", "flaky", "v1.0.0")
    rb.commit(shop, "add flaky", {"tests/test_flaky.py": FLAKY,
                                  "shop/util.py": rb.UTIL + "\n"})
    outcome = run(shop)
    assert outcome.passed, outcome.to_payload()
    assert outcome.runs[0].flaky == ("tests/test_flaky.py::test_flaky",)
    assert outcome.to_payload()["flaky"] == ["tests/test_flaky.py::test_flaky"]


def test_a_hanging_suite_is_killed_at_the_timeout(shop: Path) -> None:
    rb.configure(shop, "[check]\ntimeout_seconds = 3\n")
    rb.git(shop, "checkout", "-q", "-b", "hang", "v1.0.0")
    rb.commit(shop, "hang", {"tests/test_hang.py": SLOW})
    outcome = run(shop)
    assert not outcome.passed
    assert outcome.runs[0].timed_out
    assert outcome.runs[0].exit_code is None
    assert outcome.to_payload()["runs"][0]["timed_out"] is True


def test_a_project_without_tests_never_passes(tmp_path: Path) -> None:
    root = tmp_path / "notests"
    root.mkdir()
    rb.git(root, "init", "-q", "-b", "main")
    rb.commit(root, "v1", {"pkg/__init__.py": "X = 1\n"})
    rb.git(root, "tag", "v1.0.0")
    rb.commit(root, "fix", {"pkg/__init__.py": "X = 2\n"})
    outcome = run(root, waiver="no tests here")
    assert not outcome.passed
    assert outcome.problem == "the project has no tests: nothing was verified"


def test_missing_test_tools_are_clear_errors(shop: Path) -> None:
    rb.fix_vat(shop)
    rb.configure(shop, '[check]\ntest_command = ["no-such-test-runner", "--all"]\n')
    with pytest.raises(UsageError, match="'no-such-test-runner' is not installed"):
        run(shop)
    bare = shop / ".hotfix" / "bare-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    rb.configure(shop, f'[check]\nvenv = "{bare}"\n')
    with pytest.raises(UsageError, match="pytest is not installed in the check environment"):
        run(shop)
