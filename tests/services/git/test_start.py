from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hotfix.errors import GuardRefused, NotFound, PolicyViolation, UsageError
from hotfix.services.context import Context
from hotfix.services.git.lines import discover_lines
from hotfix.services.git.start import start
from hotfix.wiring import open_context
from tests.gitrepo import Repo, bare_remote, init
from tests.hotfix_flow import ENGINEER, approved


def test_lines_of_the_shop(ctx: Context) -> None:
    found = discover_lines(ctx.git, ctx.cfg)
    assert [(x.name, x.tags, x.latest_tag, x.tip, x.supported) for x in found] == [
        ("1.0", ("v1.0.0",), "v1.0.0", "v1.0.0", True),
        ("1.1", ("v1.1.0",), "v1.1.0", "v1.1.0", True),
    ]


def test_start_branches_from_the_tag_and_never_touches_the_user_checkout(
        shop: Repo, ctx: Context) -> None:
    shop.write("README.md", "local, unsaved edit\n")
    shop.write("notes.txt", "untracked\n")
    shop.git("add", "notes.txt")
    shop.write("shop/stock.py", "STOCK = {'x': 1}\n")
    shop.git("stash", "push", "--", "shop/stock.py")
    before = (shop.head(), shop.status(), shop.git("stash", "list"), shop.read("README.md"),
              shop.git("diff", "--cached"))
    key = approved(ctx)

    started = start(ctx, key, ENGINEER)

    work = started.work
    assert (work.line, work.base_tag, work.version, work.tag, work.branch) == (
        "1.1", "v1.1.0", "1.1.1", "v1.1.1", "hotfix/1.1.1")
    assert work.worktree == shop.path / ".hotfix" / "worktrees" / key
    assert Repo(work.worktree).head() == shop.head("v1.1.0^{commit}")
    assert Repo(work.worktree).git("branch", "--show-current") == "hotfix/1.1.1"
    after = (shop.head(), shop.status(), shop.git("stash", "list"), shop.read("README.md"),
             shop.git("diff", "--cached"))
    assert after == before
    rec = ctx.records.get(key)
    assert rec.state.value == "in_progress"
    assert rec.facts["branch"] == "hotfix/1.1.1"
    assert rec.facts["base_tag"] == "v1.1.0"


def test_start_on_an_older_line(ctx: Context) -> None:
    key = approved(ctx)
    assert start(ctx, key, ENGINEER, line="1.0").work.tag == "v1.0.1"


def test_version_is_reserved_against_remote_tags_and_hotfix_branches(
        shop: Repo, tmp_path: Path) -> None:
    remote = bare_remote(shop, tmp_path / "origin.git")
    shop.tag("v1.1.1", "v1.1.0")
    shop.git("push", "-q", "origin", "v1.1.1")
    shop.git("tag", "-d", "v1.1.1")  # only the remote has it now
    shop.branch("hotfix/1.1.2", "v1.1.0")  # another hotfix holds 1.1.2
    assert "v1.1.1" in remote.tags()
    ctx = open_context(shop.path, {})
    try:
        key = approved(ctx)
        assert start(ctx, key, ENGINEER).work.version == "1.1.3"
        second = approved(ctx, "Another bug")
        assert start(ctx, second, ENGINEER).work.version == "1.1.4"
    finally:
        ctx.close()


def test_version_scheme_is_configurable(shop: Repo) -> None:
    ctx = open_context(shop.path, {}, {"lines.version_scheme": "X.Y.Z+10"})
    try:
        assert start(ctx, approved(ctx), ENGINEER).work.version == "1.1.10"
    finally:
        ctx.close()


def test_start_needs_an_approved_hotfix(ctx: Context) -> None:
    rec = ctx.records.open("Not approved", "rey@example.com")
    with pytest.raises(GuardRefused, match="cannot start"):
        start(ctx, rec.key, ENGINEER)
    assert not (ctx.root / ".hotfix" / "worktrees").exists()


def test_line_errors(shop: Repo, ctx: Context) -> None:
    shop.branch("release/2.0", "main")
    key = approved(ctx)
    with pytest.raises(NotFound, match=r"line 2\.0 has no release") as no_release:
        start(ctx, key, ENGINEER, line="2.0")
    assert "git tag -a v2.0.0" in str(no_release.value.hint)
    with pytest.raises(NotFound, match=r"no release line 3\.1"):
        start(ctx, key, ENGINEER, line="3.1")
    with pytest.raises(UsageError, match="not a release line"):
        start(ctx, key, ENGINEER, line="1.1; rm -rf /")
    assert ctx.records.get(key).state.value == "approved"


def test_ambiguous_tag(shop: Repo, ctx: Context) -> None:
    shop.tag("1.1.0", "main")  # same version as v1.1.0, another commit
    with pytest.raises(UsageError, match=r"ambiguous: tags 1\.1\.0, v1\.1\.0") as exc:
        start(ctx, approved(ctx), ENGINEER)
    assert "git tag -d" in str(exc.value.hint)


def test_unsupported_line_is_refused(shop: Repo) -> None:
    ctx = open_context(shop.path, {}, {"lines.support": {"1.0": False, "1.1": "2000-01-01"}})
    try:
        with pytest.raises(PolicyViolation, match=r"1\.1 is not supported .* since 2000-01-01"):
            start(ctx, approved(ctx), ENGINEER, line="1.1")
    finally:
        ctx.close()


def test_shallow_clone_says_how_to_deepen(shop: Repo, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-local", str(shop.path),
                    str(clone)], check=True)
    ctx = open_context(clone, {})
    try:
        with pytest.raises(UsageError, match="shallow") as exc:
            start(ctx, approved(ctx), ENGINEER)
        assert exc.value.hint == "deepen it first: git fetch --unshallow --tags"
    finally:
        ctx.close()


def test_start_cut_short_is_finished_by_resume_with_the_same_version(
        shop: Repo, ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    from hotfix.adapters.git import worktrees
    from hotfix.services.git.resume import resume

    key = approved(ctx)
    shop.branch("hotfix/1.1.1", "v1.1.0")  # reserved by someone else: we get 1.1.2

    def power_cut(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(worktrees, "add", power_cut)
        with pytest.raises(KeyboardInterrupt):
            start(ctx, key, ENGINEER)
    assert ctx.records.get(key).state.value == "approved"
    shop.git("branch", "-D", "hotfix/1.1.1")  # freed meanwhile: the reservation still holds

    done = resume(ctx, key, ENGINEER)

    assert done.done[0].startswith("finished start: hotfix/1.1.2 from v1.1.0")
    rec = ctx.records.get(key)
    assert rec.state.value == "in_progress"
    assert rec.facts["version"] == "1.1.2"
    assert Repo(Path(rec.facts["worktree"])).git("branch", "--show-current") == "hotfix/1.1.2"


def test_a_repository_without_releases_says_how_to_make_one(tmp_path: Path,
                                                              git_sandbox: Path) -> None:
    repo = init(tmp_path / "bare")
    repo.commit("init", {"README.md": "hi\n"})
    ctx = open_context(repo.path, {})
    try:
        key = approved(ctx)
        with pytest.raises(NotFound, match="no release lines yet") as info:
            start(ctx, key, ENGINEER)
        assert "git tag -a v1.0.0" in (info.value.hint or "")
    finally:
        ctx.close()
