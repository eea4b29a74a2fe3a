"""A library released to a real package index over HTTP, and verified against the artifact.

``hotfix publish`` runs the project's publish script: it builds the wheel of the release tag
with pip and uploads it (HTTP PUT) to a pypiserver-like index the test starts on loopback.
``hotfix verify`` runs the bug's own check against the published artifact: a fresh virtual
environment installs tinycsv of exactly that version from the index (pip, over HTTP, with no
other index) and the check imports it from there. Then fold back and close, no override.
"""

from __future__ import annotations

import shlex
import sys
import zipfile
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.cli.library_project import ANSWERS, APP, DEV, REQ, library_project, write
from tests.package_index import package_index

pytestmark = [pytest.mark.slow, pytest.mark.both_modes]

PUBLISH = '''"""Build the wheel of this worktree (the release tag) and upload it to the index."""
import pathlib, subprocess, sys, tempfile, urllib.request

version, index = sys.argv[1], sys.argv[2]
out = pathlib.Path(tempfile.mkdtemp())
subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), "."],
               check=True)
[wheel] = out.glob("tinycsv-*.whl")
if f"-{version}-" not in wheel.name:
    sys.exit(f"refusing to upload {wheel.name}: not version {version}")
request = urllib.request.Request(f"{index}/upload/{wheel.name}", data=wheel.read_bytes(),
                                 method="PUT")
with urllib.request.urlopen(request, timeout=60) as answer:
    print(f"uploaded {wheel.name} to {index}: {answer.status}")
'''
VERIFY = '''"""Install tinycsv==HOTFIX_VERSION from the index in a fresh venv; check the bug."""
import os, pathlib, subprocess, sys, tempfile

version, simple = os.environ["HOTFIX_VERSION"], sys.argv[1]
fresh = pathlib.Path(tempfile.mkdtemp()) / "venv"
subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True)
python = str(fresh / "bin" / "python")
subprocess.run([sys.executable, "-m", "pip", "--isolated", "--python", python, "install",
                "-q", "--no-deps", "--index-url", simple, f"tinycsv=={version}"], check=True)
probe = """
import tinycsv, sys
assert tinycsv.__file__.startswith(sys.prefix), tinycsv.__file__
assert tinycsv.__version__ == %r, tinycsv.__version__
assert tinycsv.parse_line("a,b,c") == ["a", "b", "c"], tinycsv.parse_line("a,b,c")
print("the published tinycsv", tinycsv.__version__, "keeps the last field")
""" % version
subprocess.run([python, "-c", probe], check=True, cwd=tempfile.gettempdir())
'''


def test_a_library_is_published_to_an_http_index_and_verified_from_it(
        hotfix: Invoke, tmp_path: Path) -> None:
    write(tmp_path, {"publish_wheel.py": PUBLISH, "verify_from_index.py": VERIFY})
    with package_index(tmp_path / "index") as index:
        lib = library_project(
            tmp_path, **{"release.publish_command": [
                "{python}", str(tmp_path / "publish_wheel.py"), "{version}", index.url],
                "close.require": {"library": []}})

        def run(*args: str, code: int = 0) -> Invoke:
            done = hotfix(*args, cwd=lib.path)
            assert done.code == code, done.out + done.err
            return done

        run("open", "parse_line drops the last field", *ANSWERS, "--as", REQ)
        run("approve", "HF-1", "--as", APP)
        run("start", "HF-1", "--as", DEV)
        run("pick", "HF-1", "fix/last-field", "--as", DEV)
        run("check", "HF-1", "--as", DEV)
        run("release", "HF-1", "--as", DEV)
        published = run("publish", "HF-1", "--as", DEV, "--json").json()
        assert (published["state"], published["passed"]) == ("published", True)
        assert index.uploads == ["tinycsv-1.0.1-py3-none-any.whl"]
        with zipfile.ZipFile(tmp_path / "index" / index.uploads[0]) as wheel:
            code = wheel.read("tinycsv/__init__.py").decode()
        assert '__version__ = "1.0.1"' in code  # the tagged release, bumped
        assert 'fields[:-1] if fields[-1] == ""' in code

        bug = shlex.join([sys.executable, str(tmp_path / "verify_from_index.py"),
                          index.simple])
        verified = run("verify", "HF-1", "--bug-command", bug, "--as", DEV, "--json").json()
        assert [(c["kind"], c["passed"]) for c in verified["checks"]] == [("bug", True)]
        assert verified["against"] == "the published artifact v1.0.1"
        assert index.downloads == ["tinycsv-1.0.1-py3-none-any.whl"]  # pip fetched it over HTTP

        run("backport", "HF-1", "--to", "main", "--merge", "--as", DEV)
        closed = run("close", "HF-1", "--as", DEV, "--json").json()
        assert closed["state"] == "closed"
    log = run("log", "HF-1", "--json").json()
    assert "override" not in [e["kind"] for e in log["events"]]
