"""Bulk history reads on a real repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix.adapters.git import bulk, cmd, patches
from hotfix.errors import GitError
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


def test_rev_graph_has_merges_and_parents_oldest_first(repo: Repo) -> None:
    base = repo.git("rev-parse", "HEAD")
    repo.checkout("side", new=True)
    s1 = repo.commit("side 1", {"s": "1\n"})
    repo.checkout("main")
    m1 = repo.commit("main 1", {"m": "1\n"})
    m2 = repo.commit("main 2", {"m": "2\n"})
    repo.git("merge", "-q", "-m", "merge side", "side")
    merge = repo.git("rev-parse", "HEAD")
    graph = bulk.rev_graph(repo.path, ["main"], [base])
    assert sorted(graph) == sorted([m1, m2, s1, merge])
    assert graph[merge] == (m2, s1)
    assert graph[m1] == (base,)
    listed = list(graph)
    assert listed.index(m1) < listed.index(m2) < listed.index(merge)  # oldest first


def test_a_merge_reads_as_its_diff_against_the_first_parent(repo: Repo) -> None:
    repo.checkout("side", new=True)
    repo.commit("side 1", {"s.py": "1\n"})
    repo.checkout("main")
    repo.commit("main 1", {"m.py": "1\n"})
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #7 from x/side", "side")
    merge = repo.git("rev-parse", "HEAD")
    assert bulk.read_commits(repo.path, [merge])[merge][1] == ("s.py",)
    assert patches.patch_ids(repo.path, [merge])[merge] != ""


def test_pipe_errors_name_the_failing_command(repo: Repo) -> None:
    with pytest.raises(GitError, match=r"git log --bogus.*exit code 128"):
        cmd.pipe(["log", "--bogus"], ["patch-id"], repo.path, input=b"zz\n")
    with pytest.raises(GitError, match=r"git patch-id --bogus.*exit code 129"):
        cmd.pipe(["log", "-p"], ["patch-id", "--bogus"], repo.path)
