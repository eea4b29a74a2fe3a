from __future__ import annotations

import shutil

import pytest

from hotfix.errors import ConflictError, GitError, NotFound, PolicyViolation, UsageError
from hotfix.services.context import Context
from hotfix.services.git.pick import pick, pick_abort, pick_continue, pick_skip
from hotfix.services.git.resume import resume
from hotfix.services.git.start import start
from tests.gitrepo import APP_V1, Repo
from tests.hotfix_flow import ENGINEER, approved

AUSTRIA = APP_V1.replace('"IT", ', "").replace('"NL")', '"NL", "AT")')


def started(ctx: Context) -> tuple[str, Repo]:
    key = approved(ctx)
    return key, Repo(start(ctx, key, ENGINEER).work.worktree)


def conflicting_commit(shop: Repo) -> str:
    """A change made on v1.0.0's code that clashes with v1.1.0's EU list."""
    shop.git("checkout", "-q", "-b", "fix/austria", "v1.0.0")
    sha = shop.commit("Sell in Austria", {"shop/app.py": AUSTRIA})
    shop.checkout("main")
    return sha


def test_pick_adds_x_line_and_hotfix_trailer(shop: Repo, ctx: Context) -> None:
    key, tree = started(ctx)
    fix = shop.head("fix/eu-cards")
    result = pick(ctx, key, ENGINEER, [fix[:10]])
    assert [p["source"] for p in result.picked] == [fix]
    body = tree.git("log", "-1", "--format=%B")
    assert body.startswith("Fix checkout for EU cards\n")
    assert f"(cherry picked from commit {fix})" in body
    assert tree.git("log", "-1", "--format=%(trailers:key=Hotfix-Id,valueonly)") == key
    assert "return 200" in tree.read("shop/app.py")
    rec = ctx.records.get(key)
    assert rec.last("pick") == {"source": fix, "commit": tree.head(),
                                "subject": "Fix checkout for EU cards"}


def test_conflict_names_files_then_continue(shop: Repo, ctx: Context) -> None:
    key, tree = started(ctx)
    austria, fix = conflicting_commit(shop), shop.head("fix/eu-cards")
    with pytest.raises(ConflictError, match=r"stopped on a conflict in: shop/app\.py") as exc:
        pick(ctx, key, ENGINEER, [austria, fix])
    assert f"hotfix pick {key} --continue" in str(exc.value.hint)
    with pytest.raises(UsageError, match="stopped on a conflict"):
        pick(ctx, key, ENGINEER, [fix])  # nothing new starts while one is stopped
    with pytest.raises(UsageError, match=r"still unresolved .*shop/app\.py"):
        pick_continue(ctx, key, ENGINEER)
    tree.write("shop/app.py", "<<<<<<< HEAD\nx\n=======\ny\n>>>>>>> theirs\n")
    tree.git("add", "shop/app.py")
    with pytest.raises(PolicyViolation, match="conflict markers"):
        pick_continue(ctx, key, ENGINEER)
    tree.write("shop/app.py", APP_V1.replace('"NL")', '"NL", "AT")'))
    tree.git("add", "shop/app.py")

    result = pick_continue(ctx, key, ENGINEER)

    assert [p["source"] for p in result.picked] == [austria, fix]  # the queue went on
    log = tree.git("log", "--format=%s", "v1.1.0..").splitlines()
    assert log == ["Fix checkout for EU cards", "Sell in Austria"]
    assert f"(cherry picked from commit {austria})" in tree.git("log", "-1", "--format=%B",
                                                                 "HEAD~1")
    assert '"AT"' in tree.read("shop/app.py")
    assert "return 200" in tree.read("shop/app.py")
    assert [e.payload["source"] for e in ctx.records.get(key).events if e.kind == "pick"] == [
        austria, fix]


def test_abort_restores_the_branch_and_drops_the_queue(shop: Repo, ctx: Context) -> None:
    key, tree = started(ctx)
    austria, fix = conflicting_commit(shop), shop.head("fix/eu-cards")
    head = tree.head()
    with pytest.raises(ConflictError):
        pick(ctx, key, ENGINEER, [austria, fix])
    result = pick_abort(ctx, key, ENGINEER)
    assert result.dropped == [austria, fix]
    assert tree.head() == head
    assert tree.status() == ""
    assert ctx.records.get(key).last("pick") is None
    with pytest.raises(UsageError, match=r"no pick .* is stopped"):
        pick_continue(ctx, key, ENGINEER)
    pick(ctx, key, ENGINEER, [fix])  # a fresh pick works again
    assert tree.git("log", "-1", "--format=%s") == "Fix checkout for EU cards"


def test_skip_drops_one_commit_and_goes_on(shop: Repo, ctx: Context) -> None:
    key, tree = started(ctx)
    austria, fix = conflicting_commit(shop), shop.head("fix/eu-cards")
    with pytest.raises(ConflictError):
        pick(ctx, key, ENGINEER, [austria, fix])
    result = pick_skip(ctx, key, ENGINEER)
    assert result.dropped == [austria]
    assert [p["source"] for p in result.picked] == [fix]
    assert tree.git("log", "--format=%s", "v1.1.0..") == "Fix checkout for EU cards"


def test_bad_shas(shop: Repo, ctx: Context) -> None:
    key, _ = started(ctx)
    with pytest.raises(NotFound, match="'deadbeef' is not a commit"):
        pick(ctx, key, ENGINEER, ["deadbeef"])
    shop.git("checkout", "-q", "-b", "side", "v1.1.0")
    shop.commit("Side change", {"shop/side.py": "X = 1\n"})
    shop.checkout("main")
    shop.git("merge", "-q", "--no-ff", "-m", "Merge side", "side")
    with pytest.raises(UsageError, match="is a merge commit") as exc:
        pick(ctx, key, ENGINEER, ["HEAD"])
    assert exc.value.hint == f"usually the first: hotfix pick {key} HEAD -m 1"
    with pytest.raises(UsageError, match="not a merge commit"):
        pick(ctx, key, ENGINEER, ["fix/eu-cards"], mainline=1)
    assert pick(ctx, key, ENGINEER, ["HEAD"], mainline=1).picked[0]["subject"] == "Merge side"


def test_empty_pick_and_repeat_pick(shop: Repo, ctx: Context) -> None:
    key, tree = started(ctx)
    fix = shop.head("fix/eu-cards")
    pick(ctx, key, ENGINEER, [fix])
    with pytest.raises(UsageError, match=r"already on hotfix/1\.1\.1"):
        pick(ctx, key, ENGINEER, [fix])
    shop.git("checkout", "-q", "-b", "fix/again", "main")
    again = shop.commit("Same fix, made again", {"shop/app.py": tree.read("shop/app.py")})
    shop.checkout("main")
    with pytest.raises(UsageError, match="the pick is empty, the change is already applied"):
        pick(ctx, key, ENGINEER, [again])
    assert tree.status() == ""
    assert len(tree.git("log", "--format=%H", "v1.1.0..").split()) == 1


def test_commit_already_in_the_branch_history_is_refused_before_picking(
        shop: Repo, ctx: Context) -> None:
    key, tree = started(ctx)
    released, head = shop.git("rev-parse", "v1.1.0^{commit}"), tree.head()
    with pytest.raises(UsageError, match=r"already on hotfix/1\.1\.1"):
        pick(ctx, key, ENGINEER, [released[:10]])
    assert tree.status() == ""
    assert tree.head() == head
    assert ctx.records.get(key).last("pick") is None


def test_dirty_worktree_is_not_mixed_into_a_pick(shop: Repo, ctx: Context) -> None:
    key, tree = started(ctx)
    tree.write("README.md", "half-done direct fix\n")
    with pytest.raises(UsageError, match="uncommitted changes"):
        pick(ctx, key, ENGINEER, ["fix/eu-cards"])
    assert tree.read("README.md") == "half-done direct fix\n"


def test_worktree_deleted_by_hand_then_resume(shop: Repo, ctx: Context) -> None:
    key, tree = started(ctx)
    pick(ctx, key, ENGINEER, ["fix/eu-cards"])
    picked = tree.head()
    shutil.rmtree(tree.path)
    with pytest.raises(NotFound, match="missing: it was deleted or moved by hand") as exc:
        pick(ctx, key, ENGINEER, ["main"])
    assert exc.value.hint is not None
    assert f"hotfix resume {key}" in exc.value.hint
    done = resume(ctx, key, ENGINEER)
    assert done.done == [f"recreated the worktree {tree.path} from hotfix/1.1.1"]
    assert tree.head() == picked


def test_hook_rejecting_the_commit_keeps_the_change(shop: Repo, ctx: Context) -> None:
    key, tree = started(ctx)
    hook = shop.path / ".git" / "hooks" / "commit-msg"
    hook.write_text("#!/bin/sh\necho 'commit-msg: ticket number missing' >&2\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(GitError, match="ticket number missing") as exc:
        pick(ctx, key, ENGINEER, ["fix/eu-cards"])
    assert f"hotfix pick {key} --continue" in str(exc.value.hint)
    assert tree.git("diff", "--cached", "--name-only") == "shop/app.py"  # nothing lost
    hook.unlink()
    result = pick_continue(ctx, key, ENGINEER)
    assert result.picked[0]["subject"] == "Fix checkout for EU cards"
    assert "Hotfix-Id: " + key in tree.git("log", "-1", "--format=%B")


def authored(shop: Repo, branch: str, base: str, files: dict[str, str]) -> str:
    """A fix by someone else, written long ago (author ≠ committer, dates differ)."""
    shop.git("checkout", "-q", "-b", branch, base)
    for path, text in files.items():
        shop.write(path, text)
    shop.git("add", "-A")
    shop.git("commit", "-q", "-m", f"Fix on {branch}", "--author", "Bo Fixer <bo@example.com>",
             "--date", "2024-03-05T10:00:00+01:00")
    shop.checkout("main")
    return shop.head(branch)


def test_picks_keep_the_fix_author_and_date_clean_and_conflicted(
        shop: Repo, ctx: Context) -> None:
    key, tree = started(ctx)
    clean = authored(shop, "fix/bo", "v1.1.0", {"shop/app.py": APP_V1.replace(
        "        return 500\n", "        return 200\n")})
    clash = authored(shop, "fix/bo-austria", "v1.0.0", {"shop/app.py": AUSTRIA})
    pick(ctx, key, ENGINEER, [clean])
    with pytest.raises(ConflictError):
        pick(ctx, key, ENGINEER, [clash])
    tree.write("shop/app.py", tree.read("shop/app.py").split("<<<<<<<")[0] + "EU = ()\n")
    tree.git("add", "shop/app.py")
    pick_continue(ctx, key, ENGINEER)

    people = tree.git("log", "--format=%an|%ae|%aI|%cn|%ce", "v1.1.0..").splitlines()
    want = "Bo Fixer|bo@example.com|2024-03-05T10:00:00+01:00|Ada Dev|ada@example.com"
    assert people == [want, want]  # the committer is the operator, as with git cherry-pick
    assert shop.git("log", "-1", "--format=%aI", clean) == shop.git(
        "log", "-1", "--format=%aI", tree.head("HEAD~1"))
