"""``push_atomic`` against a real bare remote: every ref or none, never forced."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hotfix.adapters.git import advance
from tests.gitrepo import Repo, bare_remote


def refspec(branch: str) -> str:
    return f"refs/heads/{branch}:refs/heads/{branch}"


def test_all_refs_go_together(shop: Repo, tmp_path: Path) -> None:
    remote = bare_remote(shop, tmp_path / "remote.git")
    shop.branch("release/1.1", "v1.1.0")
    shop.tag("v9.9.9")
    specs = [refspec("release/1.1"), "refs/tags/v9.9.9:refs/tags/v9.9.9"]
    assert advance.push_atomic(shop.path, "origin", specs) is None
    assert remote.head("release/1.1") == shop.head("v1.1.0^{commit}")
    assert "v9.9.9" in remote.tags()


def test_one_refused_ref_pushes_nothing(shop: Repo, tmp_path: Path) -> None:
    remote = bare_remote(shop, tmp_path / "remote.git")
    subprocess.run(["git", "clone", "-q", str(remote.path), str(tmp_path / "other")], check=True)
    other = Repo(tmp_path / "other")
    other.commit("Pushed from another clone", {"elsewhere.txt": "x\n"})
    other.git("push", "-q", "origin", "main")
    moved = remote.head("main")
    shop.commit("Local work on main", {"local.txt": "y\n"})  # not a fast-forward any more
    shop.branch("release/1.1", "v1.1.0")

    refusal = advance.push_atomic(shop.path, "origin", [refspec("release/1.1"), refspec("main")])

    assert refusal is not None
    assert "main" in refusal
    assert remote.head("main") == moved  # never forced
    assert remote.git("branch", "--list", "release/1.1") == ""  # nor the other ref alone


def test_an_unknown_remote_is_a_reason_not_a_crash(shop: Repo) -> None:
    refusal = advance.push_atomic(shop.path, "nowhere", [refspec("main")])
    assert refusal is not None
    assert "nowhere" in refusal
