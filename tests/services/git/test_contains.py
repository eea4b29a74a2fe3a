"""Which released versions carry a fix, found by the audit's equivalence."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix.adapters.git.repo import Git
from hotfix.adapters.store.sql import SqlStore
from hotfix.domain.audit.equivalence import By, Match
from hotfix.domain.audit.release_files import ReleaseFiles
from hotfix.errors import NotFound
from hotfix.services.git.audit import AuditOptions, LineRef
from hotfix.services.git.contains import contains_refs, hotfix_id_of
from tests.audit_repos import Repo

OPTIONS = AuditOptions(ReleaseFiles(("CHANGELOG*",), ()))


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """v1.0.0 → release/1.0; v1.1.0 → release/1.1; the EU fix on main, ported both ways."""
    r = Repo(tmp_path / "repo")
    r.commit("Shop", {"shop.py": "def pay(): ...\n", "cart.py": "cart\n"})
    r.git("tag", "v1.0.0")
    r.commit("Feature", {"feature.py": "f\n"})
    r.git("tag", "v1.1.0")
    r.checkout("release/1.1", new=True)
    r.checkout("main")
    r.commit("Other work", {"other.py": "o\n"})
    fix = r.commit("Fix EU cards (#7)\n\nHotfix-Id: HF-3", {"shop.py": "eu = True\n"})
    r.git("tag", "v1.2.0")
    r.checkout("release/1.1")
    r.pick(fix)  # -x and keeps Hotfix-Id
    r.git("tag", "v1.1.1")
    r.checkout("release/1.0", new=True)
    r.git("reset", "-q", "--hard", "v1.0.0")
    r.commit("Fix EU cards on 1.0", {"shop.py": "eu = 1\n"})  # changed diff, no trailer
    r.git("tag", "v1.0.1")
    r.commit("Unrelated 1.0 fix", {"cart.py": "x\n"})
    r.git("tag", "v1.0.2")
    r.checkout("main")
    return r


LINES = [LineRef("1.0", "release/1.0", ("v1.0.0", "v1.0.1", "v1.0.2")),
         LineRef("1.1", "release/1.1", ("v1.1.0", "v1.1.1")),
         LineRef("1.2", "v1.2.0", ("v1.2.0",))]


def ask(repo: Repo, query: str, hotfix_id: str | None = None) -> dict[str, object]:
    store = SqlStore(f"sqlite:///{repo.path.parent / 'hotfix.db'}")
    found = contains_refs(Git(repo.path), store.cache, query, LINES, mainline="main",
                          options=OPTIONS,
                          hotfix_id=hotfix_id)
    store.close()
    return found.to_dict()


def test_a_commit_and_its_ports(repo: Repo) -> None:
    fix = repo.git("rev-parse", "v1.2.0")
    result = ask(repo, "v1.2.0")
    assert result["fix"] == "v1.2.0"
    assert result["tags"] == ["v1.0.1", "v1.0.2", "v1.1.1", "v1.2.0"]
    assert result["lines"] == [
        {"line": "1.0", "tags": ["v1.0.1", "v1.0.2"], "missing": ["v1.0.0"], "partial": []},
        {"line": "1.1", "tags": ["v1.1.1"], "missing": ["v1.1.0"], "partial": []},
        {"line": "1.2", "tags": ["v1.2.0"], "missing": [], "partial": []},
    ]
    commits = {c["sha"]: c["match"] for c in result["commits"]}  # type: ignore[attr-defined]
    assert commits[fix] is None
    assert commits[repo.git("rev-parse", "v1.1.1")] == Match(fix, By.TRAILER).to_dict()
    assert commits[repo.git("rev-parse", "v1.0.1")] == Match(fix, By.SUBJECT).to_dict()


def test_by_hotfix_id(repo: Repo) -> None:
    result = ask(repo, "HF-3", hotfix_id=hotfix_id_of("hf-3", "HF"))
    assert result["fix"] == "HF-3"
    assert result["tags"] == ["v1.0.1", "v1.0.2", "v1.1.1", "v1.2.0"]
    with pytest.raises(NotFound, match="Hotfix-Id: HF-9"):
        ask(repo, "HF-9", hotfix_id="HF-9")


def test_a_fix_nowhere_released(repo: Repo) -> None:
    repo.checkout("fix/later", new=True)
    repo.commit("Unreleased fix", {"late.py": "l\n"})
    result = ask(repo, "fix/later")
    assert result["tags"] == []
    assert [line["tags"] for line in result["lines"]] == [[], [], []]  # type: ignore[attr-defined]


def test_hotfix_id_of() -> None:
    assert hotfix_id_of("hf-03", "HF") == "HF-3"
    assert hotfix_id_of("abc123", "HF") is None
    assert hotfix_id_of("HF-x", "HF") is None


def test_the_release_commit_of_a_hotfix_is_not_the_fix(repo: Repo) -> None:
    repo.checkout("release/1.1")
    repo.commit("Release v1.1.2\n\nHotfix-Id: HF-3\nHotfix-Release: v1.1.2",
                {"CHANGELOG.md": "1.1.2\n"})
    repo.git("tag", "v1.1.2")
    repo.checkout("main")
    lines = [*LINES[:1], LineRef("1.1", "release/1.1", ("v1.1.0", "v1.1.1", "v1.1.2")),
             LINES[2]]
    store = SqlStore(f"sqlite:///{repo.path.parent / 'hotfix.db'}")
    found = contains_refs(Git(repo.path), store.cache, "HF-3", lines, mainline="main",
                          options=OPTIONS,
                          hotfix_id="HF-3").to_dict()
    store.close()
    subjects = [c["subject"] for c in found["commits"]]
    assert "Release v1.1.2" not in subjects
    assert "v1.1.0" not in found["tags"]
