"""What hotfix runs inside a project's own Python works on every Python 3.7–3.13 (pyenv)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from hotfix.adapters.testing import env_probe, record_driver

PYENV = Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions"
VERSIONS = ["3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]
IN_PROJECT = [Path(env_probe.__file__), Path(record_driver.__file__)]


def interpreter(minor: str) -> Path:
    found = sorted(PYENV.glob(f"{minor}.*/bin/python"))
    if not found:
        pytest.skip(f"pyenv has no CPython {minor} here")
    return found[-1]


@pytest.mark.parametrize("minor", VERSIONS)
def test_the_probe_and_the_recording_driver_run_on_every_supported_python(minor: str) -> None:
    python = interpreter(minor)
    sources = [str(p) for p in IN_PROJECT]
    compiled = subprocess.run(
        [str(python), "-c", "import sys\nfor f in sys.argv[1:]:\n"
                            "    compile(open(f).read(), f, 'exec')", *sources],
        capture_output=True, text=True, check=False)
    assert compiled.returncode == 0, compiled.stderr
    probe = subprocess.run([str(python), "-I", sources[0]], capture_output=True, text=True,
                           check=True)
    facts = json.loads(probe.stdout)
    assert ".".join(map(str, facts["version"][:2])) == minor
    assert facts["in_venv"] is False
    assert Path(facts["base_executable"]).resolve() == python.resolve()
    assert facts["sites"]
