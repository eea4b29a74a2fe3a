from __future__ import annotations

import pytest

from hotfix.errors import UsageError
from hotfix.services import record
from hotfix.services.backport import backport
from hotfix.services.context import Context, open_context
from hotfix.services.pick import pick
from hotfix.services.release import release
from hotfix.services.resume import resume
from hotfix.services.start import start
from tests.gitrepo import APP_FIXED, APP_V1, Repo
from tests.hotfix_flow import ENGINEER, approved, checked

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


def released(ctx: Context, fix: str) -> str:
    key = approved(ctx)
    tree = Repo(start(ctx, key, ENGINEER, line="1.1").work.worktree)
    pick(ctx, key, ENGINEER, [fix])
    checked(ctx, key, tree.head())
    release(ctx, key, ENGINEER)
    return key


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
    rec = record.get(ctx, key)
    event = rec.last("backport")
    assert event is not None
    assert event["main_ported"] is True
    assert rec.facts["backport"] == {"1.2": "ported", "1.3": "conflict", "main": "ported"}

    conflict = Repo(shop.path / ".hotfix" / "worktrees" / f"{key}-1.3")
    conflict.write("shop/app.py", APP_FIXED)
    conflict.git("add", "shop/app.py")
    again = backport(ctx, key, ENGINEER)

    assert [(t.target, t.status) for t in again.targets] == [
        ("1.2", "ported"), ("1.3", "ported"), ("main", "ported")]
    assert not again.failed
    assert again.targets[0].message == "done by an earlier run"
    assert conflict.git("log", "-1", "--format=%s") == "Fix checkout for EU cards"
    assert conflict.head("HEAD~1") == shop.head("release/1.3")
    assert len(conflict.git("log", "--format=%H", "release/1.3..").split()) == 1


def test_already_present_and_skipped_targets(shop: Repo, ctx: Context) -> None:
    fix = three_lines(shop)
    shop.git("merge", "-q", "--no-edit", "fix/eu-cards")  # main got its own fix already
    key = released(ctx, fix)
    result = backport(ctx, key, ENGINEER, ["main", "1.0", "1.1"])
    assert [(t.target, t.status) for t in result.targets] == [
        ("1.0", "ported"), ("1.1", "skipped"), ("main", "already present")]
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
    assert record.get(ctx, key).last("backport") is None


def test_backport_cut_short_is_finished_by_resume(
        shop: Repo, ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    key = released(ctx, three_lines(shop))
    from hotfix.services import backport as backport_svc

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
