"""GitHub's published OpenAPI description, from npm (``@octokit/openapi``), for validating
the GitHub Actions stand-in's answers.

``npm pack`` fetches the package's tarball (npm's own client, the registry it is set up
for) into a cache beside the other temporary files, and only the REST description of
api.github.com is kept from it; later runs on the machine reuse it. Without npm the tests
that need it are skipped, except in CI (CI=true), where a missing npm is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import pytest

OCTOKIT = "@octokit/openapi@23.0.2"  # pinned: the description the stand-in is held to
MEMBER = "package/generated/api.github.com.json"


def octokit_description() -> Path:
    """The path of api.github.com.json from ``OCTOKIT``, fetched once into the cache."""
    cache = Path(tempfile.gettempdir()) / "hotfix-test-cache" / OCTOKIT.replace("/", "+")
    kept = cache / "api.github.com.json"
    if kept.is_file():
        return kept
    npm = shutil.which("npm")
    if npm is None:
        message = f"npm is not installed: cannot fetch {OCTOKIT} (GitHub's OpenAPI description)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as scratch:
        subprocess.run([npm, "pack", OCTOKIT, "--silent", "--pack-destination", scratch],
                       check=True, cwd=scratch, capture_output=True, timeout=600)
        (tarball,) = Path(scratch).glob("*.tgz")
        with tarfile.open(tarball) as archive:
            source = archive.extractfile(MEMBER)
            assert source is not None, f"{OCTOKIT} has no {MEMBER}"
            part = Path(scratch) / "api.github.com.json"
            part.write_bytes(source.read())
        part.replace(kept)  # whole, so a run stopped half-way leaves nothing to reuse
    return kept


@pytest.fixture(scope="session")
def github_openapi() -> Any:
    """GitHub's REST description as an ``openapi_core.OpenAPI`` (not re-validated as a
    document on load: 13 MB, and GitHub's own tooling checks it)."""
    from openapi_core import Config, OpenAPI

    spec = json.loads(octokit_description().read_text(encoding="utf-8"))
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))
