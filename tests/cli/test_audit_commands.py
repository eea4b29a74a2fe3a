"""``hotfix audit`` / ``audit waive`` / ``contains`` end to end: real repo, in-process CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix.services.record.idempotent import REQUEST
from tests.audit_repos import Repo
from tests.cli.conftest import Invoke
from tests.conftest import git

pytestmark = pytest.mark.both_modes


@pytest.fixture
def shas(repo: Path) -> dict[str, str]:
    """v1.1.0 on main; release/1.1 gets a -x pick of the EU fix and a fix main never got."""
    r = Repo.at(repo)
    s = {"base": r.commit("Shop", {"shop.py": "def pay(): ...\n"})}
    r.git("tag", "v1.1.0")
    s["eu"] = r.commit("Fix EU cards\n\nHotfix-Id: HF-1", {"shop.py": "eu = True\n"})
    r.checkout("release/1.1", new=True)
    r.git("reset", "-q", "--hard", "v1.1.0")
    s["l_eu"] = r.pick(s["eu"])
    s["l_bump"] = r.commit("Release 1.1.1", {"CHANGELOG.md": "- EU cards\n"})
    r.git("tag", "v1.1.1")
    s["l_tax"] = r.commit("Fix Norwegian tax", {"tax.py": "no = 0.25\n"})
    r.checkout("main")
    return s


def test_audit_gates_on_a_missing_fix_then_a_waiver_clears_it(
        hotfix: Invoke, repo: Path, shas: dict[str, str]) -> None:
    failed = hotfix("audit", "--json")
    assert failed.code == 1, failed.err
    assert failed.json() == [{"line": "1.1", "commits": [
        {"sha": shas["l_eu"], "subject": "Fix EU cards", "status": "in_mainline",
         "match": {"sha": shas["eu"], "by": "trailer"}},
        {"sha": shas["l_bump"], "subject": "Release 1.1.1", "status": "release_only",
         "match": None},
        {"sha": shas["l_tax"], "subject": "Fix Norwegian tax", "status": "missing",
         "match": None},
    ]}]
    human = hotfix("audit")
    assert human.code == 1
    assert "Missing from the mainline" in human.out
    assert shas["l_tax"][:12] in human.out
    assert "hotfix audit waive" in human.out

    waived = hotfix("audit", "waive", shas["l_tax"][:10], "--line", "1.1", "--reason",
                    "1.1 only: main has no tax module", "--as", "lead@example.com", "--json")
    assert waived.code == 0, waived.err
    assert waived.json()["sha"] == shas["l_tax"]
    passed = hotfix("audit", "--lines", "1.1", "--json")
    assert passed.code == 0, passed.err
    assert passed.json()[0]["commits"][2]["status"] == "waived"
    assert "waived" in hotfix("audit").out


def test_waiver_on_a_hotfix_is_an_event_on_its_timeline(
        hotfix: Invoke, shas: dict[str, str]) -> None:
    assert hotfix("open", "Norwegian tax", "--as", "dana@example.com").code == 0
    waived = hotfix("audit", "waive", shas["l_tax"], "--line", "1.1", "--reason", "1.1 only",
                    "--hotfix", "HF-1", "--as", "lead@example.com")
    assert waived.code == 0, waived.err
    events = hotfix("log", "HF-1", "--json").json()["events"]
    assert events[-1]["kind"] == "audit_waive"
    payload = {k: v for k, v in events[-1]["payload"].items() if k != REQUEST}  # a retry's key
    assert payload == {"sha": shas["l_tax"], "line": "1.1", "reason": "1.1 only"}
    assert hotfix("audit").code == 0


def test_audit_and_waive_errors(hotfix: Invoke, shas: dict[str, str]) -> None:
    unknown = hotfix("audit", "--lines", "9.9")
    assert unknown.code == 1
    assert "no release line 9.9 (lines: 1.1)" in unknown.err
    assert "hotfix lines" in unknown.err
    no_reason = hotfix("audit", "waive", shas["l_tax"], "--line", "1.1", "--reason", " ",
                       "--as", "a@x")
    assert no_reason.code == 2
    bad_sha = hotfix("audit", "waive", "deadbeef", "--line", "1.1", "--reason", "x",
                     "--as", "a@x", "--json")
    assert bad_sha.code == 1
    assert bad_sha.json()["error"] == "not_found"


def test_contains(hotfix: Invoke, repo: Path, shas: dict[str, str]) -> None:
    found = hotfix("contains", shas["eu"], "--json")
    assert found.code == 0, found.err
    data = found.json()
    assert data["tags"] == ["v1.1.1"]
    assert data["lines"] == [{"line": "1.1", "tags": ["v1.1.1"], "missing": ["v1.1.0"],
                              "partial": []}]
    by_id = hotfix("contains", "hf-1", "--json").json()
    assert (by_id["fix"], by_id["tags"]) == ("HF-1", ["v1.1.1"])
    human = hotfix("contains", "HF-1")
    assert "HF-1 is in: v1.1.1" in human.out
    assert "since v1.1.1" in human.out
    git(repo, "tag", "v1.1.2", "v1.1.0")  # a later release built without the fix
    lost = hotfix("contains", "HF-1")
    assert "but not in v1.1.2" in lost.out
