"""Bulk history reads on a real repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix.adapters.git import bulk, cmd
from hotfix.errors import GitError, NotFound
from tests.audit_repos import Repo


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def test_read_commits_messages_and_odd_file_names(repo: Repo) -> None:
    odd = "dir with space/new\nline.txt"
    a = repo.commit("First line\n\nbody\n\nHotfix-Id: HF-2", {odd: "x\n", "ü.py": "y\n"})
    repo.git("commit", "-q", "--allow-empty", "-m", "Empty")
    empty = repo.git("rev-parse", "HEAD")
    found = bulk.read_commits(repo.path, [empty, a])
    assert list(found) == [empty, a]
    message, files = found[a]
    assert message.startswith("First line\n\nbody\n\nHotfix-Id: HF-2")
    assert sorted(files) == sorted([odd, "ü.py"])
    assert found[empty][1] == ()


def test_rev_list_and_merge_base(repo: Repo) -> None:
    base = repo.git("rev-parse", "HEAD")
    repo.checkout("side", new=True)
    s1 = repo.commit("side 1", {"s": "1\n"})
    repo.checkout("main")
    m1 = repo.commit("main 1", {"m": "1\n"})
    m2 = repo.commit("main 2", {"m": "2\n"})
    repo.git("merge", "-q", "-m", "merge side", "side")
    listed = bulk.rev_list(repo.path, "main", [base])
    assert sorted(listed) == sorted([m1, m2, s1])  # the merge itself is left out
    assert listed.index(m1) < listed.index(m2)  # oldest first
    assert bulk.merge_base(repo.path, "side", "main") == s1
    assert bulk.merge_base(repo.path, m1, s1, m2) == base
    repo.git("checkout", "-q", "--orphan", "island")
    island = repo.commit("island", {"i": "1\n"})
    assert bulk.merge_base(repo.path, island, "main") is None


def test_patch_ids_match_across_cherry_picks_and_empty_is_blank(repo: Repo) -> None:
    repo.checkout("side", new=True)
    fix = repo.commit("Fix", {"f.py": "fixed\n"})
    repo.checkout("main")
    repo.commit("Other", {"o.py": "o\n"})
    picked = repo.pick(fix, message="Reworded")
    repo.git("commit", "-q", "--allow-empty", "-m", "Empty")
    empty = repo.git("rev-parse", "HEAD")
    ids = bulk.patch_ids(repo.path, [fix, picked, empty])
    assert ids[fix] == ids[picked] != ""
    assert ids[empty] == ""
    assert bulk.patch_ids(repo.path, []) == {}


def test_diffs_and_tags(repo: Repo) -> None:
    a = repo.commit("A", {"a.py": "a\n"})
    b = repo.commit("B", {"b.py": "b\n"})
    repo.git("tag", "-a", "-m", "v1", "v1.0.0", a)
    repo.git("tag", "v1.0.1", b)
    patches = bulk.diffs(repo.path, [a, b])
    assert "+a" in patches[a]
    assert "b.py" in patches[b]
    assert "a.py" not in patches[b]
    assert bulk.tags_containing(repo.path, a) == ["v1.0.0", "v1.0.1"]
    assert bulk.tags_containing(repo.path, b) == ["v1.0.1"]


def test_resolve_and_errors(repo: Repo) -> None:
    head = repo.git("rev-parse", "HEAD")
    assert bulk.resolve(repo.path, head[:8]) == head
    with pytest.raises(NotFound, match="'nope' is not a commit") as info:
        bulk.resolve(repo.path, "nope")
    assert "git fetch" in (info.value.hint or "")
    with pytest.raises(GitError, match=r"git log --bogus.*exit code 128"):
        cmd.pipe(["log", "--bogus"], ["patch-id"], repo.path, input=b"zz\n")
    with pytest.raises(GitError, match=r"git patch-id --bogus.*exit code 129"):
        cmd.pipe(["log", "-p"], ["patch-id", "--bogus"], repo.path)
