"""A hotfix record ready for the git engine: opened, triaged, approved; checks recorded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hotfix.services.context import Context
from hotfix.wiring import open_context
from tests.gitrepo import Repo

ENGINEER = "ada@example.com"
APPROVER = "lee@example.com"
ANSWERS = {"significant": "yes", "users_affected": "35%", "workaround": "no",
           "costing_money": "yes"}


# the shop has no test suite, so the test gate on ports (backport.check) would stop every
# --merge with "nothing was verified"; the gate is tested on a project with tests
# (tests/services/git/test_port_gate.py); these tests follow the port itself onto main, so
# main's changelog entry (one more commit there) is left to tests/services/git/
# test_mainline_entry.py
SHOP_SETTINGS = {"backport.check": False, "backport.changelog": "none"}


@pytest.fixture
def ctx(shop: Repo) -> Iterator[Context]:
    context = open_context(shop.path, {}, SHOP_SETTINGS)
    yield context
    context.close()


def approved(ctx: Context, title: str = "Checkout returns 500 for EU cards") -> str:
    rec = ctx.records.open(title, "rey@example.com", ANSWERS)
    ctx.records.act(rec.key, "approve", APPROVER, {"note": "go"})
    return rec.key


def checked(ctx: Context, key: str, commit: str) -> None:
    """What `hotfix check` records when the checks pass on ``commit``."""
    ctx.records.act(key, "check", ENGINEER, {"passed": True, "commit": commit})


def released(ctx: Context, fix: str = "fix/eu-cards") -> str:
    """A hotfix approved, started on line 1.1, ``fix`` picked, checked and released."""
    from hotfix.services.git.pick import pick
    from hotfix.services.git.release import release
    from hotfix.services.git.start import start

    key = approved(ctx)
    tree = Repo(start(ctx, key, ENGINEER, line="1.1").work.worktree)
    pick(ctx, key, ENGINEER, [fix])
    checked(ctx, key, tree.head())
    release(ctx, key, ENGINEER)
    return key
