"""Patch-ids, diffs and ``git cherry``, on real repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix.adapters.git import patches
from tests.audit_repos import Repo


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def test_patch_ids_match_across_cherry_picks_and_empty_is_blank(repo: Repo) -> None:
    repo.checkout("side", new=True)
    fix = repo.commit("Fix", {"f.py": "fixed\n"})
    repo.checkout("main")
    repo.commit("Other", {"o.py": "o\n"})
    picked = repo.pick(fix, message="Reworded")
    repo.git("commit", "-q", "--allow-empty", "-m", "Empty")
    empty = repo.git("rev-parse", "HEAD")
    ids = patches.patch_ids(repo.path, [fix, picked, empty])
    assert ids[fix] == ids[picked] != ""
    assert ids[empty] == ""
    assert patches.patch_ids(repo.path, []) == {}


def test_the_same_diff_on_two_bases_has_one_patch_id_another_diff_another(repo: Repo) -> None:
    repo.commit("Code", {"app.py": "a = 1\nb = 2\nc = 3\n", "other.py": "x\n"})
    repo.git("tag", "v1")
    repo.commit("Main moves on", {"other.py": "y\n", "more.py": "z\n"})
    on_main = repo.commit("Fix b on main", {"app.py": "fixed = True\n"})
    repo.git("checkout", "-q", "-b", "release/1", "v1")
    on_line = repo.commit("Fix b, backported with another message", {"app.py": "fixed = True\n"})
    other = repo.commit("Another fix", {"app.py": "other = True\n"})
    assert repo.git("rev-parse", f"{on_main}^") != repo.git("rev-parse", f"{on_line}^")
    ids = patches.patch_ids(repo.path, [on_main, on_line, other])
    assert ids[on_main] == ids[on_line]
    assert ids[other] not in ("", ids[on_main])


def test_a_rename_is_read_as_delete_and_add_like_the_file_lists(repo: Repo) -> None:
    repo.commit("Code", {"old.py": "".join(f"line {i}\n" for i in range(20))})
    repo.git("mv", "old.py", "new.py")
    repo.git("commit", "-q", "-m", "Rename")
    renamed = repo.git("rev-parse", "HEAD")
    patch = patches.diffs(repo.path, [renamed])[renamed]
    assert "deleted file mode" in patch
    assert "new file mode" in patch
    assert patches.patch_ids(repo.path, [renamed])[renamed] != ""


def test_diffs_of_each_commit(repo: Repo) -> None:
    a = repo.commit("A", {"a.py": "a\n"})
    b = repo.commit("B", {"b.py": "b\n"})
    found = patches.diffs(repo.path, [a, b])
    assert "+a" in found[a]
    assert "b.py" in found[b]
    assert "a.py" not in found[b]
    assert patches.diffs(repo.path, []) == {}


def test_cherry_knows_which_changes_a_branch_has(repo: Repo) -> None:
    base = repo.git("rev-parse", "HEAD")
    repo.checkout("port", new=True)
    one = repo.commit("One", {"one.py": "1\n"})
    two = repo.commit("Two", {"two.py": "2\n"})
    repo.checkout("main")
    assert patches.cherry(repo.path, "main", "port") == {one: False, two: False}
    assert not patches.all_landed(repo.path, "main", "port")
    repo.pick(one, x=False, message="One, squashed by a pull request")
    assert patches.already_on(repo.path, "main", "port", base) == {one}
    assert not patches.all_landed(repo.path, "main", "port")
    repo.pick(two, x=False)
    assert patches.all_landed(repo.path, "main", "port")
    assert patches.already_on(repo.path, "main", two, one) == {two}  # limit..head only
