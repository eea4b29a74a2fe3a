"""A library project, end to end through the CLI on a real repository: released → published →
verified → folded back → closed, with no override; publish and verify by real commands."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke, RecordsAt
from tests.cli.library_project import ANSWERS, APP, DEV, REQ, library_project

pytestmark = pytest.mark.both_modes

# any rollout adapter built would stop the command with a configuration error (exit 2)
NO_ROLLOUT = {"rollout.target": "nowhere", "rollout.router": "nowhere",
              "close.require": {"library": ["root_cause"]}}


def test_a_library_walks_from_report_to_close_without_an_override(
        hotfix: Invoke, tmp_path: Path, records_at: RecordsAt) -> None:
    lib = library_project(tmp_path, **NO_ROLLOUT)

    def run(*args: str, code: int = 0) -> Invoke:
        done = hotfix(*args, cwd=lib.path)
        assert done.code == code, done.out + done.err
        return done

    opened = run("open", "parse_line drops the last field", *ANSWERS, "--as", REQ, "--json")
    assert (opened.json()["kind"], opened.json()["state"]) == ("library", "triaged")
    run("approve", "HF-1", "--as", APP)
    assert run("start", "HF-1", "--as", DEV, "--json").json()["tag"] == "v1.0.1"
    run("pick", "HF-1", "fix/last-field", "--as", DEV)
    assert "HF-1 check passed on" in run("check", "HF-1", "--as", DEV).out
    run("release", "HF-1", "--as", DEV)

    early = run("verify", "HF-1", "--bug-command", lib.verify_command, "--as", DEV, code=1)
    assert "cannot verify HF-1: it is released (allowed from: published, verified, " \
           "folded_back)" in early.err
    assert "next step: hotfix publish HF-1" in early.err

    down = run("publish", "HF-1", "--as", DEV, "--json", code=1).json()  # the index is down
    assert (down["state"], down["passed"], down["exit_code"]) == ("released", False, 1)
    assert down["output"] == f"upload failed: the index {lib.index} is unreachable"
    lib.index.mkdir()
    shown = run("publish", "HF-1", "--as", DEV)
    assert "HF-1: published v1.0.1" in shown.out
    assert f"uploaded tinycsv 1.0.1 to {lib.index}" in shown.out
    assert "next: hotfix verify HF-1 (against the published artifact)" in shown.out
    assert (lib.index / "tinycsv-1.0.1" / "tinycsv" / "__init__.py").is_file()
    again = run("publish", "HF-1", "--as", DEV, code=1)
    assert "cannot publish HF-1: it is published (allowed from: released)" in again.err

    verified = run("verify", "HF-1", "--bug-command", lib.verify_command, "--as", DEV, "--json")
    assert verified.json()["against"] == "the published artifact v1.0.1"
    assert [(c["kind"], c["passed"]) for c in verified.json()["checks"]] == [("bug", True)]
    folded = run("backport", "HF-1", "--to", "main", "--merge", "--as", DEV, "--json")
    assert folded.json()["main_ported"] is True
    [main] = folded.json()["targets"]
    assert main["check"]["passed"] is True  # the port's tests ran before main moved
    # the fix lives in a version file (src/tinycsv/__init__.py): its code is ported, its
    # version line is not
    ported = subprocess.run(["git", "show", "main:src/tinycsv/__init__.py"], cwd=lib.path,
                            capture_output=True, text=True, check=True).stdout
    assert 'fields[:-1] if fields[-1] == ""' in ported
    assert '__version__ = "1.0.0"' in ported

    refused = run("close", "HF-1", "--as", DEV, code=1)
    assert "HF-1 cannot close: missing documentation: root_cause" in refused.err
    assert 'hotfix document HF-1 --field root_cause="…"' in refused.err
    documented = run("document", "HF-1", "--field", "root_cause=split dropped the last field",
                     "--as", DEV, "--json").json()
    assert (documented["missing"], documented["next"]) == ([], "hotfix close HF-1")
    assert run("close", "HF-1", "--as", DEV, "--json").json()["state"] == "closed"

    log = run("log", "HF-1", "--verify", "--json").json()
    assert (log["kind"], log["chain"]["ok"]) == ("library", True)
    assert "override" not in [e["kind"] for e in log["events"]]
    record = records_at(lib.path).get("HF-1")
    states = [s.value for s, _ in record.history]
    assert states[states.index("released"):] == [
        "released", "published", "verified", "folded_back", "closed"]
