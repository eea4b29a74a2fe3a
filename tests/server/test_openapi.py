"""schemathesis against /openapi.json of a real server: no server errors, no response that
breaks the schema, no undocumented status code or content type."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.server.live import LiveServer

CHECKS = ("not_a_server_error,response_schema_conformance,status_code_conformance,"
          "content_type_conformance")
# the live stream never ends by design (tests/server/test_stream.py covers it); revoking
# would take the fuzzer's own token away (tests/server/test_authorization.py covers it)
EXCLUDED = "stream|revoke"
SCHEMATHESIS = "from schemathesis.cli import schemathesis; schemathesis()"  # its console script


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_no_schema_violation(server: LiveServer,
                                                                    tmp_path: Path) -> None:
    server.opened("engineer")  # HF-1, so the routes of one hotfix reach their logic
    run = subprocess.run(
        [sys.executable, "-c", SCHEMATHESIS, "run", f"{server.url}/openapi.json",
         "-H", f"Authorization: Bearer {server.tokens['admin']}", "--checks", CHECKS,
         "--exclude-path-regex", EXCLUDED, "-n", "15", "--seed", "7",
         "--phases", "examples,coverage,fuzzing", "--request-timeout", "20"],
        capture_output=True, text=True, timeout=600, check=False,
        cwd=tmp_path)  # its cache (.schemathesis/) goes there, not into the repository
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "Tested: " in run.stdout
