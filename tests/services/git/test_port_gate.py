"""The test gate on ports: ``backport --merge`` checks a port (the check pipeline, on a
project with tests) before it moves the target, so a badly resolved conflict never lands."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hotfix.services.context import Context
from hotfix.services.git.backport import backport
from hotfix.services.git.pick import pick
from hotfix.services.git.release import release
from hotfix.services.git.start import start
from hotfix.wiring import open_context
from tests.gitrepo import APP_FIXED, APP_V1, Repo, init
from tests.hotfix_flow import ENGINEER, approved, checked

TESTS = '''from shop.app import checkout


def test_other_countries_pay():
    assert checkout("US") == 200
'''
REGRESSION = '''

def test_eu_cards_pay():
    assert checkout("DE") == 200
'''
MAIN_APP = APP_V1.replace("    if card_country in EU:\n", "    if card_country in EU:  # 2.0\n")


@pytest.fixture
def project(tmp_path: Path, git_sandbox: Path) -> Iterator[tuple[Repo, Context]]:
    repo = init(tmp_path / "shop")
    repo.commit("Shop 1.1.0", {"pyproject.toml": '[project]\nname = "shop"\nversion = "1.1.0"\n',
                               "shop/__init__.py": "", "shop/app.py": APP_V1,
                               "tests/__init__.py": "", "tests/test_app.py": TESTS})
    repo.tag("v1.1.0")
    repo.commit("Main: 2.0 work on checkout", {"shop/app.py": MAIN_APP})
    repo.git("checkout", "-q", "-b", "fix/eu-cards", "v1.1.0")
    repo.commit("Fix checkout for EU cards", {"shop/app.py": APP_FIXED,
                                              "tests/test_app.py": TESTS + REGRESSION})
    repo.checkout("main")
    ctx = open_context(repo.path, {})
    yield repo, ctx
    ctx.close()


def test_a_badly_resolved_port_is_not_merged_until_its_tests_pass(
        project: tuple[Repo, Context]) -> None:
    repo, ctx = project
    key = approved(ctx)
    tree = Repo(start(ctx, key, ENGINEER).work.worktree)
    pick(ctx, key, ENGINEER, ["fix/eu-cards"])
    checked(ctx, key, tree.head())
    release(ctx, key, ENGINEER)
    main = repo.head("main")

    first = backport(ctx, key, ENGINEER, ["main"], merge=True)
    assert [t.status for t in first.targets] == ["conflict"]
    port = Repo(Path(str(first.targets[0].worktree)))
    port.write("shop/app.py", MAIN_APP)  # resolved badly: main's side, the fix lost
    port.git("add", "shop/app.py")

    gated = backport(ctx, key, ENGINEER, ["main"], merge=True)
    [target] = gated.targets
    assert (target.status, target.merge) == ("ported", "check failed")
    assert target.check is not None
    assert target.check["passed"] is False
    assert "tests/test_app.py::test_eu_cards_pay" in target.check["reason"]
    assert "the check of backport/HF-1-main did not pass" in target.message
    assert target.next == (f"fix it in {port.path} (commit on backport/{key}-main), then: "
                           f"hotfix backport {key} --to main --merge")
    assert gated.failed
    assert repo.head("main") == main  # main never saw the bad port
    assert not ctx.records.get(key).folded_into_main

    port.write("shop/app.py", MAIN_APP.replace("        return 500\n", "        return 200\n"))
    port.git("commit", "-q", "-am", "Port: keep the fix")
    landed = backport(ctx, key, ENGINEER, ["main"], merge=True)
    assert [(t.status, t.merge) for t in landed.targets] == [("merged", "fast-forwarded")]
    assert landed.targets[0].check is not None
    assert landed.targets[0].check["passed"] is True
    assert repo.head("main") == port.head()
    assert ctx.records.get(key).folded_into_main
