"""``hotfix deploy``, ``verify`` and ``rollback`` end to end, configured by hotfix.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix.services.rollout import production
from tests.cli.conftest import Invoke, RecordsAt
from tests.services.rollout.rollout_setup import BOSS, cleanup, released, traffic

pytestmark = [pytest.mark.slow, pytest.mark.both_modes]


def test_deploy_verify_rollback_from_the_command_line(tmp_path: Path, hotfix: Invoke,
                                                      records_at: RecordsAt) -> None:
    ctx, key = released(tmp_path, {}, records_at)  # the settings in hotfix.toml
    records = records_at(ctx.root)
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
        assert records.get(key).state.value == "deployed"

        ok = hotfix("verify", key, "--bug-path", "/checkout", "--bug-method", "POST",
                    "--bug-json", '{"card_country": "DE"}', "--bug-match", "v1.0.1",
                    "--as", BOSS, "--json", cwd=ctx.root)
        assert ok.code == 0, ok.err
        assert ok.json()["passed"] is True
        assert [c["kind"] for c in ok.json()["checks"]] == ["smoke", "bug"]
        assert records.get(key).state.value == "verified"
        again = hotfix("verify", key, "--as", BOSS, "--json", cwd=ctx.root)
        assert [c["kind"] for c in again.json()["checks"]] == ["smoke", "bug"]  # kept

        back = hotfix("rollback", key, "--as", BOSS, "--json", "-m", "test", cwd=ctx.root)
        assert back.code == 1  # verified hotfixes cannot be rolled back without an override
        assert "cannot rollback" in back.err
        assert production.status(ctx)["live"]["version"] == "v1.0.1"  # untouched
        assert production.status(ctx)["split"]["weights"] == {"v1.0.1": 100.0}


def test_deploy_of_an_unreleased_hotfix_is_refused(tmp_path: Path, hotfix: Invoke,
                                                   records_at: RecordsAt) -> None:
    ctx, _ = released(tmp_path, {}, records_at)
    with cleanup(ctx):
        other = records_at(ctx.root).open("another bug", "dev@example.com").key
        out = hotfix("deploy", other, "--tag", "v1.0.1", "--as", BOSS, cwd=ctx.root)
        assert out.code == 1
        assert f"cannot deploy {other}: it is reported" in out.err
