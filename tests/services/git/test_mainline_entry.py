"""The fix folded into the regular release: once main has it, ``backport --merge`` writes
main's changelog entry (a towncrier fragment, an Unreleased item, or none), once."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hotfix.errors import ConfigError
from hotfix.services.context import Context
from hotfix.services.git.backport import backport
from hotfix.wiring import open_context
from tests.gitrepo import APP_FIXED, APP_V1, Repo, init
from tests.hotfix_flow import ENGINEER, released

KEEP_A_CHANGELOG = """# Changelog

All notable changes to this project are documented in this file.

## [Unreleased]

## [1.1.0] - 2024-02-01

### Added

- Sell in Italy
"""
MAIN_UNRELEASED = KEEP_A_CHANGELOG.replace(
    "## [Unreleased]\n", "## [Unreleased]\n\n### Added\n\n- Gift cards\n\n### Security\n\n"
    "- Rotate the API keys\n")
TOWNCRIER = ('[project]\nname = "shop"\nversion = "1.1.0"\n\n[tool.towncrier]\n'
             'directory = "changes"\nfilename = "NEWS.rst"\nname = "shop"\n')
NEWS = "Release notes\n=============\n\n.. towncrier release notes start\n"

Make = Callable[..., tuple[Repo, Context]]


def project(root: Path, files: dict[str, str], main_files: dict[str, str]) -> Repo:
    """v1.1.0 with ``files``; main moved on with ``main_files``; the fix on fix/eu-cards."""
    repo = init(root)
    repo.commit("Shop 1.1.0", {"pyproject.toml": '[project]\nname = "shop"\nversion = "1.1.0"\n',
                               "shop/app.py": APP_V1, **files})
    repo.tag("v1.1.0")
    repo.commit("Main moves on", {"README.md": "shop\n", **main_files})
    repo.git("checkout", "-q", "-b", "fix/eu-cards", "v1.1.0")
    repo.commit("Fix checkout for EU cards", {"shop/app.py": APP_FIXED})
    repo.checkout("main")
    return repo


@pytest.fixture
def make(tmp_path: Path, git_sandbox: Path) -> Iterator[Make]:
    opened: list[Context] = []

    def made(files: dict[str, str], main_files: dict[str, str] | None = None,
             mode: str = "auto") -> tuple[Repo, Context]:
        repo = project(tmp_path / f"p{len(opened)}", files, main_files or {})
        ctx = open_context(repo.path, {}, {"backport.check": False,
                                           "backport.changelog": mode})
        opened.append(ctx)
        return repo, ctx

    yield made
    for ctx in opened:
        ctx.close()


def entry(key: str, fix: str) -> str:
    return f"- Fix checkout for EU cards ({key}, {fix[:12]})"


def test_unreleased_keep_a_changelog_entry_under_fixed_once(make: Make) -> None:
    repo, ctx = make({"CHANGELOG.md": KEEP_A_CHANGELOG}, {"CHANGELOG.md": MAIN_UNRELEASED})
    fix = repo.head("fix/eu-cards")
    key = released(ctx)

    result = backport(ctx, key, ENGINEER, ["main"], merge=True)

    main = result.targets[0]
    assert main.status == "merged"
    assert main.changelog is not None
    assert (main.changelog["status"], main.changelog["mode"], main.changelog["file"]) == (
        "written", "unreleased", "CHANGELOG.md")
    assert repo.head("main") == main.changelog["commit"]
    assert repo.head("main~1") == repo.head(f"backport/{key}-main")  # the port, then the entry
    assert repo.git("log", "-1", "--format=%s", "main") == f"Changelog: {key} for the next release"
    assert repo.git("diff", "--name-only", "main~1", "main") == "CHANGELOG.md"
    assert repo.read("CHANGELOG.md") == MAIN_UNRELEASED.replace(
        "### Security\n", f"### Fixed\n\n{entry(key, fix)}\n\n### Security\n")
    assert repo.status() == ""
    # the hotfix's own line lists it in its release, never as unreleased
    own = repo.git("show", "v1.1.1:CHANGELOG.md")
    assert own.count(f"({key}, {fix[:12]})") == 1
    assert own.index("## [1.1.1]") < own.index(f"({key}, {fix[:12]})") < own.index("## [1.1.0]")

    again = backport(ctx, key, ENGINEER, ["main"], merge=True)  # a second port: nothing more
    third = backport(ctx, key, ENGINEER, merge=True)  # a re-run over every target

    assert again.targets[0].changelog is not None
    assert again.targets[0].changelog["status"] == "listed"
    assert third.targets[-1].changelog is not None
    assert third.targets[-1].changelog["status"] == "listed"
    assert repo.head("main") == main.changelog["commit"]
    assert repo.read("CHANGELOG.md").count(f"({key}, {fix[:12]})") == 1
    recorded = ctx.records.get(key).last("backport")
    assert recorded is not None
    assert recorded["targets"][-1]["changelog"]["status"] == "listed"


def test_no_unreleased_section_gets_one_above_the_newest_release(make: Make) -> None:
    repo, ctx = make({"CHANGELOG.md": KEEP_A_CHANGELOG.replace("## [Unreleased]\n\n", "")})
    fix = repo.head("fix/eu-cards")
    key = released(ctx)

    backport(ctx, key, ENGINEER, ["main"], merge=True)

    assert repo.read("CHANGELOG.md") == KEEP_A_CHANGELOG.replace(
        "## [Unreleased]\n", f"## [Unreleased]\n\n### Fixed\n\n{entry(key, fix)}\n").replace(
        "## [Unreleased]\n\n## [Unreleased]", "## [Unreleased]")


def test_a_crlf_changelog_stays_crlf(make: Make) -> None:
    crlf = MAIN_UNRELEASED.replace("\n", "\r\n")
    repo, ctx = make({"CHANGELOG.md": KEEP_A_CHANGELOG.replace("\n", "\r\n")},
                     {"CHANGELOG.md": crlf})
    fix = repo.head("fix/eu-cards")
    key = released(ctx)

    backport(ctx, key, ENGINEER, ["main"], merge=True)

    raw = (repo.path / "CHANGELOG.md").read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n") > crlf.count("\n")
    assert raw.decode() == crlf.replace(
        "### Security\r\n", f"### Fixed\r\n\r\n{entry(key, fix)}\r\n\r\n### Security\r\n")
    released_notes = subprocess.run(["git", "show", "v1.1.1:CHANGELOG.md"], cwd=repo.path,
                                    capture_output=True, check=True).stdout
    assert f"({key}, {fix[:12]})".encode() in released_notes
    assert released_notes.count(b"\n") == released_notes.count(b"\r\n")  # release notes too


def test_towncrier_fragment_on_main_that_the_next_build_lists(make: Make) -> None:
    files = {"pyproject.toml": TOWNCRIER, "NEWS.rst": NEWS, "changes/.gitignore": "!.gitignore\n"}
    repo, ctx = make(files)
    fix = repo.head("fix/eu-cards")
    key = released(ctx)

    result = backport(ctx, key, ENGINEER, ["main"], merge=True)

    fragment = f"changes/+{key}-{fix[:12]}.bugfix"
    made = result.targets[0].changelog
    assert made is not None
    assert (made["status"], made["mode"], made["file"]) == ("written", "towncrier", fragment)
    assert repo.git("diff", "--name-only", "main~1", "main") == fragment
    assert repo.read(fragment) == f"Fix checkout for EU cards ({key}, {fix[:12]})\n"
    assert repo.read("NEWS.rst") == NEWS  # compiled only by the next regular release
    draft = subprocess.run([sys.executable, "-m", "towncrier", "build", "--draft", "--version",
                            "1.2.0"], cwd=repo.path, capture_output=True, text=True, check=True)
    assert f"Fix checkout for EU cards ({key}, {fix[:12]})" in draft.stdout
    # the hotfix's own release compiled its fragment: none is left on its line
    assert repo.git("ls-tree", "-r", "--name-only", "v1.1.1", "changes") == "changes/.gitignore"

    again = backport(ctx, key, ENGINEER, ["main"], merge=True)
    assert again.targets[0].changelog is not None
    assert again.targets[0].changelog["status"] == "listed"
    assert sorted(repo.git("ls-files", "changes").splitlines()) == sorted(
        ["changes/.gitignore", fragment])


def test_none_writes_nothing(make: Make) -> None:
    repo, ctx = make({"CHANGELOG.md": KEEP_A_CHANGELOG}, mode="none")
    key = released(ctx)

    result = backport(ctx, key, ENGINEER, ["main"], merge=True)

    assert result.targets[0].changelog == {"status": "off", "mode": "none"}
    assert repo.head("main") == repo.head(f"backport/{key}-main")
    assert repo.read("CHANGELOG.md") == KEEP_A_CHANGELOG


def test_fix_already_on_main_gets_its_entry_and_without_merge_it_waits(make: Make) -> None:
    repo, ctx = make({"CHANGELOG.md": KEEP_A_CHANGELOG})
    fix = repo.commit("Fix checkout for EU cards", {"shop/app.py": APP_FIXED})  # on main
    key = released(ctx, fix)
    before = repo.head("main")

    waiting = backport(ctx, key, ENGINEER, ["main"])

    assert waiting.targets[0].status == "already present"
    assert waiting.targets[0].changelog == {
        "status": "held", "mode": "auto",
        "message": "main has the fix; its changelog entry is written with --merge",
        "next": f"hotfix backport {key} --to main --merge"}
    assert repo.head("main") == before

    done = backport(ctx, key, ENGINEER, ["main"], merge=True)

    assert done.targets[0].changelog is not None
    assert done.targets[0].changelog["status"] == "written"
    assert repo.head("main~1") == before
    assert f"### Fixed\n\n{entry(key, fix)}\n" in repo.read("CHANGELOG.md")


def test_a_dirty_checkout_of_main_is_never_touched(make: Make) -> None:
    repo, ctx = make({"CHANGELOG.md": KEEP_A_CHANGELOG})
    fix = repo.commit("Fix checkout for EU cards", {"shop/app.py": APP_FIXED})
    key = released(ctx, fix)
    repo.write("README.md", "my edit\n")

    result = backport(ctx, key, ENGINEER, ["main"], merge=True)

    made = result.targets[0].changelog
    assert made is not None
    assert made["status"] == "held"
    assert made["message"] == (f"not written: main is checked out in {repo.path}, which has "
                               "uncommitted changes (README.md); not touched")
    assert repo.read("CHANGELOG.md") == KEEP_A_CHANGELOG
    assert repo.status() == "M README.md"


def test_a_bad_mode_is_refused_before_any_work(make: Make) -> None:
    repo, ctx = make({"CHANGELOG.md": KEEP_A_CHANGELOG}, mode="keepachangelog")
    key = released(ctx)
    with pytest.raises(ConfigError, match=r"backport\.changelog is 'keepachangelog'"):
        backport(ctx, key, ENGINEER, ["main"], merge=True)
    assert not repo.git("branch", "--list", "backport/*")


def test_push_carries_the_entry_even_when_main_had_the_fix(make: Make, tmp_path: Path) -> None:
    repo, ctx = make({"CHANGELOG.md": KEEP_A_CHANGELOG})
    remote = tmp_path / "remote.git"
    repo.git("init", "-q", "--bare", str(remote))
    repo.git("remote", "add", "origin", str(remote))
    fix = repo.commit("Fix checkout for EU cards", {"shop/app.py": APP_FIXED})  # on main
    repo.git("push", "-q", "origin", "main")
    key = released(ctx, fix)

    result = backport(ctx, key, ENGINEER, ["main"], merge=True, push=True)

    assert result.targets[0].status == "already present"
    assert result.pushed is not None
    assert (result.pushed.branches, result.pushed.error) == (["main"], None)
    assert repo.git("rev-parse", "refs/heads/main") == repo.git(
        "--git-dir", str(remote), "rev-parse", "refs/heads/main")
    assert entry(key, fix) in repo.git("--git-dir", str(remote), "show", "main:CHANGELOG.md")
