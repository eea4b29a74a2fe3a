"""A small released library in a real git repository, with a publish command and an index.

``tinycsv`` 1.0.0 drops the last field of a line; the fix (and its regression test) is on
branch ``fix/last-field``. ``publish.py`` copies the package at the release tag into a
folder that stands for the package index; ``check_published.py`` imports what the index
holds for ``HOTFIX_VERSION`` and checks the bug is gone — the verify command.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from hotfix.config import render_toml_value

REQ, APP, DEV = "dana@example.com", "lee@example.com", "ada@example.com"
ANSWERS = ["-a", "significant=yes", "-a", "users=60%", "-a", "workaround=no"]  # SEV2 hotfix

PARSE = '''"""A tiny CSV reader."""

__version__ = "1.0.0"


def parse_line(line: str) -> list[str]:
    return line.split(",")[:-1]
'''
FIXED = PARSE.replace('return line.split(",")[:-1]',
                      'fields = line.split(",")\n    return fields[:-1] if fields[-1] == "" '
                      'else fields')
TESTS = '''from tinycsv import parse_line


def test_a_trailing_comma_ends_the_line():
    assert parse_line("a,b,") == ["a", "b"]
'''
REGRESSION = '''

def test_the_last_field_counts():
    assert parse_line("a,b,c") == ["a", "b", "c"]
'''
PUBLISH = '''"""Publish the package in this directory (a worktree at the release tag) to INDEX."""
import pathlib, re, shutil, sys

version, index = sys.argv[1], pathlib.Path(sys.argv[2])
if not index.is_dir():
    sys.exit(f"upload failed: the index {index} is unreachable")
declared = re.search(r'__version__ = "(.+)"', pathlib.Path("src/tinycsv/__init__.py").read_text())
if declared is None or declared.group(1) != version:
    sys.exit(f"refusing to upload: the package declares {declared and declared.group(1)}")
shutil.copytree("src/tinycsv", index / f"tinycsv-{version}" / "tinycsv")
print(f"uploaded tinycsv {version} to {index}")
'''
CHECK = '''"""Exit 0 when the index's tinycsv of HOTFIX_VERSION keeps the last field."""
import os, pathlib, sys

version = os.environ["HOTFIX_VERSION"]
sys.path.insert(0, str(pathlib.Path(sys.argv[1]) / f"tinycsv-{version}"))
import tinycsv

assert tinycsv.__version__ == version, f"published {tinycsv.__version__}, not {version}"
assert tinycsv.parse_line("a,b,c") == ["a", "b", "c"], tinycsv.parse_line("a,b,c")
print(f"tinycsv {version} from the index keeps the last field")
'''


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout.strip()


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def toml(values: dict[str, object]) -> str:
    """hotfix.toml holding ``values`` (dotted keys), one table per section."""
    sections: dict[str, list[str]] = {}
    for key, value in values.items():
        head, _, leaf = key.rpartition(".")
        sections.setdefault(head, []).append(f"{leaf} = {render_toml_value(value)}")
    return "".join(f"[{head}]\n" + "\n".join(lines) + "\n\n" for head, lines in sections.items())


class Library:
    """The repository, the index folder, and the commands that publish to it and check it."""

    def __init__(self, root: Path) -> None:
        self.path = root / "tinycsv"
        self.index = root / "index"
        self.publish_py = root / "publish.py"
        self.check_py = root / "check_published.py"

    @property
    def publish_command(self) -> list[str]:
        return ["{python}", str(self.publish_py), "{version}", str(self.index)]

    @property
    def verify_command(self) -> str:
        return shlex.join([sys.executable, str(self.check_py), str(self.index)])

    def settings(self, **extra: object) -> dict[str, object]:
        return {"project.kind": "library", "approvals.approvers": [APP],
                "release.publish_command": self.publish_command, **extra}

    def configure(self, **extra: object) -> None:
        """Write hotfix.toml (committed, so main's checkout stays clean for --merge)."""
        write(self.path, {"hotfix.toml": toml(self.settings(**extra))})
        git(self.path, "add", "hotfix.toml")
        git(self.path, "commit", "-q", "-m", "Configure hotfix")


def library_project(root: Path, **settings: object) -> Library:
    """tinycsv v1.0.0 released with the bug, main moved on, the fix on fix/last-field."""
    lib = Library(root)
    write(root, {"publish.py": PUBLISH, "check_published.py": CHECK})
    repo = lib.path
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    for key, value in (("user.email", DEV), ("user.name", "Ada Dev"),
                       ("commit.gpgsign", "false"), ("tag.gpgsign", "false")):
        git(repo, "config", key, value)
    write(repo, {"pyproject.toml": '[project]\nname = "tinycsv"\nversion = "1.0.0"\n',
                 "src/tinycsv/__init__.py": PARSE, "tests/test_parse.py": TESTS,
                 "CHANGELOG.md": "# Changelog\n\n## v1.0.0\n\n- First release\n",
                 "hotfix.toml": toml(lib.settings(**settings))})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "tinycsv 1.0.0")
    git(repo, "tag", "-a", "v1.0.0", "-m", "Release v1.0.0")
    write(repo, {"README.md": "tinycsv: a tiny CSV reader\n"})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Main moves on: a README")
    git(repo, "checkout", "-q", "-b", "fix/last-field", "v1.0.0")
    write(repo, {"src/tinycsv/__init__.py": FIXED, "tests/test_parse.py": TESTS + REGRESSION})
    git(repo, "commit", "-q", "-am", "Keep the last field of a line")
    git(repo, "checkout", "-q", "main")
    return lib
