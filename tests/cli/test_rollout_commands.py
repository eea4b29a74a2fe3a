"""``hotfix deploy``, ``verify`` and ``rollback`` end to end, configured by hotfix.toml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hotfix.config import render_toml_value
from hotfix.services.rollout import production
from hotfix.wiring import open_context
from tests.cli.conftest import Invoke
from tests.services.rollout.rollout_setup import BOSS, cleanup, released, settings, traffic

pytestmark = pytest.mark.slow


def write_toml(root: Path, values: dict[str, Any]) -> None:
    """hotfix.toml holding ``values`` (dotted keys), one table per section."""
    sections: dict[str, list[str]] = {}
    for key, value in values.items():
        head, _, leaf = key.rpartition(".")
        sections.setdefault(head, []).append(f"{leaf} = {render_toml_value(value)}")
    text = "".join(f"[{head}]\n" + "\n".join(lines) + "\n\n" for head, lines in sections.items())
    (root / "hotfix.toml").write_text(text)


def test_deploy_verify_rollback_from_the_command_line(tmp_path: Path, hotfix: Invoke) -> None:
    ctx, key = released(tmp_path, {})
    values = settings()
    write_toml(ctx.root, values)
    ctx.close()
    ctx = open_context(ctx.root, {})
    with cleanup(ctx):
        production.up(ctx, "v1.0.0")
        with traffic(ctx):
            done = hotfix("deploy", key, "--as", BOSS, cwd=ctx.root)
        assert done.code == 0, done.err
        assert f"{key} promoted: every metric within tolerance; plan complete" in done.out
        assert f"next: hotfix verify {key}" in done.out
        assert "canary/baseline" in done.out  # the judge's numbers were on screen

        failed = hotfix("verify", key, "--bug-path", "/checkout", "--bug-method", "POST",
                        "--bug-json", '{"card_country": "DE"}', "--bug-match", "nope",
                        "--as", BOSS, cwd=ctx.root)
        assert failed.code == 1
        assert "FAIL bug   POST /checkout → 200: body lacks 'nope'" in failed.out
        assert ctx.records.get(key).state.value == "deployed"

        ok = hotfix("verify", key, "--bug-path", "/checkout", "--bug-method", "POST",
                    "--bug-json", '{"card_country": "DE"}', "--bug-match", "v1.0.1",
                    "--as", BOSS, "--json", cwd=ctx.root)
        assert ok.code == 0, ok.err
        assert ok.json()["passed"] is True
        assert [c["kind"] for c in ok.json()["checks"]] == ["smoke", "bug"]
        assert ctx.records.get(key).state.value == "verified"
        again = hotfix("verify", key, "--as", BOSS, "--json", cwd=ctx.root)
        assert [c["kind"] for c in again.json()["checks"]] == ["smoke", "bug"]  # kept

        back = hotfix("rollback", key, "--as", BOSS, "--json", "-m", "test", cwd=ctx.root)
        assert back.code == 1  # verified hotfixes cannot be rolled back without an override
        assert "cannot rollback" in back.err
        assert production.status(ctx)["live"]["version"] == "v1.0.1"  # untouched
        assert production.status(ctx)["split"]["weights"] == {"v1.0.1": 100.0}


def test_deploy_of_an_unreleased_hotfix_is_refused(tmp_path: Path, hotfix: Invoke) -> None:
    ctx, _ = released(tmp_path, {})
    write_toml(ctx.root, settings())
    with cleanup(ctx):
        other = ctx.records.open("another bug", "dev@example.com").key
        out = hotfix("deploy", other, "--tag", "v1.0.1", "--as", BOSS, cwd=ctx.root)
        assert out.code == 1
        assert f"cannot deploy {other}: it is reported" in out.err
