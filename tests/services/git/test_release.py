from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hotfix.adapters.git import tagging
from hotfix.errors import GitError, GuardRefused, PolicyViolation
from hotfix.services.context import Context
from hotfix.services.git.pick import pick
from hotfix.services.git.release import release
from hotfix.services.git.resume import resume
from hotfix.services.git.start import start
from hotfix.wiring import open_context
from tests.conftest import git
from tests.gitrepo import Repo, bare_remote
from tests.hotfix_flow import ENGINEER, approved, checked


def picked_and_checked(ctx: Context) -> tuple[str, Repo]:
    key = approved(ctx)
    tree = Repo(start(ctx, key, ENGINEER).work.worktree)
    pick(ctx, key, ENGINEER, ["fix/eu-cards"])
    checked(ctx, key, tree.head())
    return key, tree


def test_release_bumps_writes_notes_commits_and_tags(shop: Repo, ctx: Context) -> None:
    key, tree = picked_and_checked(ctx)
    code = tree.head()
    fix = shop.head("fix/eu-cards")

    done = release(ctx, key, ENGINEER)

    assert (done.tag, done.version, done.commit) == ("v1.1.1", "1.1.1", code)
    assert done.bumped == {"pyproject.toml": "1.1.0", "shop/__init__.py": "1.1.0"}
    assert shop.git("cat-file", "-t", "v1.1.1") == "tag"  # annotated
    assert shop.head("v1.1.1^{commit}") == done.release_commit == tree.head()
    assert tree.head("HEAD~1") == code
    changed = tree.git("diff", "--name-only", code, "HEAD").split()
    assert changed == ["CHANGELOG.md", "pyproject.toml", "shop/__init__.py"]
    assert 'version = "1.1.1"' in shop.git("show", "v1.1.1:pyproject.toml")
    notes = shop.git("show", "v1.1.1:CHANGELOG.md")
    assert f"- Fix checkout for EU cards ({key}, {fix[:12]})" in notes
    assert notes.index("## v1.1.1") < notes.index("## v1.0.0")
    rec = ctx.records.get(key)
    assert rec.state.value == "released"
    assert rec.facts["tag"] == "v1.1.1"
    assert release(ctx, key, ENGINEER).release_commit == done.release_commit  # idempotent
    assert shop.git("tag", "--list", "v1.1.*") == "v1.1.0\nv1.1.1"


def test_release_needs_a_passing_check_on_the_exact_commit(shop: Repo, ctx: Context) -> None:
    key = approved(ctx)
    tree = Repo(start(ctx, key, ENGINEER).work.worktree)
    pick(ctx, key, ENGINEER, ["fix/eu-cards"])
    with pytest.raises(GuardRefused, match="cannot release"):
        release(ctx, key, ENGINEER)
    checked(ctx, key, tree.head("HEAD~1"))
    with pytest.raises(GuardRefused, match="not on"):
        release(ctx, key, ENGINEER)
    assert "v1.1.1" not in shop.tags()


def test_existing_tag_is_refused(shop: Repo, ctx: Context) -> None:
    key, tree = picked_and_checked(ctx)
    shop.tag("v1.1.1", "v1.1.0")  # someone tagged it meanwhile
    with pytest.raises(PolicyViolation, match=r"tag v1\.1\.1 already exists"):
        release(ctx, key, ENGINEER)
    assert shop.head("v1.1.1^{commit}") == shop.head("v1.1.0^{commit}")
    assert tree.git("log", "-1", "--format=%s") == "Fix checkout for EU cards"


def test_conflict_markers_are_never_tagged(shop: Repo, ctx: Context) -> None:
    key = approved(ctx)
    tree = Repo(start(ctx, key, ENGINEER).work.worktree)
    tree.commit("Direct fix, badly merged",
                {"shop/app.py": "<<<<<<< HEAD\nA = 1\n=======\nA = 2\n>>>>>>> fix\n"})
    checked(ctx, key, tree.head())
    with pytest.raises(PolicyViolation, match=r"conflict markers are committed .*shop/app\.py"):
        release(ctx, key, ENGINEER)
    assert "v1.1.1" not in shop.tags()


def test_push_is_atomic_branch_and_tag(shop: Repo, tmp_path: Path) -> None:
    remote = bare_remote(shop, tmp_path / "origin.git")
    ctx = open_context(shop.path, {})
    try:
        key, _ = picked_and_checked(ctx)
        done = release(ctx, key, ENGINEER)
        assert "v1.1.1" not in remote.tags()  # only with --push
        pushed = release(ctx, key, ENGINEER, push=True)
        assert pushed.pushed
        assert remote.head("refs/tags/v1.1.1^{commit}") == done.release_commit
        assert remote.head("refs/heads/hotfix/1.1.1") == done.release_commit
        # the record's head goes with the release: a witness outside the database
        witnessed = git(remote.path, "cat-file", "blob", f"refs/hotfix/anchor/{key}:head")
        assert f"record {key}\n" in witnessed
        assert f"hash {ctx.records.get(key).events[-2].hash}\n" in witnessed
    finally:
        ctx.close()


def test_push_refused_whole_when_the_remote_branch_moved(shop: Repo, tmp_path: Path) -> None:
    remote = bare_remote(shop, tmp_path / "origin.git")
    ctx = open_context(shop.path, {})
    try:
        key, _ = picked_and_checked(ctx)
        release(ctx, key, ENGINEER)
        shop.git("push", "-q", "origin", "main:refs/heads/hotfix/1.1.1")  # someone else's push
        with pytest.raises(GitError, match="nothing was pushed"):
            release(ctx, key, ENGINEER, push=True)
        assert "v1.1.1" not in remote.tags()  # the tag did not go alone
        assert not release(ctx, key, ENGINEER).pushed
    finally:
        ctx.close()


def test_signed_tag_when_git_config_asks(shop: Repo, ctx: Context, tmp_path: Path) -> None:
    key_file = tmp_path / "signing"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key_file)],
                   check=True)
    shop.git("config", "gpg.format", "ssh")
    shop.git("config", "user.signingkey", str(key_file))
    shop.git("config", "tag.gpgSign", "true")
    key, _ = picked_and_checked(ctx)
    done = release(ctx, key, ENGINEER)
    assert done.signed
    assert tagging.is_signed(shop.path, "v1.1.1")
    assert "-----BEGIN SSH SIGNATURE-----" in shop.git("cat-file", "tag", "v1.1.1")


def test_crash_between_release_commit_and_tag_then_resume(
        shop: Repo, ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    key, tree = picked_and_checked(ctx)

    def power_cut(*args: object, **kwargs: object) -> bool:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(tagging, "create", power_cut)
        with pytest.raises(KeyboardInterrupt):
            release(ctx, key, ENGINEER)
    assert "v1.1.1" not in shop.tags()
    assert tree.git("log", "-1", "--format=%s") == "Release v1.1.1"
    assert ctx.records.get(key).state.value == "tested"

    done = resume(ctx, key, ENGINEER)

    assert len(done.done) == 1
    assert done.done[0].startswith("finished the release v1.1.1")
    assert shop.head("v1.1.1^{commit}") == tree.head()
    assert tree.git("log", "--format=%s", "v1.1.0..").splitlines() == [
        "Release v1.1.1", "Fix checkout for EU cards"]  # no second release commit
    assert ctx.records.get(key).state.value == "released"
    assert resume(ctx, key, ENGINEER).to_dict()["nothing_to_do"]


def test_crash_after_the_tag_then_resume_makes_no_second_tag(
        shop: Repo, ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    key, _tree = picked_and_checked(ctx)
    real_act = ctx.records.act

    def act_then_die(key_: str, action: str, *args: object, **kwargs: object) -> object:
        if action == "release":
            raise KeyboardInterrupt
        return real_act(key_, action, *args, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(ctx.records, "act", act_then_die)
        with pytest.raises(KeyboardInterrupt):
            release(ctx, key, ENGINEER)
    tagged = shop.head("v1.1.1")
    done = resume(ctx, key, ENGINEER)
    assert "the tag was already there" in done.done[0]
    assert shop.head("v1.1.1") == tagged
    assert ctx.records.get(key).state.value == "released"


def test_crash_between_pick_commit_and_record_then_resume(
        shop: Repo, ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    key = approved(ctx)
    tree = Repo(start(ctx, key, ENGINEER).work.worktree)
    real_act = ctx.records.act
    fix = shop.head("fix/eu-cards")
    shop.git("checkout", "-q", "-b", "fix/log", "v1.1.0")
    log = shop.commit("Log declined cards", {"shop/log.py": "DECLINED = []\n"})
    shop.checkout("main")

    def act_then_die(key_: str, action: str, *args: object, **kwargs: object) -> object:
        if action == "pick":
            raise KeyboardInterrupt
        return real_act(key_, action, *args, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(ctx.records, "act", act_then_die)
        with pytest.raises(KeyboardInterrupt):
            pick(ctx, key, ENGINEER, [fix, "fix/eu-cards~0", log])
    assert ctx.records.get(key).last("pick") is None
    assert tree.git("log", "--format=%s", "v1.1.0..") == "Fix checkout for EU cards"

    done = resume(ctx, key, ENGINEER)

    assert done.done == ["finished the pick: 2 commit(s) recorded on hotfix/1.1.1"]
    assert tree.git("log", "--format=%s", "v1.1.0..").splitlines() == [
        "Log declined cards", "Fix checkout for EU cards"]  # the fix was not picked twice
    picks = [e.payload for e in ctx.records.get(key).events if e.kind == "pick"]
    assert picks[0] == {"source": fix, "commit": tree.head("HEAD~1"),
                        "subject": "Fix checkout for EU cards", "found": True}
    assert picks[1]["source"] == log
