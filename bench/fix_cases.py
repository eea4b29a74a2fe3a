"""The real fixes of impact_fixes_bench.py: projects from bench/impact_fix_cases.toml, each
a clone of its fetched snapshot with its own venv, and each fix as a base/head pair.

Base: the fix commit. Head: that commit with the fix's source files reverted to their
parent's version (its tests kept), committed on top. Nothing here selects or judges.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE / "impact_fix_cases.toml"
OUT = HERE / "out" / "impact-fixes"  # clones of the snapshots (git-ignored)
# work trees and venvs outside any other project, so no foreign pytest config applies
WORK = Path(tempfile.gettempdir()) / "hotfix-impact-fixes"
MIRRORS = Path(os.environ.get("HOTFIX_BENCH_MIRRORS", "/work/.mirror"))
EXCLUDE = ".hotfix/\nhotfix.toml\n.testmondata*\n__pycache__/\n.pytest_cache/\n*.egg-info/\n"


@dataclass(frozen=True)
class Project:
    name: str
    repo: str
    snapshot: str
    python: str
    pip: tuple[str, ...]
    install: bool
    roots: tuple[str, ...]
    source: str
    tests: str
    cases: tuple[str, ...]

    @property
    def work(self) -> Path:
        return WORK / self.name


class CannotRun(Exception):
    """A project or a case that cannot be set up: its cases count as misses."""


def load(path: Path = CASES) -> list[Project]:
    data = tomllib.loads(path.read_text("utf-8"))
    return [Project(p["name"], p["repo"], p["snapshot"], p["python"], tuple(p["pip"]),
                    bool(p["install"]), tuple(p["roots"]), p["source"], p["tests"],
                    tuple(p["cases"])) for p in data["project"]]


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@example.com"}
    proc = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True,
                          check=False)
    if proc.returncode:
        raise CannotRun(f"git {' '.join(args)}: {proc.stderr.strip()[-300:]}")
    return proc.stdout.strip()


def clone(project: Project) -> Path:
    """A work clone of the project's snapshot (cached as a bare clone in bench/out/)."""
    mirror = MIRRORS / project.repo.replace("/", "+") / "repo"
    cached = OUT / f"{project.name}.git"
    if not cached.is_dir():
        if not mirror.is_dir():
            raise CannotRun(f"no snapshot of {project.repo}: fetch github:{project.repo} "
                            f"(or set HOTFIX_BENCH_MIRRORS)")
        OUT.mkdir(parents=True, exist_ok=True)
        git(OUT, "clone", "-q", "--bare", str(mirror), str(cached))
    git(cached, "cat-file", "-e", f"{project.snapshot}^{{commit}}")
    repo = project.work / "repo"
    if not repo.is_dir():
        project.work.mkdir(parents=True, exist_ok=True)
        git(project.work, "clone", "-q", "--no-checkout", str(cached), str(repo))
    (repo / ".git" / "info" / "exclude").write_text(EXCLUDE, "utf-8")
    stale = [t for t in git(repo, "tag", "--list", "case-*").splitlines() if t]
    if stale:  # an earlier run's case tags: setuptools_scm would take one for the version
        git(repo, "tag", "-d", *stale)
    roots = ", ".join(f'"{r}"' for r in project.roots)
    (repo / "hotfix.toml").write_text(f"[impact]\nsource_roots = [{roots}]\n", "utf-8")
    return repo


def venv(project: Project, repo: Path) -> Path:
    """The project's own interpreter (pyenv's CPython ``python``) with its test deps."""
    key = hashlib.sha256(repr((project.python, project.pip)).encode()).hexdigest()[:10]
    env_dir = project.work / f"venv-{key}"
    python = env_dir / "bin" / "python"
    if not python.is_file():
        base = _pyenv_python(project.python)
        shutil.rmtree(env_dir, ignore_errors=True)
        _run([str(base), "-m", "venv", str(env_dir)], "create the venv")
        _run([str(python), "-m", "pip", "install", "-q", *project.pip], "install test deps")
    if project.install:
        git(repo, "checkout", "-q", "-f", project.cases[0])
        _run([str(python), "-m", "pip", "install", "-q", "--no-deps", "-e", str(repo)],
             "install the project")
    return python


def _pyenv_python(version: str) -> Path:
    root = Path(subprocess.run(["pyenv", "root"], capture_output=True, text=True,
                               check=False).stdout.strip() or "~/.pyenv").expanduser()
    found = sorted((root / "versions").glob(f"{version}.*"))
    if version == f"{sys.version_info[0]}.{sys.version_info[1]}" and not found:
        return Path(sys.executable)
    if not found:
        raise CannotRun(f"no CPython {version} in pyenv (pyenv install {version})")
    return found[-1] / "bin" / "python"


def _run(args: list[str], what: str) -> None:
    proc = subprocess.run(args, capture_output=True, text=True, check=False, timeout=1200)
    if proc.returncode:
        raise CannotRun(f"cannot {what}: {(proc.stderr or proc.stdout).strip()[-400:]}")


def make_case(project: Project, repo: Path, index: int, commit: str) -> tuple[str, str, list[str]]:
    """(base tag, head tag, reverted files): head = the fix with its source reverted."""
    base, head = f"case-{index}-base", f"case-{index}-head"
    git(repo, "checkout", "-q", "-f", "--detach", commit)
    git(repo, "clean", "-qfdx", "-e", "hotfix.toml", "-e", ".hotfix", "-e", "*.egg-info",
        "-e", "_version.py", "-e", "version.py")
    changed = git(repo, "diff-tree", "--no-commit-id", "-r", "--name-status", f"{commit}^",
                  commit).splitlines()
    source = [line.split("\t")[-1] for line in changed
              if re.search(project.source, line.split("\t")[-1])
              and not re.search(project.tests, line.split("\t")[-1])]
    if not source:
        raise CannotRun(f"{commit[:10]} changes no source file matching {project.source}")
    for line in changed:
        status, *paths = line.split("\t")
        if paths[-1] not in source:
            continue
        if status.startswith(("A", "R")):
            git(repo, "rm", "-q", "--", paths[-1])
        if not status.startswith("A"):
            git(repo, "checkout", f"{commit}^", "--", paths[0])
    git(repo, "commit", "-q", "-m", f"revert the source of {commit[:10]}")
    git(repo, "tag", "-f", base, commit)
    git(repo, "tag", "-f", head, "HEAD")
    return base, head, source


def shutil_rm(path: Path) -> None:
    for found in path.parent.glob(path.name + "*"):
        found.unlink()
