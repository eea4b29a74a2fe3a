"""``hotfix close`` tidies the hotfix's worktrees, never losing work, keeping branches."""

from __future__ import annotations

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
