"""``hotfix verify --bug-check NAME`` and a refused ``--bug-path``, from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from hotfix.config import render_toml_value
from tests.cli.conftest import Invoke, RecordsAt
from tests.services.rollout.test_verify import BOSS, Server, deployed

pytestmark = pytest.mark.both_modes


def test_verify_runs_a_named_check_and_refuses_a_path_off_production(
        repo: Path, tmp_path: Path, hotfix: Invoke, records_at: RecordsAt) -> None:
    prod, other = Server(), Server()
    marker = tmp_path / "ran"
    command = [sys.executable, "-c", f"import pathlib; pathlib.Path({str(marker)!r}).touch()"]
    named = f"\n[verify.bug_checks.eu-checkout]\ncommand = {render_toml_value(command)}\n"
    try:
        with deployed(repo, prod, named, records_at) as (_, key):
            ok = hotfix("verify", key, "--bug-check", "eu-checkout", "--as", BOSS)
            assert ok.code == 0, ok.err
            assert "pass bug   eu-checkout: " in ok.out
            assert marker.exists()

            bad = hotfix("verify", key, "--bug-path", f"@127.0.0.1:{other.port}/admin",
                         "--as", BOSS)
            assert bad.code == 2
            assert "must start with '/'" in bad.err
            assert other.hits == []
    finally:
        prod.close()
        other.close()
