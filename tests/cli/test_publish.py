"""``hotfix publish`` and a library's ``hotfix verify``: refusals, failures and timeouts are
said clearly, recorded when the command ran, and never a traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke, RecordsAt, Result
from tests.cli.library_project import ANSWERS, APP, DEV, REQ, Library, git, library_project

pytestmark = pytest.mark.both_modes


@pytest.fixture
def released(hotfix: Invoke, tmp_path: Path, records_at: RecordsAt) -> Library:
    """tinycsv with HF-1 released as v1.0.1 (its check recorded as passed, not run)."""
    lib = library_project(tmp_path)
    for args in (("open", "parse_line drops the last field", *ANSWERS, "--as", REQ),
                 ("approve", "HF-1", "--as", APP), ("start", "HF-1", "--as", DEV),
                 ("pick", "HF-1", "fix/last-field", "--as", DEV)):
        assert hotfix(*args, cwd=lib.path).code == 0
    head = git(worktree(lib), "rev-parse", "HEAD")
    records = records_at(lib.path)
    records.act("HF-1", "check", DEV, {"passed": True, "commit": head})
    assert hotfix("release", "HF-1", "--as", DEV, cwd=lib.path).code == 0
    lib.index.mkdir()
    return lib


def worktree(lib: Library) -> Path:
    return lib.path / ".hotfix" / "worktrees" / "HF-1"


def events(hotfix: Invoke, lib: Library) -> list[str]:
    return [e["kind"] for e in hotfix("log", "HF-1", "--json", cwd=lib.path).json()["events"]]


def publish(hotfix: Invoke, lib: Library, *args: str) -> Result:
    return hotfix("publish", "HF-1", "--as", DEV, *args, cwd=lib.path)


def test_an_empty_publish_command_is_a_refusal_naming_the_setting(
        hotfix: Invoke, released: Library) -> None:
    released.configure(**{"release.publish_command": []})
    refused = publish(hotfix, released, "--json")
    assert refused.code == 1
    assert refused.json()["message"] == (
        "HF-1 cannot be published: release.publish_command is empty, so hotfix does not know "
        "how this library is published")
    assert refused.json()["hint"] == ('set it in hotfix.toml, e.g. [release] publish_command = '
                                      '["./publish.sh", "{tag}"]; then: hotfix publish HF-1')
    assert "publish" not in events(hotfix, released)


def test_a_missing_executable_is_said_and_nothing_is_recorded(
        hotfix: Invoke, released: Library) -> None:
    released.configure(**{"release.publish_command": ["twine-not-installed", "upload"]})
    refused = publish(hotfix, released)
    assert refused.code == 1
    assert "error: release.publish_command runs 'twine-not-installed', which is not " \
           "installed" in refused.err
    assert "hint: install it, or change release.publish_command in hotfix.toml" in refused.err
    assert "Traceback" not in refused.err
    assert "publish" not in events(hotfix, released)


def test_a_failed_publish_is_recorded_and_the_hotfix_stays_released(
        hotfix: Invoke, released: Library, records_at: RecordsAt) -> None:
    script = "import sys; print('403 Forbidden: token expired'); sys.exit(3)"
    released.configure(**{"release.publish_command": ["{python}", "-c", script, "{tag}"]})
    failed = publish(hotfix, released)
    assert failed.code == 1
    assert "403 Forbidden: token expired" in failed.out
    assert "HF-1: publishing v1.0.1 failed" in failed.out
    assert ": exit 3" in failed.out
    assert "next: hotfix publish HF-1" in failed.out
    status = hotfix("status", "HF-1", "--json", cwd=released.path).json()
    assert status["state"] == "released"
    recorded = records_at(released.path).get("HF-1").last("publish")
    assert recorded is not None
    assert (recorded["passed"], recorded["exit_code"], recorded["tag"]) == (False, 3, "v1.0.1")
    assert recorded["command"] == [sys.executable, "-c", script, "v1.0.1"]
    assert recorded["output"] == "403 Forbidden: token expired"


def test_a_publish_past_its_timeout_is_stopped_and_recorded_as_failed(
        hotfix: Invoke, released: Library) -> None:
    script = "import time; print('uploading…', flush=True); time.sleep(60)"
    released.configure(**{"release.publish_command": ["{python}", "-c", script],
                          "release.publish_timeout": 1.0})
    failed = publish(hotfix, released, "--json")
    assert failed.code == 1
    data = failed.json()
    assert (data["passed"], data["timed_out"], data["exit_code"]) == (False, True, None)
    assert data["output"] == "uploading…"
    assert data["seconds"] < 30
    shown = publish(hotfix, released)  # still released: publishing again is allowed
    assert "HF-1: publishing v1.0.1 failed" in shown.out
    assert "stopped after 1 s (release.publish_timeout)" in shown.out


def test_only_what_was_tagged_is_published(hotfix: Invoke, released: Library) -> None:
    tree = worktree(released)
    (tree / "README.md").write_text("an edit after the release\n")
    git(tree, "add", "README.md")
    dirty = publish(hotfix, released)
    assert dirty.code == 1
    assert "has uncommitted changes (README.md); they are not in v1.0.1" in dirty.err
    git(tree, "commit", "-q", "-m", "After the release")
    moved = publish(hotfix, released)
    assert moved.code == 1
    assert "not at its release tag v1.0.1" in moved.err
    assert f"git -C {tree} reset --keep v1.0.1" in moved.err
    git(tree, "reset", "-q", "--keep", "v1.0.1")
    assert publish(hotfix, released).code == 0


def test_publish_and_a_library_s_verify_are_refused_for_what_is_not_there(
        hotfix: Invoke, released: Library) -> None:
    assert publish(hotfix, released).code == 0
    bare = hotfix("verify", "HF-1", "--as", DEV, cwd=released.path)
    assert bare.code == 2
    assert "HF-1 is a library record: it is verified against the published artifact by a " \
           "command that failed before the fix" in bare.err
    assert 'hotfix verify HF-1 --bug-command "python check_published.py"' in bare.err
    http = hotfix("verify", "HF-1", "--bug-path", "/parse", "--as", DEV, cwd=released.path)
    assert http.code == 2
    assert "an HTTP check needs production, which a library does not have" in http.err
    assert hotfix("status", "HF-1", "--json", cwd=released.path).json()["state"] == "published"
    failing = hotfix("verify", "HF-1", "--bug-command", f"{sys.executable} -c 'exit(1)'",
                     "--as", DEV, cwd=released.path)
    assert failing.code == 1
    assert "HF-1 not verified against the published artifact v1.0.1" in failing.out


def test_a_service_record_has_no_publish_step(hotfix: Invoke, tmp_path: Path,
                                              hint: Callable[[str], str]) -> None:
    lib = library_project(tmp_path, **{"project.kind": "service"})
    hotfix("open", "A bug", *ANSWERS, "--as", REQ, cwd=lib.path)
    refused = hotfix("publish", "HF-1", "--as", DEV, cwd=lib.path)
    assert refused.code == 1
    assert "cannot publish HF-1: it is a service record, which has no publish step" in refused.err
    assert hint("next step: hotfix approve HF-1 --as APPROVER") in refused.err


def test_a_library_s_named_check_runs_again_and_a_kept_command_never(
        hotfix: Invoke, released: Library) -> None:
    check = [sys.executable, str(released.check_py), str(released.index)]
    released.configure(**{"verify.bug_checks": {"published": {"command": check}}})
    assert publish(hotfix, released).code == 0
    named = hotfix("verify", "HF-1", "--bug-check", "published", "--as", DEV, "--json",
                   cwd=released.path)
    assert named.code == 0, named.out + named.err
    assert named.json()["checks"][0]["name"].startswith("published: ")
    again = hotfix("verify", "HF-1", "--as", DEV, cwd=released.path)  # the name, kept
    assert again.code == 0, again.out + again.err
    assert "tinycsv 1.0.1 from the index keeps the last field" in again.out
    given = hotfix("verify", "HF-1", "--bug-command", released.verify_command, "--as", DEV,
                   cwd=released.path)
    assert given.code == 0
    kept = hotfix("verify", "HF-1", "--as", DEV, cwd=released.path)  # a command, kept
    assert kept.code == 1
    assert "not run: a command read from the record is never run again" in kept.out
