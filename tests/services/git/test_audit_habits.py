"""The audit on the backport habits of real projects, one regression test per defect seen:
merge commits on the mainline (bot picks with ``-x -m 1``, "Merge pull request #N", squashes
of a merged PR), reverts, version numbers in subjects, release commits, and a verdict that
must not depend on which other lines are audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix.adapters.git.repo import Git
from hotfix.adapters.store.sql import SqlStore
from hotfix.domain.audit.commits import release_subject_regex
from hotfix.domain.audit.equivalence import By, Status
from hotfix.domain.audit.release_files import ReleaseFiles
from hotfix.ports import Cache
from hotfix.services.git.audit import AuditOptions, LineRef, audit_refs
from tests.audit_repos import Repo

OPTIONS = AuditOptions(ReleaseFiles(("CHANGELOG*",), ("pyproject.toml",)), True,
                       release_subject_regex())


def cache(tmp_path: Path) -> Cache:
    tmp_path.mkdir(parents=True, exist_ok=True)
    return SqlStore(f"sqlite:///{tmp_path / 'hotfix.db'}").cache


def audit(repo: Repo, tmp_path: Path, lines: dict[str, str], mainline: str = "main"
          ) -> dict[str, dict[str, tuple[Status, str | None, By | None]]]:
    found = audit_refs(Git(repo.path), cache(tmp_path),
                       [LineRef(name, tip) for name, tip in lines.items()],
                       mainline=mainline, options=OPTIONS)
    return {line.line: {v.sha: (v.status, v.match.sha if v.match else None,
                                v.match.by if v.match else None) for v in line.commits}
            for line in found}


@pytest.fixture
def r(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.commit("Shop", {"shop/pay.py": "pay\n", "shop/cart.py": "cart\n", "log.py": "log\n"})
    repo.tag("v1.1.0")
    repo.checkout("release/1.1", new=True)
    repo.checkout("main")
    return repo


def test_a_bot_pick_of_a_merge_commit_with_x_m1_names_the_merge(r: Repo, tmp_path: Path) -> None:
    merge = r.merge_pr(41, "fix-eu", [("Fix EU cards", {"shop/pay.py": "eu\n"}),
                                      ("Test EU cards", {"tests/test_eu.py": "t\n"})])
    r.checkout("release/1.1")
    r.git("cherry-pick", "-x", "-m", "1", merge)
    picked = r.git("rev-parse", "HEAD")
    assert audit(r, tmp_path, {"1.1": "release/1.1"})["1.1"][picked] == (
        Status.IN_MAINLINE, merge, By.TRAILER)


def test_a_squash_of_a_merged_pr_matches_the_merge_by_its_first_parent_patch_id(
        r: Repo, tmp_path: Path) -> None:
    merge = r.merge_pr(42, "fix-cart", [("Fix cart part 1", {"shop/cart.py": "a\n"}),
                                        ("Fix cart part 2", {"shop/pay.py": "b\n"})])
    r.checkout("release/1.1")
    r.git("cherry-pick", "-m", "1", merge)  # no -x
    r.git("commit", "-q", "--amend", "-m", "Carts on 1.1")
    squashed = r.git("rev-parse", "HEAD")
    assert audit(r, tmp_path, {"1.1": "release/1.1"})["1.1"][squashed] == (
        Status.IN_MAINLINE, merge, By.PATCH_ID)


def test_merge_pull_request_n_is_a_pr_reference(r: Repo, tmp_path: Path) -> None:
    merge = r.merge_pr(43, "fix-log", [("Make logging quieter", {"log.py": "quiet\n"})])
    r.checkout("release/1.1")
    port = r.commit("Quieter logs, adapted for 1.1 (#43)", {"log.py": "quiet-ish\n"})
    assert audit(r, tmp_path, {"1.1": "release/1.1"})["1.1"][port] == (
        Status.IN_MAINLINE, merge, By.SUBJECT)


def test_a_revert_on_the_line_cancels_its_original(r: Repo, tmp_path: Path) -> None:
    fix = r.commit("Fix totals", {"shop/pay.py": "totals\n"})
    r.checkout("release/1.1")
    picked = r.pick(fix)
    undone = r.revert(picked)
    only = r.commit("Line-only change", {"shop/line.py": "x\n"})
    undone_only = r.revert(only)
    got = audit(r, tmp_path, {"1.1": "release/1.1"})["1.1"]
    assert got[picked] == (Status.REVERTED, undone, By.REVERT)
    assert got[undone] == (Status.REVERTED, picked, By.REVERT)
    assert got[only] == (Status.REVERTED, undone_only, By.REVERT)  # nothing to port


def test_a_revert_never_matches_the_commit_it_reverts(r: Repo, tmp_path: Path) -> None:
    fix = r.commit("Fix refunds (#50)", {"shop/pay.py": "refund\n"})
    r.git("branch", "-f", "release/1.1", "HEAD")  # the fix is on the line before it forks
    r.commit("Main moves on", {"main.py": "m\n"})
    r.checkout("release/1.1")
    revert = r.revert(fix)  # "Revert "Fix refunds (#50)"": PR 50 and the same file
    assert audit(r, tmp_path, {"1.1": "release/1.1"})["1.1"][revert][0] is Status.MISSING
    r.checkout("main")
    main_revert = r.revert(fix)  # the mainline takes it back too
    assert audit(r, tmp_path, {"1.1": "release/1.1"})["1.1"][revert] == (
        Status.IN_MAINLINE, main_revert, By.REVERT)


def test_a_port_of_a_fix_the_mainline_reverted_is_reverted_in_mainline(
        r: Repo, tmp_path: Path) -> None:
    fix = r.commit("Fix stock race", {"shop/stock.py": "lock\n"})
    r.revert(fix)
    r.checkout("release/1.1")
    picked = r.pick(fix)
    assert audit(r, tmp_path, {"1.1": "release/1.1"})["1.1"][picked] == (
        Status.REVERTED_IN_MAINLINE, fix, By.TRAILER)


def test_version_numbers_are_kept_and_release_commits_never_match(
        r: Repo, tmp_path: Path) -> None:
    r.commit("Release version 8.5.0", {"shop/__init__.py": "v = 1\n", "docs/a.rst": "8.5\n"})
    r.checkout("release/1.1")
    release = r.commit("release version 8.2.1", {"shop/__init__.py": "v = 2\n",
                                                 "docs/a.rst": "8.2.1\n"})
    bump = r.commit("Bump foo to 2.1", {"shop/cart.py": "foo 2.1\n"})
    r.checkout("main")
    r.commit("Bump foo to 2.2", {"shop/cart.py": "foo 2.2\n"})
    got = audit(r, tmp_path, {"1.1": "release/1.1"})["1.1"]
    assert got[release] == (Status.RELEASE_ONLY, None, None)
    assert got[bump] == (Status.MISSING, None, None)  # "to 2.1" is not "to 2.2"


def test_a_verdict_does_not_depend_on_the_lines_audited(r: Repo, tmp_path: Path) -> None:
    r.git("tag", "-d", "v1.1.0")
    r.git("branch", "-f", "release/1.0", "HEAD")
    r.commit("Tidy logging", {"log.py": "tidy\n"})  # after 1.0 forked, before 1.1 did
    r.git("branch", "-f", "release/1.1", "HEAD")
    r.commit("More main work", {"main.py": "m\n"})
    r.checkout("release/1.1")
    again = r.commit("Tidy logging", {"log.py": "tidy more\n"})  # not a port: 1.1 has it
    alone = audit(r, tmp_path / "a", {"1.1": "release/1.1"})["1.1"][again]
    both = audit(r, tmp_path / "b", {"1.0": "release/1.0", "1.1": "release/1.1"})["1.1"][again]
    assert alone == both == (Status.MISSING, None, None)


def test_a_repick_of_a_commit_older_than_the_fork_is_in_the_mainline(
        r: Repo, tmp_path: Path) -> None:
    old = r.commit("Fix parser", {"shop/parser.py": "p\n"})
    r.git("branch", "-f", "release/1.1", "HEAD")
    r.commit("Main moves on", {"main.py": "m\n"})
    r.checkout("release/1.1")
    r.revert(old)
    r.git("cherry-pick", "-x", old)  # put back: a pick of a commit the line already had
    again = r.git("rev-parse", "HEAD")
    assert audit(r, tmp_path, {"1.1": "release/1.1"})["1.1"][again] == (
        Status.IN_MAINLINE, old, By.TRAILER)


def test_a_master_mainline(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.git("branch", "-m", "main", "master")
    fix = repo.commit("Fix", {"a.py": "a\n"})
    repo.git("branch", "release/1.1", "HEAD~1")
    repo.checkout("release/1.1")
    picked = repo.pick(fix)
    got = audit(repo, tmp_path, {"1.1": "release/1.1"}, mainline="master")["1.1"]
    assert got[picked] == (Status.IN_MAINLINE, fix, By.TRAILER)


def test_a_subject_several_mainline_changes_share_matches_none_of_them(
        r: Repo, tmp_path: Path) -> None:
    """pytest's bot commits "[automated] Update plugin list" every week: a line's own
    update of that file is no port of any of them, though a unique subject still matches."""
    for week in ("a", "b", "c"):
        r.commit("[automated] Update plugin list", {"doc/plugins.rst": f"{week}\n"})
    unique = r.commit("Fix the cart total", {"shop/cart.py": "total\n"})
    r.checkout("release/1.1")
    bot = r.commit("[automated] Update plugin list", {"doc/plugins.rst": "line\n"})
    ported = r.commit("Fix the cart total", {"shop/cart.py": "total, 1.1\n"})
    found = audit(r, tmp_path, {"1.1": "release/1.1"})["1.1"]
    assert found[bot] == (Status.MISSING, None, None)
    assert found[ported] == (Status.IN_MAINLINE, unique, By.SUBJECT)
