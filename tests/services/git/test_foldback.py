"""``hotfix backport --merge/--push``: when a target's own branch moves, and when it must not."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix.errors import UsageError
from hotfix.services.context import Context
from hotfix.services.git.backport import backport
from tests.gitrepo import Repo, bare_remote
from tests.hotfix_flow import ENGINEER
from tests.services.git.test_backport import released, three_lines


def ported_to(shop: Repo, key: str, target: str) -> str:
    return shop.head(f"backport/{key}-{target}")


def test_a_target_that_moved_on_is_not_fast_forwarded(shop: Repo, ctx: Context) -> None:
    key = released(ctx, three_lines(shop))
    backport(ctx, key, ENGINEER, ["1.2"])
    shop.checkout("release/1.2")
    moved = shop.commit("1.2: more work", {"NOTES.md": "later\n"})
    shop.checkout("main")

    result = backport(ctx, key, ENGINEER, ["1.2"], merge=True)

    target = result.targets[0]
    tree = shop.path / ".hotfix" / "worktrees" / f"{key}-1.2"
    assert (target.status, target.merge) == ("ported", "moved")
    assert "not a fast-forward" in target.message
    assert target.next == (f"git -C {tree} rebase release/1.2 && "
                           f"hotfix backport {key} --to 1.2 --merge")
    assert result.failed
    assert shop.head("release/1.2") == moved
    Repo(tree).git("rebase", "-q", "release/1.2")  # what the message says to run
    done = backport(ctx, key, ENGINEER, ["1.2"], merge=True)
    assert [(t.status, t.merge) for t in done.targets] == [("merged", "fast-forwarded")]
    assert shop.head("release/1.2~1") == moved


def test_a_clean_linked_worktree_follows_the_fast_forward(
        shop: Repo, ctx: Context, tmp_path: Path) -> None:
    key = released(ctx, three_lines(shop))
    linked = Repo(tmp_path / "rel12")
    shop.git("worktree", "add", "-q", str(linked.path), "release/1.2")

    result = backport(ctx, key, ENGINEER, ["1.2"], merge=True)

    assert [(t.status, t.merge) for t in result.targets] == [("merged", "fast-forwarded")]
    assert linked.head() == ported_to(shop, key, "1.2")
    assert "return 200" in linked.read("shop/app.py")
    assert linked.status() == ""


def test_a_branch_being_rebased_elsewhere_is_left_alone(
        shop: Repo, ctx: Context, tmp_path: Path) -> None:
    key = released(ctx, three_lines(shop))
    linked = Repo(tmp_path / "rel12")
    shop.git("worktree", "add", "-q", str(linked.path), "release/1.2")
    before = shop.head("release/1.2")
    linked.git("rebase", "-q", "--exec", "false", "HEAD~1", check=False)  # stops, detached

    result = backport(ctx, key, ENGINEER, ["1.2"], merge=True)

    target = result.targets[0]
    assert (target.status, target.merge) == ("ported", "busy")
    assert f"being rebased or bisected in {linked.path}" in target.message
    assert shop.head("release/1.2") == before


def test_remote_only_and_tag_only_targets_say_how_to_land(
        shop: Repo, ctx: Context, tmp_path: Path) -> None:
    key = released(ctx, three_lines(shop))
    bare_remote(shop, tmp_path / "origin.git")
    shop.git("fetch", "-q", "origin")
    shop.git("branch", "-q", "-D", "release/1.2")  # only origin/release/1.2 is left

    result = backport(ctx, key, ENGINEER, ["1.0", "1.2"], merge=True)

    old, remote_only = result.targets
    assert (old.status, old.merge, old.into) == ("ported", "no branch", "v1.0.0")
    assert old.next == f"git branch release/1.0 backport/{key}-1.0 && hotfix backport {key}"
    assert (remote_only.status, remote_only.merge) == ("ported", "remote only")
    assert remote_only.next == (f"git push origin backport/{key}-1.2; once merged: "
                                f"git fetch origin && hotfix backport {key}")
    assert not result.failed  # nothing --merge could do here; a person pushes or branches
    shop.git("branch", "release/1.0", f"backport/{key}-1.0")  # as the next step says
    again = backport(ctx, key, ENGINEER, ["1.0"])
    assert [(t.status, t.into) for t in again.targets] == [("merged", "release/1.0")]


def test_push_sends_the_merged_branches_atomically(
        shop: Repo, ctx: Context, tmp_path: Path) -> None:
    key = released(ctx, three_lines(shop))
    origin = bare_remote(shop, tmp_path / "origin.git")

    result = backport(ctx, key, ENGINEER, ["1.2", "main"], merge=True, push=True)

    assert result.pushed is not None
    assert (result.pushed.branches, result.pushed.error) == (["release/1.2", "main"], None)
    assert origin.head("main") == shop.head("main") == ported_to(shop, key, "main")
    assert origin.head("release/1.2") == ported_to(shop, key, "1.2")
    assert ctx.records.get(key).last("backport")["pushed"]["branches"] == [  # type: ignore[index]
        "release/1.2", "main"]


def test_a_refused_push_pushes_nothing(shop: Repo, ctx: Context, tmp_path: Path) -> None:
    key = released(ctx, three_lines(shop))
    origin = bare_remote(shop, tmp_path / "origin.git")
    other = Repo(tmp_path / "other")
    shop.git("clone", "-q", str(origin.path), str(other.path))
    other.commit("Someone else's work on main", {"OTHER.md": "x\n"})
    other.git("push", "-q", "origin", "main")
    remote_main, remote_12 = origin.head("main"), origin.head("release/1.2")

    result = backport(ctx, key, ENGINEER, ["1.2", "main"], merge=True, push=True)

    assert [t.status for t in result.targets] == ["merged", "merged"]
    assert result.pushed is not None
    assert result.pushed.error
    assert result.failed
    assert (origin.head("main"), origin.head("release/1.2")) == (remote_main, remote_12)


def test_push_without_the_remote_is_refused_before_any_work(shop: Repo, ctx: Context) -> None:
    key = released(ctx, three_lines(shop))
    with pytest.raises(UsageError, match="remote 'origin'"):
        backport(ctx, key, ENGINEER, ["main"], merge=True, push=True)
    assert ctx.records.get(key).last("backport") is None
    assert not (shop.path / ".hotfix" / "worktrees" / f"{key}-main").exists()
