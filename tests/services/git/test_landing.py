"""A release lands on its line's maintenance branch (git-flow's finish, done safely), and
``backport --to`` the hotfix's own line reports and lands it instead of skipping it."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix.services.context import Context
from hotfix.services.git.backport import backport
from hotfix.services.git.pick import pick
from hotfix.services.git.release import release
from hotfix.services.git.start import start
from hotfix.wiring import open_context
from tests.gitrepo import APP_V1, Repo, bare_remote
from tests.hotfix_flow import ENGINEER, SHOP_SETTINGS, approved, checked


def released(ctx: Context, push: bool = False) -> tuple[str, Repo]:
    key = approved(ctx)
    tree = Repo(start(ctx, key, ENGINEER, line="1.1").work.worktree)
    pick(ctx, key, ENGINEER, ["fix/eu-cards"])
    checked(ctx, key, tree.head())
    release(ctx, key, ENGINEER, push=push)
    return key, tree


def test_the_release_fast_forwards_the_lines_branch(shop: Repo, ctx: Context) -> None:
    shop.branch("1.1.x", "v1.1.0")
    key, _ = released(ctx)
    tagged = shop.head("v1.1.1^{commit}")
    assert shop.head("1.1.x") == tagged
    done = ctx.records.get(key).last("release")
    assert done is not None
    assert (done["landed"]["status"], done["landed"]["merge"], done["landed"]["into"]) == (
        "merged", "fast-forwarded", "1.1.x")
    picked = shop.head("v1.1.1~1")  # the line's branch (what the audit reads) has the fix
    assert "1.1.x" in shop.git("branch", "--contains", picked, "--format=%(refname:short)")

    again = backport(ctx, key, ENGINEER, ["1.1"])  # the own line: landed, not "skipped"
    assert [(t.target, t.status, t.merge) for t in again.targets] == [
        ("1.1", "merged", "fast-forwarded")]
    assert again.targets[0].message == "1.1.x has the release v1.1.1"
    assert ctx.records.get(key).facts["backport"] == {"1.1": "merged"}


def test_a_line_that_moved_on_gets_a_merge_commit(shop: Repo, ctx: Context) -> None:
    shop.git("checkout", "-q", "-b", "release/1.1", "v1.1.0")
    moved = shop.commit("1.1: docs for the next patch", {"docs/1.1.md": "notes\n"})
    shop.checkout("main")
    released(ctx)
    tip = shop.head("release/1.1")
    assert shop.git("rev-list", "--parents", "-n1", tip).split()[1:] == [
        moved, shop.head("v1.1.1^{commit}")]
    assert shop.git("log", "-1", "--format=%s", tip) == "Merge release v1.1.1 into release/1.1"
    shop.git("merge-base", "--is-ancestor", "v1.1.1", "release/1.1")  # raises when not
    assert not (shop.path / ".hotfix" / "worktrees" / "HF-1-1.1-land").exists()


def test_ff_only_leaves_a_moved_line_and_says_how(shop: Repo) -> None:
    shop.git("checkout", "-q", "-b", "release/1.1", "v1.1.0")
    moved = shop.commit("1.1: docs", {"docs/1.1.md": "notes\n"})
    shop.checkout("main")
    ctx = open_context(shop.path, {}, {**SHOP_SETTINGS, "release.land": "ff-only"})
    try:
        key, _ = released(ctx)
        assert shop.head("release/1.1") == moved
        landed = ctx.records.get(key).last("release")["landed"]  # type: ignore[index]
        assert (landed["status"], landed["merge"]) == ("ported", "moved")
        assert "release.land is ff-only" in landed["message"]
        assert landed["next"] == (f"git -C <a checkout of release/1.1> merge v1.1.1; then: "
                                  f"hotfix backport {key} --to 1.1")
        result = backport(ctx, key, ENGINEER, ["1.1"], merge=True)
        assert result.failed  # --merge asked, the line could not move
    finally:
        ctx.close()


def test_a_conflicting_merge_is_undone_and_reported(shop: Repo, ctx: Context) -> None:
    shop.git("checkout", "-q", "-b", "release/1.1", "v1.1.0")
    moved = shop.commit("1.1: EU gets 503", {"shop/app.py": APP_V1.replace("500", "503")})
    shop.checkout("main")
    key, _ = released(ctx)
    assert shop.head("release/1.1") == moved
    result = backport(ctx, key, ENGINEER, ["1.1"], merge=True)
    [line] = result.targets
    assert (line.status, line.files) == ("conflict", ["shop/app.py"])
    assert line.next == (f"git switch release/1.1 && git merge v1.1.1; resolve, commit; "
                         f"then: hotfix backport {key} --to 1.1")
    assert result.failed
    assert shop.head("release/1.1") == moved
    shop.git("checkout", "-q", "release/1.1")  # the person merges by hand, then asks again
    shop.git("merge", "-q", "v1.1.1", check=False)
    shop.git("checkout", "--theirs", "shop/app.py")
    shop.git("commit", "-q", "-am", "Merge v1.1.1")
    shop.checkout("main")
    after = backport(ctx, key, ENGINEER, ["1.1"])
    assert [(t.status, t.merge) for t in after.targets] == [("merged", "by hand")]


def test_a_dirty_checkout_of_the_line_is_never_touched(shop: Repo, ctx: Context) -> None:
    shop.git("checkout", "-q", "-b", "release/1.1", "v1.1.0")
    shop.write("README.md", "half-done\n")
    key, _ = released(ctx)
    assert shop.head("release/1.1") == shop.head("v1.1.0^{commit}")
    assert shop.read("README.md") == "half-done\n"
    landed = ctx.records.get(key).last("release")["landed"]  # type: ignore[index]
    assert landed["merge"] == "dirty"
    assert landed["next"].endswith(f"hotfix backport {key} --to 1.1 --merge")
    shop.git("checkout", "README.md")
    (shop.path / "hotfix.toml").write_text("# not committed yet\n", encoding="utf-8")
    done = backport(ctx, key, ENGINEER, ["1.1"], merge=True)
    assert [(t.status, t.merge) for t in done.targets] == [("merged", "fast-forwarded")]
    assert shop.head("HEAD") == shop.head("v1.1.1^{commit}")  # the checkout followed


def test_push_sends_the_line_branch_with_the_tag(shop: Repo, ctx: Context,
                                                 tmp_path: Path) -> None:
    shop.branch("release/1.1", "v1.1.0")
    remote = bare_remote(shop, tmp_path / "origin.git")
    key, _ = released(ctx, push=True)
    tagged = shop.head("v1.1.1^{commit}")
    assert remote.head("refs/heads/release/1.1") == tagged
    assert remote.head("refs/tags/v1.1.1^{commit}") == tagged
    assert remote.head("refs/heads/hotfix/1.1.1") == tagged
    assert release(ctx, key, ENGINEER).pushed_refs[-1] == (
        "refs/heads/release/1.1:refs/heads/release/1.1")


def test_the_record_of_ports_accumulates_across_runs(shop: Repo, ctx: Context) -> None:
    shop.branch("release/1.1", "v1.1.0")
    key, _ = released(ctx)
    backport(ctx, key, ENGINEER, ["main"])
    later = backport(ctx, key, ENGINEER, ["1.1"])
    assert [t.target for t in later.targets] == ["1.1"]
    assert [t.target for t in later.every_target] == ["1.1", "main"]
    facts = ctx.records.get(key).facts["backport"]
    assert facts == {"1.1": "merged", "main": "ported"}
    event = ctx.records.get(key).last("backport")
    assert event is not None
    assert [t["target"] for t in event["targets"]] == ["1.1", "main"]
    assert event["ran"] == ["1.1"]
    backport(ctx, key, ENGINEER, ["main"], merge=True)
    assert ctx.records.get(key).folded_into_main
    backport(ctx, key, ENGINEER, ["1.1"])  # a later run never unsets main
    last = ctx.records.get(key).last("backport")
    assert last is not None
    assert last["main_ported"] is True


def test_a_bad_land_mode_is_refused_before_any_work(shop: Repo) -> None:
    from hotfix.errors import ConfigError

    ctx = open_context(shop.path, {}, {**SHOP_SETTINGS, "release.land": "rebase"})
    try:
        key = approved(ctx)
        tree = Repo(start(ctx, key, ENGINEER).work.worktree)
        pick(ctx, key, ENGINEER, ["fix/eu-cards"])
        checked(ctx, key, tree.head())
        with pytest.raises(ConfigError, match=r"release\.land is 'rebase'"):
            release(ctx, key, ENGINEER)
        assert "v1.1.1" not in shop.tags()
    finally:
        ctx.close()
