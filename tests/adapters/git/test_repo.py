"""``Git``, the real ``GitRepo``: the whole port, bound to one root, with work trees passed in."""

from __future__ import annotations

import inspect

from hotfix.adapters.git.repo import Git
from hotfix.ports import GitRepo
from tests.gitrepo import Repo


def public(cls: type) -> set[str]:
    return {name for name, _ in inspect.getmembers(cls) if not name.startswith("_")}


def test_git_implements_exactly_the_port() -> None:
    assert public(Git) == public(GitRepo)
    for name in public(GitRepo) - {"root"}:
        port, real = getattr(GitRepo, name), getattr(Git, name)
        assert list(inspect.signature(port).parameters) == list(
            inspect.signature(real).parameters), name


def test_head_relative_reads_follow_the_work_tree_given(shop: Repo) -> None:
    git = Git(shop.path)
    tree = git.worktree_path("HF-1")
    git.add_worktree(tree, "hotfix/1.1.1", "v1.1.0")
    fix = Repo(tree).commit("Fix in the worktree", {"shop/app.py": "fixed\n"})
    assert git.head_of(tree) == fix
    assert git.head_of(shop.path) == shop.head("main")
    assert [c.sha for c in git.commits("v1.1.0..HEAD", tree=tree)] == [fix]
    assert git.commits("v1.1.0..HEAD") != git.commits("v1.1.0..HEAD", tree=tree)
    assert git.read_commit("HEAD", tree=tree).subject == "Fix in the worktree"
    assert [w.path for w in git.hotfix_worktrees("HF-1")] == [tree]


def test_from_a_linked_worktree_home_and_scratch_trees_are_the_main_checkout(shop: Repo) -> None:
    linked = shop.path.parent / "linked"
    shop.git("worktree", "add", "-q", str(linked), "v1.1.0")
    git = Git(linked)
    assert git.root == linked
    assert git.home() == shop.path
    with git.detached(shop.head("v1.0.0"), "check") as scratch:
        assert scratch.parent == shop.path / ".hotfix" / "check"
        assert Repo(scratch).head() == shop.head("v1.0.0^{commit}")
    assert not scratch.exists()
