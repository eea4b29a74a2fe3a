"""A repository whose refs are read once answers about them exactly as git does, from ONE
``git for-each-ref``; a ref moved after that read is not seen (the view is for commands
that move none)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hotfix.adapters.git.repo import Git
from tests.audit_repos import Repo

NAMES = ("main", "refs/heads/main", "refs/heads/nope", "refs/tags/nope", "origin/main",
         "origin", "refs/remotes/origin/HEAD", "v1.0.0", "v1.0.1", "refs/tags/v1.0.0", "1.1",
         "release/1.1", "treetag", "blobtag", "nested", "HEAD", "main~1", "main^{tree}",
         "nope", "refs/hotfix/anchor")


def _repo(tmp_path: Path) -> Repo:
    r = Repo(tmp_path / "repo")
    r.commit("Second", {"a.txt": "2\n"})
    r.git("tag", "-a", "-m", "Release 1.0.0", "v1.0.0")
    r.commit("Third", {"a.txt": "3\n"})
    r.git("tag", "v1.0.1")  # lightweight
    r.git("branch", "release/1.1", "v1.0.0")
    r.git("tag", "1.1", "HEAD~1")  # a tag and …
    r.git("branch", "1.1", "v1.0.0")  # … a branch of the same name: the tag wins, as in git
    r.git("tag", "treetag", "HEAD^{tree}")
    r.git("tag", "blobtag", r.git("hash-object", "-w", "a.txt").strip())
    r.git("tag", "-a", "-m", "a tag of a tag", "nested", "v1.0.0")
    r.git("update-ref", "refs/remotes/origin/main", "HEAD~1")
    r.git("update-ref", "refs/remotes/origin/release/1.1", "v1.0.0")
    r.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    r.git("update-ref", "refs/hotfix/anchor", "HEAD")
    return r


def test_it_answers_as_git_does(tmp_path: Path) -> None:
    r = _repo(tmp_path)
    live, frozen = Git(r.path), Git(r.path).frozen_refs()
    assert frozen.tags() == live.tags()
    assert frozen.tag_dates() == live.tag_dates()
    assert frozen.branches() == live.branches()
    assert frozen.default_branch("origin") == live.default_branch("origin") == "main"
    assert frozen.default_branch("upstream") is live.default_branch("upstream") is None
    assert {n: frozen.commit_of(n) for n in NAMES} == {n: live.commit_of(n) for n in NAMES}
    assert frozen.commit_of("1.1") == r.git("rev-parse", "HEAD~1").strip()
    assert frozen.commit_of("nested") == frozen.commit_of("v1.0.0") is not None
    assert frozen.branch_exists("release/1.1")
    assert not frozen.branch_exists("nope")
    assert frozen.tag_commit("v1.0.1") == live.tag_commit("v1.0.1")
    assert frozen.frozen_refs() is frozen


def test_it_reads_the_refs_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = _repo(tmp_path)
    trace = tmp_path / "trace.json"
    with monkeypatch.context() as env:
        env.setenv("GIT_TRACE2_EVENT", str(trace))
        frozen = Git(r.path).frozen_refs()
        for name in ("main", "origin/main", "v1.0.0", "refs/heads/nope", "release/1.1"):
            frozen.commit_of(name)
        frozen.tags(), frozen.branches(), frozen.tag_dates(), frozen.default_branch("origin")
    ran = [e["argv"][1] for e in map(json.loads, trace.read_text().splitlines())
           if e["event"] == "start"]
    assert ran == ["for-each-ref"]
    r.commit("Fourth", {"a.txt": "4\n"})
    assert frozen.commit_of("main") != Git(r.path).commit_of("main")  # frozen: not seen
