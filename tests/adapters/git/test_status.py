"""One ``git status`` reader, two meanings: ``uncommitted`` and ``local_changes``."""

from __future__ import annotations

import pytest

from hotfix.adapters.git import status
from tests.gitrepo import Repo


def states(shop: Repo) -> tuple[list[str], list[str], bool]:
    return (status.uncommitted(shop.path), status.local_changes(shop.path),
            status.has_staged(shop.path))


def test_a_clean_tree_has_nothing(shop: Repo) -> None:
    assert states(shop) == ([], [], False)
    assert status.unmerged(shop.path) == []


def test_untracked_files_are_local_changes_but_not_uncommitted(shop: Repo) -> None:
    shop.write("notes.txt", "half-way work\n")
    shop.write("new/dir/file.py", "x = 1\n")
    assert states(shop) == ([], ["new/", "notes.txt"], False)


def test_a_modified_file_is_both(shop: Repo) -> None:
    shop.write("README.md", "changed\n")
    assert states(shop) == (["README.md"], ["README.md"], False)


def test_a_staged_file_is_both_and_staged(shop: Repo) -> None:
    shop.write("shop/new.py", "NEW = 1\n")
    shop.git("add", "shop/new.py")
    assert states(shop) == (["shop/new.py"], ["shop/new.py"], True)


def test_a_staged_rename_names_its_new_path_once(shop: Repo) -> None:
    shop.git("mv", "README.md", "READ ME.md")
    assert states(shop) == (["READ ME.md"], ["READ ME.md"], True)


def test_untracked_files_count_whatever_the_user_config_says(shop: Repo) -> None:
    shop.git("config", "status.showUntrackedFiles", "no")
    shop.write("notes.txt", "half-way work\n")
    assert status.local_changes(shop.path) == ["notes.txt"]
    assert shop.status() == ""  # the user's own `git status` hides it


def test_conflicted_files_are_unmerged_and_uncommitted(shop: Repo) -> None:
    shop.checkout("fix/eu-cards")
    shop.commit("Other change", {"shop/app.py": shop.read("shop/app.py") + "# fix side\n"})
    shop.checkout("main")
    shop.commit("Main change", {"shop/app.py": shop.read("shop/app.py") + "# main side\n"})
    shop.git("merge", "-q", "fix/eu-cards", check=False)
    assert status.unmerged(shop.path) == ["shop/app.py"]
    assert status.uncommitted(shop.path) == ["shop/app.py"]


@pytest.mark.parametrize(("text", "paths"), [
    ("", []),
    ("?? a.txt\0 M b.py\0", ["a.txt", "b.py"]),
    ("R  new name.py\0old.py\0M  c.py\0", ["new name.py", "c.py"]),
    ("C  copy.py\0orig.py\0", ["copy.py"]),
])
def test_parse_porcelain_z(text: str, paths: list[str]) -> None:
    assert [e.path for e in status.parse(text)] == paths
