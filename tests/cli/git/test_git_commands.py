"""The git engine's commands, run in-process through the real entry point."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from hotfix.services.context import Context
from tests.cli.conftest import Invoke
from tests.gitrepo import APP_V1, Repo
from tests.hotfix_flow import ENGINEER, approved, checked

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(shop: Repo, hotfix: Invoke) -> Cli:
    """The CLI in-process (tests/cli/conftest.py), run in the shop repository.

    Its hotfix.toml is left uncommitted, as `hotfix init` leaves it: it never blocks --merge.
    The shop has no tests, so the test gate on ports is off (tested in test_port_gate.py)."""
    shop.write("hotfix.toml", "[backport]\ncheck = false\n")

    def invoke(*args: str) -> tuple[int, str, str]:
        result = hotfix(*args, cwd=shop.path)
        return result.code, result.out, result.err

    return invoke


def test_lines_json(cli: Cli, shop: Repo) -> None:
    shop.branch("release/1.1", "v1.1.0")
    code, out, _ = cli("lines", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["mainline"] == "main"
    assert [(x["line"], x["latest_tag"], x["branch"]) for x in data["lines"]] == [
        ("1.0", "v1.0.0", None), ("1.1", "v1.1.0", "release/1.1")]


def test_start_pick_release_backport(cli: Cli, shop: Repo, ctx: Context) -> None:
    key = approved(ctx)
    code, out, _ = cli("start", key, "--line", "1.1", "--as", ENGINEER, "--json")
    assert code == 0
    started = json.loads(out)
    assert (started["branch"], started["tag"]) == ("hotfix/1.1.1", "v1.1.1")
    code, out, _ = cli("pick", key, "fix/eu-cards", "--as", ENGINEER)
    assert code == 0
    assert "Fix checkout for EU cards" in out
    tree = Repo(shop.path / ".hotfix" / "worktrees" / key)
    code, _, err = cli("release", key, "--as", ENGINEER)
    assert code == 1
    assert "hotfix check" in err
    checked(ctx, key, tree.head())
    code, out, _ = cli("release", key, "--as", ENGINEER, "--json")
    assert code == 0
    assert json.loads(out)["tag"] == "v1.1.1"
    code, out, _ = cli("backport", key, "--to", "main", "--as", ENGINEER, "--json")
    assert code == 0
    assert [(t["target"], t["status"]) for t in json.loads(out)["targets"]] == [
        ("main", "ported")]


def test_pick_conflict_exit_codes_and_messages(cli: Cli, shop: Repo, ctx: Context) -> None:
    key = approved(ctx)
    assert cli("start", key, "--as", ENGINEER)[0] == 0
    shop.git("checkout", "-q", "-b", "fix/austria", "v1.0.0")
    shop.commit("Sell in Austria", {"shop/app.py": APP_V1.replace('"IT", ', "")
                                    .replace('"NL")', '"NL", "AT")')})
    shop.checkout("main")
    code, _, err = cli("pick", key, "fix/austria", "--as", ENGINEER)
    assert code == 1
    assert "conflict in: shop/app.py" in err
    assert f"hotfix pick {key} --continue" in err
    code, _, err = cli("pick", key, "--continue", "--abort")
    assert code == 2
    assert "alone" in err
    code, out, _ = cli("pick", key, "--abort", "--as", ENGINEER)
    assert code == 0
    assert "dropped" in out
    code, out, _ = cli("resume", key, "--as", ENGINEER)
    assert code == 0
    assert "nothing to resume" in out


def test_backport_conflict_exits_1_with_the_summary(cli: Cli, shop: Repo, ctx: Context) -> None:
    shop.commit("Main: EU cards get 503", {"shop/app.py": APP_V1.replace("500", "503")})
    key = approved(ctx)
    cli("start", key, "--as", ENGINEER)
    cli("pick", key, "fix/eu-cards", "--as", ENGINEER)
    checked(ctx, key, Repo(shop.path / ".hotfix" / "worktrees" / key).head())
    cli("release", key, "--as", ENGINEER)
    code, out, _ = cli("backport", key, "--as", ENGINEER)
    assert code == 1
    assert "main" in out
    assert "conflict" in out
    assert "shop/app.py" in out
    assert f"hotfix backport {key} --to main" in out


def test_backport_merge_with_a_dirty_checkout_then_clean(
        cli: Cli, shop: Repo, ctx: Context) -> None:
    key = approved(ctx)
    cli("start", key, "--as", ENGINEER)
    cli("pick", key, "fix/eu-cards", "--as", ENGINEER)
    checked(ctx, key, Repo(shop.path / ".hotfix" / "worktrees" / key).head())
    cli("release", key, "--as", ENGINEER)
    for kind, payload in (("deploy", {}), ("promote", {}), ("verify", {"passed": True})):
        ctx.records.act(key, kind, ENGINEER, payload)
    old = shop.head("main")

    code, out, _ = cli("backport", key, "--as", ENGINEER)  # ported only: main lacks the fix
    assert code == 0
    assert f"on backport/{key}-main, not merged into main yet" in out
    assert f"next: hotfix backport {key} --to main --merge" in out
    assert "main has the fix: no" in out
    code, _, err = cli("close", key, "--as", ENGINEER)
    assert code == 1
    assert "not folded back into main: main is ported" in err

    shop.write("README.md", "half-done edit\n")
    code, out, _ = cli("backport", key, "--merge", "--as", ENGINEER)
    assert code == 1
    assert "uncommitted changes (README.md); not touched" in out
    assert shop.head("main") == old
    assert shop.read("README.md") == "half-done edit\n"

    shop.git("checkout", "--", "README.md")
    code, out, _ = cli("backport", key, "--merge", "--as", ENGINEER, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["main_ported"] is True
    assert [(t["target"], t["status"], t["merge"], t["next"]) for t in data["targets"]] == [
        ("main", "merged", "fast-forwarded", None)]
    # the port, then main's changelog entry for its next regular release (backport.changelog)
    assert shop.head("main~1") == shop.head(f"backport/{key}-main")
    assert data["targets"][0]["changelog"]["status"] == "written"
    fix = shop.head("fix/eu-cards")
    assert f"## Unreleased\n\n- Fix checkout for EU cards ({key}, {fix[:12]})\n" in \
        shop.read("CHANGELOG.md")
    code, out, _ = cli("backport", key, "--merge", "--as", ENGINEER)
    assert "changelog on main (listed): the mainline lists it already" in out
    code, out, _ = cli("close", key, "--as", ENGINEER)
    assert code == 0
