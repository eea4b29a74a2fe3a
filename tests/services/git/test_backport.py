from __future__ import annotations

import pytest

from hotfix.domain.record.lifecycle import State
from hotfix.errors import GuardRefused, UsageError
from hotfix.services.context import Context
from hotfix.services.git.backport import backport
from hotfix.services.git.resume import resume
from hotfix.wiring import open_context
from tests.gitrepo import APP_FIXED, APP_V1, Repo
from tests.hotfix_flow import ENGINEER, released

NOTE = "- unreleased: EU cards fixed\n"


def version_files(version: str) -> dict[str, str]:
    return {"pyproject.toml": f'[project]\nname = "shop"\nversion = "{version}"\n',
            "shop/__init__.py": f'"""The shop."""\n\n__version__ = "{version}"\n'}


def three_lines(shop: Repo) -> str:
    """Lines 1.2 (clean), 1.3 (its checkout changed: the fix conflicts) and main.

    Returns the fix, which also touches the changelog (that part is never ported)."""
    shop.git("checkout", "-q", "-b", "release/1.2", "main")
    shop.commit("Release 1.2.0", {**version_files("1.2.0"),
                                  "CHANGELOG.md": "# Changelog\n\n## v1.2.0\n\n- Search\n"})
    shop.tag("v1.2.0")
    shop.git("checkout", "-q", "-b", "release/1.3", "main")
    shop.commit("Checkout: EU cards get 503", {"shop/app.py": APP_V1.replace("500", "503")})
    shop.commit("Release 1.3.0", {**version_files("1.3.0"),
                                  "CHANGELOG.md": "# Changelog\n\n## v1.3.0\n\n- 503\n"})
    shop.tag("v1.3.0")
    shop.checkout("main")
    shop.commit("Main: 2.0 development", {**version_files("2.0.0.dev0"),
                                          "CHANGELOG.md": "# Changelog\n\n## main\n"})
    shop.git("checkout", "-q", "-b", "fix/eu-cards-2", "v1.1.0")
    fix = shop.commit("Fix checkout for EU cards", {
        "shop/app.py": APP_FIXED, "CHANGELOG.md": shop.read("CHANGELOG.md") + NOTE})
    shop.checkout("main")
    return fix


def test_three_targets_middle_conflicts_others_ported_then_resumed(
        shop: Repo, ctx: Context) -> None:
    fix = three_lines(shop)
    key = released(ctx, fix)
    before = {ref: shop.head(ref) for ref in ("main", "release/1.2", "release/1.3")}

    result = backport(ctx, key, ENGINEER)

    summary = [(t.target, t.status) for t in result.targets]
    assert summary == [("1.2", "ported"), ("1.3", "conflict"), ("main", "ported")]
    assert result.failed
    assert result.targets[1].files == ["shop/app.py"]
    for target, branch in (("1.2", "release/1.2"), ("main", "main")):
        ported = Repo(shop.path / ".hotfix" / "worktrees" / f"{key}-{target}")
        assert ported.git("branch", "--show-current") == f"backport/{key}-{target}"
        assert ported.head("HEAD~1") == shop.head(branch)
        assert "return 200" in ported.read("shop/app.py")
        body = ported.git("log", "-1", "--format=%B")
        assert f"Backport-Of: {fix}" in body
        assert f"Hotfix-Id: {key}" in body
        # release files never travel: the target keeps its own version and changelog
        assert ported.git("diff", "--name-only", "HEAD~1", "HEAD") == "shop/app.py"
    assert {ref: shop.head(ref) for ref in before} == before  # targets' own branches untouched
    rec = ctx.records.get(key)
    event = rec.last("backport")
    assert event is not None
    # main has no fix until backport/HF-N-main is merged: not folded back yet
    assert event["main_ported"] is False
    assert not rec.folded_into_main
    assert rec.facts["backport"] == {"1.2": "ported", "1.3": "conflict", "main": "ported"}
    main = result.targets[2]
    assert (main.into, main.merge) == ("main", "not asked")
    assert main.message == f"on backport/{key}-main, not merged into main yet"
    assert main.next == f"hotfix backport {key} --to main --merge"

    conflict = Repo(shop.path / ".hotfix" / "worktrees" / f"{key}-1.3")
    conflict.write("shop/app.py", APP_FIXED)
    conflict.git("add", "shop/app.py")
    again = backport(ctx, key, ENGINEER)

    assert [(t.target, t.status) for t in again.targets] == [
        ("1.2", "ported"), ("1.3", "ported"), ("main", "ported")]
    assert not again.failed
    assert again.targets[0].message == f"on backport/{key}-1.2, not merged into release/1.2 yet"
    assert again.targets[0].commits == result.targets[0].commits  # not ported twice
    assert conflict.git("log", "-1", "--format=%s") == "Fix checkout for EU cards"
    assert conflict.head("HEAD~1") == shop.head("release/1.3")
    assert len(conflict.git("log", "--format=%H", "release/1.3..").split()) == 1


def test_already_present_and_skipped_targets(shop: Repo, ctx: Context) -> None:
    fix = three_lines(shop)
    shop.git("merge", "-q", "--no-edit", "fix/eu-cards")  # main got its own fix already
    key = released(ctx, fix)
    result = backport(ctx, key, ENGINEER, ["main", "1.0", "1.1"])
    assert [(t.target, t.status) for t in result.targets] == [
        ("1.0", "ported"), ("1.1", "already present"), ("main", "already present")]
    # the hotfix's own line has no branch: its release tag is the line's newest release
    assert result.targets[1].message == ("line 1.1 has no maintenance branch; its newest "
                                         "release is the tag v1.1.1")
    assert not result.failed


def test_unsupported_line_is_skipped_and_reported(shop: Repo) -> None:
    fix = three_lines(shop)
    ctx = open_context(shop.path, {}, {"lines.support": {"1.2": "2001-01-01"}})
    try:
        key = released(ctx, fix)
        explicit = backport(ctx, key, ENGINEER, ["1.2", "main"])
        assert [(t.target, t.status) for t in explicit.targets] == [
            ("1.2", "skipped"), ("main", "ported")]
        assert explicit.targets[0].message == "line 1.2 is not supported (ended 2001-01-01)"
        default = backport(ctx, key, ENGINEER)
        assert [t.target for t in default.targets] == ["1.3", "main"]
    finally:
        ctx.close()


def test_bad_targets_are_refused_before_any_work(shop: Repo, ctx: Context) -> None:
    key = released(ctx, three_lines(shop))
    with pytest.raises(UsageError, match="neither 'main' nor a line"):
        backport(ctx, key, ENGINEER, ["main", "trunk"])
    with pytest.raises(UsageError, match=r"no release line 4\.0"):
        backport(ctx, key, ENGINEER, ["4.0"])
    assert ctx.records.get(key).last("backport") is None


def test_backport_cut_short_is_finished_by_resume(
        shop: Repo, ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    key = released(ctx, three_lines(shop))
    from hotfix.services.git import backport as backport_svc

    calls = {"n": 0}
    real = backport_svc.port

    def die_on_second(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(backport_svc, "port", die_on_second)
        with pytest.raises(KeyboardInterrupt):
            backport(ctx, key, ENGINEER, ["1.2", "main"])
    done = resume(ctx, key, ENGINEER)
    assert done.done == ["finished the backport: 1.2 ported, main ported"]
    one_two = Repo(shop.path / ".hotfix" / "worktrees" / f"{key}-1.2")
    assert len(one_two.git("log", "--format=%H", "release/1.2..").split()) == 1


def test_a_trailer_naming_the_fix_counts_even_with_another_diff(
        shop: Repo, ctx: Context) -> None:
    fix = three_lines(shop)
    shop.commit(f"Fix EU checkout on main, by hand\n\nBackport-Of: {fix}",
                {"shop/app.py": APP_V1.replace("return 500", "return 201")})
    key = released(ctx, fix)
    result = backport(ctx, key, ENGINEER, ["main"])
    assert [(t.target, t.status) for t in result.targets] == [("main", "already present")]


def verified(ctx: Context, key: str) -> None:
    """What deploy, promote and a passing verify record (the rollout is not under test)."""
    for kind, payload in (("deploy", {}), ("promote", {}), ("verify", {"passed": True})):
        ctx.records.act(key, kind, ENGINEER, payload)


def port_head(shop: Repo, key: str, target: str = "main") -> str:
    return shop.head(f"backport/{key}-{target}")


def test_main_not_merged_refuses_close(shop: Repo, ctx: Context) -> None:
    key = released(ctx, "fix/eu-cards")
    verified(ctx, key)
    before = shop.head("main")

    result = backport(ctx, key, ENGINEER, ["main"])

    assert [(t.target, t.status) for t in result.targets] == [("main", "ported")]
    assert not result.failed
    assert not result.main_ported
    assert shop.head("main") == before
    rec = ctx.records.get(key)
    assert rec.state is State.VERIFIED
    with pytest.raises(GuardRefused, match="not folded back into main: main is ported") as exc:
        ctx.records.act(key, "close", ENGINEER, {})
    assert (exc.value.hint or "").startswith(f"next: hotfix backport {key} --to main --merge")


def test_merge_fast_forwards_the_clean_checkout_then_close_is_allowed(
        shop: Repo, ctx: Context) -> None:
    key = released(ctx, "fix/eu-cards")
    verified(ctx, key)
    old = shop.head("main")

    result = backport(ctx, key, ENGINEER, ["main"], merge=True)

    main = result.targets[0]
    assert (main.status, main.merge) == ("merged", "fast-forwarded")
    assert shop.head("main") == port_head(shop, key) != old
    assert shop.git("branch", "--show-current") == "main"
    assert "return 200" in shop.read("shop/app.py")  # the checkout followed (merge --ff-only)
    assert shop.status() == ""
    assert result.main_ported
    assert not result.failed
    assert ctx.records.get(key).state is State.FOLDED_BACK
    assert ctx.records.act(key, "close", ENGINEER, {}).state is State.CLOSED


def test_merge_never_touches_a_dirty_checkout(shop: Repo, ctx: Context) -> None:
    key = released(ctx, "fix/eu-cards")
    verified(ctx, key)
    old = shop.head("main")
    shop.write("README.md", "my local edit\n")

    result = backport(ctx, key, ENGINEER, ["main"], merge=True)

    main = result.targets[0]
    assert (main.status, main.merge) == ("ported", "dirty")
    assert main.message == (f"main is checked out in {shop.path}, which has uncommitted "
                            "changes (README.md); not touched")
    assert main.next == (f"commit or stash them in {shop.path}, then: "
                         f"hotfix backport {key} --to main --merge")
    assert result.failed  # --merge was asked and main could not be merged
    assert shop.head("main") == old
    assert shop.read("README.md") == "my local edit\n"
    assert shop.status() == "M README.md"
    assert ctx.records.get(key).state is State.VERIFIED
    with pytest.raises(GuardRefused, match="not folded back into main"):
        ctx.records.act(key, "close", ENGINEER, {})


@pytest.mark.parametrize("how", ["fast-forward", "merge commit", "squash, own message"])
def test_merged_by_hand_then_rerun_records_main_ported(
        shop: Repo, ctx: Context, how: str) -> None:
    key = released(ctx, "fix/eu-cards")
    verified(ctx, key)
    first = backport(ctx, key, ENGINEER, ["main"])
    assert not first.main_ported
    branch = f"backport/{key}-main"
    if how == "fast-forward":
        shop.git("merge", "-q", "--ff-only", branch)
    elif how == "merge commit":
        shop.git("merge", "-q", "--no-ff", "-m", "Merge the EU cards fix", branch)
    else:  # a squash merge of a pull request: no trailer survives, the patch does
        shop.commit("Main: unrelated work", {"docs.md": "docs\n"})
        shop.git("merge", "-q", "--squash", branch)
        shop.git("commit", "-q", "-m", "EU cards (#42)")

    again = backport(ctx, key, ENGINEER)  # default targets: the newer lines, then main

    main = again.targets[-1]
    assert (main.target, main.status, main.merge) == ("main", "merged", "by hand")
    assert main.message == f"main has the port of {branch} (merged by hand or by a pull request)"
    assert main.commits == first.targets[0].commits
    assert again.main_ported
    rec = ctx.records.get(key)
    assert rec.folded_into_main
    assert rec.state is State.FOLDED_BACK
    assert ctx.records.act(key, "close", ENGINEER, {}).state is State.CLOSED


def test_three_targets_middle_conflict_with_merge(shop: Repo, ctx: Context) -> None:
    fix = three_lines(shop)
    key = released(ctx, fix)
    verified(ctx, key)
    old_13 = shop.head("release/1.3")

    result = backport(ctx, key, ENGINEER, merge=True)

    assert [(t.target, t.status, t.merge) for t in result.targets] == [
        ("1.2", "merged", "fast-forwarded"), ("1.3", "conflict", None),
        ("main", "merged", "fast-forwarded")]
    assert result.failed
    assert result.main_ported
    # release/1.2 is checked out nowhere: moved by compare-and-swap, no checkout touched
    assert shop.head("release/1.2") == port_head(shop, key, "1.2")
    assert shop.head("main") == port_head(shop, key)
    assert shop.head("release/1.3") == old_13
    assert "update-ref" not in shop.git("reflog", "-1", "release/1.2")
    assert "hotfix: fast-forward release/1.2" in shop.git("reflog", "-1", "release/1.2")
    assert ctx.records.get(key).state is State.FOLDED_BACK

    conflict = Repo(shop.path / ".hotfix" / "worktrees" / f"{key}-1.3")
    conflict.write("shop/app.py", APP_FIXED)
    conflict.git("add", "shop/app.py")
    again = backport(ctx, key, ENGINEER, merge=True)

    assert [(t.target, t.status) for t in again.targets] == [
        ("1.2", "merged"), ("1.3", "merged"), ("main", "merged")]
    assert not again.failed
    assert again.targets[0].message.endswith("(merged by an earlier run)")
    assert shop.head("release/1.3") == port_head(shop, key, "1.3")
    assert shop.git("log", "-1", "--format=%s", "release/1.3") == "Fix checkout for EU cards"
