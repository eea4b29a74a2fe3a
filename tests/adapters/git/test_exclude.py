"""One writer of the ``.hotfix/`` exclude line: written once, never twice, in any order."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix.adapters.git import exclude, worktrees
from hotfix.wiring import open_context
from tests.gitrepo import Repo

OLD_FORMATS = [  # what the two writers of earlier versions left in .git/info/exclude
    "/.hotfix/\n",
    "# git ls-files --others --exclude-from=.git/info/exclude\n\n"
    "# hotfix worktrees and state\n.hotfix/\n",
]


def exclude_file(repo: Repo) -> Path:
    return repo.path / ".git" / "info" / "exclude"


def hotfix_lines(repo: Repo) -> list[str]:
    lines = exclude_file(repo).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if "hotfix" in line]


def test_written_once_and_idempotent(shop: Repo) -> None:
    exclude_file(shop).unlink(missing_ok=True)
    assert exclude.ensure_excluded(shop.path) is True
    assert exclude.ensure_excluded(shop.path) is False
    state = exclude.ensure_state_dir(shop.path)
    assert state == shop.path / ".hotfix"
    assert state.is_dir()
    assert hotfix_lines(shop) == [exclude.COMMENT, "/.hotfix/"]
    (state / "hotfix.db").write_text("x")
    assert shop.status() == ""


def test_appended_after_the_users_own_lines(shop: Repo) -> None:
    exclude_file(shop).write_text("*.log", encoding="utf-8")  # no final newline
    exclude.ensure_excluded(shop.path)
    assert exclude_file(shop).read_text(encoding="utf-8").splitlines() == [
        "*.log", exclude.COMMENT, "/.hotfix/"]


@pytest.mark.parametrize("old", OLD_FORMATS)
def test_a_line_an_earlier_writer_left_is_never_duplicated(shop: Repo, old: str) -> None:
    exclude_file(shop).write_text(old, encoding="utf-8")
    assert exclude.ensure_excluded(shop.path) is False
    exclude.ensure_state_dir(shop.path)
    worktrees.add(shop.path, worktrees.path_for(shop.path, "HF-1"), "hotfix/1.1.1", "v1.1.0")
    assert exclude_file(shop).read_text(encoding="utf-8") == old


def test_the_store_and_the_worktrees_share_one_line(shop: Repo) -> None:
    exclude_file(shop).unlink(missing_ok=True)
    open_context(shop.path, {}).close()  # the SQLite store: .hotfix/hotfix.db
    worktrees.add(shop.path, worktrees.path_for(shop.path, "HF-1"), "hotfix/1.1.1", "v1.1.0")
    with worktrees.detached(shop.path, shop.head(), "check"):
        pass
    assert hotfix_lines(shop) == [exclude.COMMENT, "/.hotfix/"]
    assert shop.status() == ""


def test_nothing_written_when_the_users_ignore_rules_cover_it(shop: Repo) -> None:
    exclude_file(shop).unlink(missing_ok=True)
    shop.commit("Ignore hotfix state", {".gitignore": ".hotfix/\n"})
    assert exclude.ensure_excluded(shop.path) is False
    assert not exclude_file(shop).exists()


def test_from_a_linked_worktree_the_line_goes_to_the_shared_exclude(shop: Repo) -> None:
    exclude_file(shop).unlink(missing_ok=True)
    linked = shop.path.parent / "linked"
    shop.git("worktree", "add", "-q", str(linked), "v1.1.0")
    assert exclude.ensure_excluded(linked) is True
    assert hotfix_lines(shop) == [exclude.COMMENT, "/.hotfix/"]
    assert exclude.ensure_excluded(shop.path) is False


def test_has_line_knows_every_form() -> None:
    for text in ("/.hotfix/", ".hotfix/", "  /.hotfix  ", "a\n.hotfix\nb"):
        assert exclude.has_line(text)
    for text in ("", "# .hotfix/", ".hotfix/worktrees/", "/sub/.hotfix/"):
        assert not exclude.has_line(text)
