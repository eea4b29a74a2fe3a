"""The one revision resolver, on a real repository: names in, full shas out, options never."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix.adapters.git import revs
from hotfix.errors import GitError, NotFound
from tests.audit_repos import Repo


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def test_names_resolve_to_full_commit_shas(repo: Repo) -> None:
    head = repo.git("rev-parse", "HEAD")
    repo.git("tag", "-a", "-m", "annotated", "v1.0.0")
    assert revs.commit_of(repo.path, head[:8]) == head
    assert revs.commit_of(repo.path, "main") == head
    assert revs.commit_of(repo.path, "v1.0.0") == head  # the tag object is peeled
    assert revs.require_commit(repo.path, "refs/tags/v1.0.0") == head


def test_what_is_not_a_commit_is_none_or_not_found(repo: Repo) -> None:
    tree = repo.git("rev-parse", "HEAD^{tree}")
    assert revs.commit_of(repo.path, "nope") is None
    assert revs.commit_of(repo.path, tree) is None  # a tree names no commit
    with pytest.raises(NotFound, match="'nope' is not a commit") as info:
        revs.require_commit(repo.path, "nope")
    assert "git fetch" in (info.value.hint or "")
    with pytest.raises(NotFound) as named:
        revs.require_commit(repo.path, "nope", hint="list tags: git tag")
    assert named.value.hint == "list tags: git tag"


@pytest.mark.parametrize("rev", ["--output=stolen", "--all", "-h"])
def test_an_option_looking_name_is_a_revision_never_an_option(repo: Repo, rev: str) -> None:
    assert revs.commit_of(repo.path, rev) is None
    with pytest.raises(NotFound, match="is not a commit"):
        revs.require_commit(repo.path, rev)
    with pytest.raises(NotFound, match="is not a commit"):
        revs.lookup(repo.path, rev)
    assert revs.nearest_tag(repo.path, rev) is None
    assert not revs.is_ancestor(repo.path, rev, "HEAD")
    with pytest.raises(GitError):
        revs.merge_base(repo.path, rev, "HEAD")
    assert not list(repo.path.glob("stolen*"))  # git never wrote what the "option" asked


def test_lookup_reads_parents_and_message_and_refuses_ranges(repo: Repo) -> None:
    first = repo.git("rev-parse", "HEAD")
    second = repo.commit("Second\n\nbody", {"a.py": "a\n"})
    assert revs.lookup(repo.path, "HEAD") == (second, [first], "Second\n\nbody")
    with pytest.raises(NotFound, match="is not a commit"):
        revs.lookup(repo.path, f"{first}..{second}")


def test_merge_base_ancestry_and_nearest_tag(repo: Repo) -> None:
    base = repo.git("rev-parse", "HEAD")
    assert revs.nearest_tag(repo.path, "HEAD") is None
    repo.git("tag", "v1.0.0")
    repo.checkout("side", new=True)
    s1 = repo.commit("side 1", {"s": "1\n"})
    repo.checkout("main")
    m1 = repo.commit("main 1", {"m": "1\n"})
    m2 = repo.commit("main 2", {"m": "2\n"})
    repo.git("merge", "-q", "-m", "merge side", "side")
    assert revs.merge_base(repo.path, "side", "main") == s1
    assert revs.merge_base(repo.path, m1, s1, m2) == base
    assert revs.is_ancestor(repo.path, base, m2)
    assert not revs.is_ancestor(repo.path, m2, base)
    assert revs.nearest_tag(repo.path, "main") == "v1.0.0"
    repo.git("checkout", "-q", "--orphan", "island")
    island = repo.commit("island", {"i": "1\n"})
    assert revs.merge_base(repo.path, island, "main") is None
