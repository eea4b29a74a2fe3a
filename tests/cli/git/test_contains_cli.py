"""``hotfix contains`` after a real ``hotfix release``: the hotfix's own release (its tag on
the ``hotfix/`` branch only) is listed, decided from its history and its tree; then a revert
on the line takes the fix out of the next release."""

from __future__ import annotations

from hotfix.services.context import Context
from tests.cli.conftest import Invoke
from tests.gitrepo import Repo
from tests.hotfix_flow import ENGINEER, approved, checked


def test_the_hotfix_s_own_release_then_a_revert(shop: Repo, hotfix: Invoke,
                                                ctx: Context) -> None:
    shop.write("hotfix.toml", "[backport]\ncheck = false\n")
    key = approved(ctx)
    assert hotfix("start", key, "--line", "1.1", "--as", ENGINEER, cwd=shop.path).code == 0
    assert hotfix("pick", key, "fix/eu-cards", "--as", ENGINEER, cwd=shop.path).code == 0
    checked(ctx, key, Repo(shop.path / ".hotfix" / "worktrees" / key).head())
    released = hotfix("release", key, "--as", ENGINEER, "--json", cwd=shop.path)
    assert released.code == 0, released.err
    assert released.json()["tag"] == "v1.1.1"
    picked = shop.git("rev-list", "-1", "--grep", "cherry picked", "v1.1.1")

    found = hotfix("contains", key, "--json", cwd=shop.path)
    assert found.code == 0, found.err
    data = found.json()
    assert data["tags"] == ["v1.1.1"]
    by_tag = {r["tag"]: r for r in data["releases"]}
    assert by_tag["v1.1.1"]["state"] == "present"
    assert by_tag["v1.1.1"]["how"] == "history+tree"
    assert by_tag["v1.1.1"]["commit"] == picked
    assert by_tag["v1.1.0"]["how"] == "absent"
    assert by_tag["v1.0.0"]["how"] == "absent"

    assert shop.git("branch", "--format=%(refname:short)", "--contains", "v1.1.1") \
        == "hotfix/1.1.1"
    shop.git("checkout", "-q", "-b", "release/1.1", "v1.1.1")
    shop.git("revert", "--no-edit", picked)
    revert = shop.head()
    shop.tag("v1.1.2")
    shop.checkout("main")
    human = hotfix("contains", key, cwd=shop.path)
    assert human.code == 0, human.err
    assert f"{key} is in: v1.1.1" in human.out
    assert "but not in v1.1.2" in human.out
    assert f"v1.1.1       present  {picked[:12]} in its history, the fix's patch in its tree" \
        in human.out
    assert f"v1.1.2       absent   reverted before v1.1.2 by {revert[:12]}" in human.out
    assert "1 release(s) with nothing of it: v1.1.0" in human.out
