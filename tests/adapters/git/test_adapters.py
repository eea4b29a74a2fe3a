from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hotfix.adapters.git import patches, picking, refs, release_files, tagging, worktrees
from hotfix.errors import PolicyViolation, UsageError
from hotfix.ports import Commit
from tests.gitrepo import Repo


@pytest.mark.parametrize("name", ["hotfix/1.1..1", "hotfix/a b", "x~1", "y^", "z:", "a.lock",
                                  "-", "q?", "r*", "s[", "t\\u"])
def test_ref_names_git_refuses(shop: Repo, name: str) -> None:
    with pytest.raises(UsageError, match="not a valid git branch name"):
        refs.check_ref_name(shop.path, name)


def test_ref_names_git_accepts(shop: Repo) -> None:
    refs.check_ref_name(shop.path, "hotfix/1.1.1")
    refs.check_ref_name(shop.path, "v1.1.1", "tag")


def test_tags_are_peeled_and_branches_listed(shop: Repo) -> None:
    shop.git("tag", "light", "v1.0.0")
    found = refs.tags(shop.path)
    assert found["v1.0.0"] == found["light"] == shop.head("v1.0.0^{commit}")
    assert set(refs.branches(shop.path)) == {"main", "fix/eu-cards"}


def test_worktree_lifecycle_and_ignore(shop: Repo) -> None:
    path = worktrees.path_for(shop.path, "HF-9")
    worktrees.add(shop.path, path, "hotfix/9.9.9", shop.head("v1.0.0"))
    assert shop.status() == ""  # .hotfix/ is ignored through info/exclude, not .gitignore
    tree = worktrees.of_branch(shop.path, "hotfix/9.9.9")
    assert tree is not None
    assert (tree.path, tree.prunable) == (path, False)
    shutil.rmtree(path)
    gone = worktrees.of_branch(shop.path, "hotfix/9.9.9")
    assert gone is not None
    assert gone.prunable
    worktrees.repair(shop.path, path, "hotfix/9.9.9")
    assert Repo(path).head() == shop.head("v1.0.0^{commit}")


def test_conflict_markers_in_added_lines_only(shop: Repo) -> None:
    base = shop.head()
    shop.commit("Docs with a ruler", {"docs.rst": "Title\n=======\n"})
    assert picking.conflict_markers(shop.path, base, "HEAD") == []
    shop.commit("Bad merge", {"a.py": "<<<<<<< ours\nA = 1\n=======\nA = 2\n>>>>>>> theirs\n"})
    assert picking.conflict_markers(shop.path, base, "HEAD") == ["a.py:1", "a.py:3", "a.py:5"]
    shop.commit("Grow the file", {"a.py": "X = 0\n" + shop.read("a.py")})
    assert picking.conflict_markers(shop.path, "HEAD~1", "HEAD") == []  # only added lines count
    assert picking.conflict_markers(shop.path, base, "HEAD") == ["a.py:2", "a.py:4", "a.py:6"]


def test_tag_create_is_idempotent_and_never_moves(shop: Repo) -> None:
    head = shop.head()
    assert tagging.create(shop.path, "v9.0.0", head, "Release v9.0.0\n") is True
    assert tagging.create(shop.path, "v9.0.0", head, "Release v9.0.0\n") is False
    with pytest.raises(PolicyViolation, match="already exists"):
        tagging.create(shop.path, "v9.0.0", shop.head("v1.0.0"), "x\n")
    assert not tagging.is_signed(shop.path, "v9.0.0")


def test_bump_versions_in_a_tree(shop: Repo) -> None:
    shop.write("web/package.json", '{\n  "name": "web",\n  "version": "1.1.0"\n}\n')
    shop.write("VERSION", "1.1.0\n")
    shop.commit("More version files")
    patterns = ["pyproject.toml", "*/package.json", "VERSION", "*/__init__.py"]
    bumped = release_files.bump_versions(shop.path, patterns, "1.1.1")
    assert bumped == {"pyproject.toml": "1.1.0", "web/package.json": "1.1.0",
                      "VERSION": "1.1.0", "shop/__init__.py": "1.1.0"}
    assert shop.read("VERSION") == "1.1.1\n"
    assert '"version": "1.1.1"' in shop.read("web/package.json")


def test_picked_message_and_sources(shop: Repo, tmp_path: Path) -> None:
    fix = shop.head("fix/eu-cards")
    message = picking.message_for(shop.path, fix, {"Hotfix-Id": "HF-3", "Backport-Of": fix})
    assert message.endswith(f"(cherry picked from commit {fix})\nHotfix-Id: HF-3\n"
                            f"Backport-Of: {fix}\n")
    commit = Commit("x" * 40, "s", message)
    assert commit.sources() == {fix}
    assert commit.origin() == fix
    assert Commit(fix, "s", "no trailer").origin() == fix
    ids = patches.patch_ids(shop.path, [fix, shop.head("main")])
    assert ids[fix] not in ("", ids[shop.head("main")])
