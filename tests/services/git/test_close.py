"""``hotfix close`` tidies the hotfix's worktrees, never losing work, keeping branches."""

from __future__ import annotations

import pytest

from hotfix.services.git.start import start
from hotfix.services.record.close import close
from hotfix.wiring import open_context
from tests.gitrepo import Repo
from tests.hotfix_flow import APPROVER, ENGINEER, approved


def test_close_removes_clean_worktrees_and_keeps_branches(shop: Repo) -> None:
    ctx = open_context(shop.path, {}, {"approvals.approvers": [APPROVER]})
    try:
        keep, tidy = approved(ctx), approved(ctx, "Another bug")
        kept_tree = start(ctx, keep, ENGINEER, line="1.1").work
        tidy_tree = start(ctx, tidy, ENGINEER, line="1.1").work
        (kept_tree.worktree / "notes.txt").write_text("half-way work\n")

        done = close(ctx, tidy, APPROVER, override="duplicate")
        assert done.record.state.value == "closed"
        assert done.removed == [str(tidy_tree.worktree)]
        assert not tidy_tree.worktree.exists()
        assert ctx.git.branch_exists(tidy_tree.branch)

        dirty = close(ctx, keep, APPROVER, override="moved to the next release")
        assert dirty.removed == []
        assert len(dirty.kept) == 1
        assert str(kept_tree.worktree) in dirty.kept[0]
        assert (kept_tree.worktree / "notes.txt").read_text() == "half-way work\n"
        assert [w.path.name for w in ctx.git.hotfix_worktrees(keep)] == [keep]
    finally:
        ctx.close()


def test_close_refuses_while_a_newer_supported_line_lacks_the_fix(shop: Repo) -> None:
    from hotfix.errors import GuardRefused
    from hotfix.services.git.backport import backport
    from hotfix.services.git.waivers import waive
    from tests.services.git.test_backport import released, three_lines

    fix = three_lines(shop)  # 1.2 ports cleanly, 1.3 conflicts
    ctx = open_context(shop.path, {}, {"approvals.approvers": [APPROVER],
                                       "backport.check": False})
    try:
        key = released(ctx, fix)
        for kind, payload in (("deploy", {}), ("promote", {}), ("verify", {"passed": True})):
            ctx.records.act(key, kind, ENGINEER, payload)
        result = backport(ctx, key, ENGINEER, merge=True)
        assert [(t.target, t.status) for t in result.targets] == [
            ("1.2", "merged"), ("1.3", "conflict"), ("main", "merged")]
        assert ctx.records.get(key).folded_into_main

        with pytest.raises(GuardRefused, match=r"supported newer line\(s\) 1\.3 lack the fix, "
                           r"so users upgrading from v1\.1\.1 would lose it") as refused:
            close(ctx, key, ENGINEER)
        assert f"hotfix backport {key} --to 1.3 --merge" in str(refused.value.hint)
        assert f"--line 1.3 --reason \"why\" --hotfix {key}" in str(refused.value.hint)
        assert ctx.records.get(key).state.value == "folded_back"  # nothing recorded

        waive(ctx, fix, "1.3", "1.3 rewrote checkout; the bug is not there", APPROVER,
              hotfix=key)
        assert close(ctx, key, ENGINEER).record.state.value == "closed"
    finally:
        ctx.close()
