"""The check environment: a virtualenv with the project's declared dependencies, cached.

Built once per hash of the dependency declarations (requirements files, lock files,
pyproject's dependencies and test extras, the Python version) under
``<repo>/.hotfix/venvs/<hash>``, and reused by every later check with the same hash.

Speed: ``python -m venv --without-pip`` takes a tenth of a second, and with
``check.inherit_packages`` (the default) a ``.pth`` file lets the environment see the
packages of the Python running hotfix, after its own. So pytest and coverage are there
without a download, and pip (run from hotfix's Python with ``--python``) installs only
what the project declares and that Python lacks, shadowing any other version. The
project itself is never installed: tests run from the worktree under test.

An environment is built in ``<hash>.building-<pid>`` and renamed when complete; pip runs in
a process group that dies with hotfix (``process``). A folder whose pid no longer runs was
left by a killed check: the next check removes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotfix.adapters.pids import alive
from hotfix.adapters.testing.process import run_captured
from hotfix.errors import UsageError

LOCKS = ("uv.lock", "poetry.lock", "Pipfile.lock", "pdm.lock")
_SELF = re.compile(r"^\s*(-e\s+)?(\.|file:\.?)(\[.*\])?\s*$")


@dataclass(frozen=True)
class Env:
    path: Path
    python: Path
    key: str
    reused: bool
    requirements: tuple[str, ...]
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "python": str(self.python), "key": self.key,
                "reused": self.reused, "requirements": list(self.requirements),
                "seconds": round(self.seconds, 3)}


def declared(worktree: Path, extras: list[str], globs: list[str]) -> tuple[list[str], list[Path]]:
    """Requirement strings from pyproject.toml and the requirement files found by ``globs``."""
    reqs: list[str] = []
    pyproject = worktree / "pyproject.toml"
    if pyproject.is_file():
        reqs = _from_pyproject(tomllib.loads(pyproject.read_text(encoding="utf-8")), extras)
    files = sorted({p for g in globs for p in worktree.glob(g) if p.is_file()})
    return reqs, files


def _from_pyproject(data: dict[str, Any], extras: list[str]) -> list[str]:
    project = data.get("project", {})
    own = _norm(str(project.get("name", "")))
    reqs = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    groups = data.get("dependency-groups", {})
    for extra in extras:
        reqs += list(optional.get(extra, []))
        reqs += [g for g in groups.get(extra, []) if isinstance(g, str)]
    return [r for r in reqs if _norm(re.split(r"[\s\[<>=!~;@]", r, maxsplit=1)[0]) != own]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def env_key(worktree: Path, reqs: list[str], files: list[Path], inherit: bool) -> str:
    digest = hashlib.sha256()
    digest.update(f"{sys.version}|{sys.prefix}|{inherit}|{sorted(reqs)}".encode())
    for path in [*files, *(worktree / n for n in LOCKS)]:
        if path.is_file():
            digest.update(path.relative_to(worktree).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def ensure(home: Path, worktree: Path, *, extras: list[str], globs: list[str],
           inherit: bool) -> Env:
    """The cached environment for ``worktree``'s declarations, built if missing."""
    start = time.monotonic()
    reqs, files = declared(worktree, extras, globs)
    key = env_key(worktree, reqs, files, inherit)
    path = home / ".hotfix" / "venvs" / key
    python = path / "bin" / "python"
    sweep(path.parent)
    if (path / "hotfix-env.json").is_file():
        return Env(path, python, key, True, tuple(reqs), time.monotonic() - start)
    building = path.with_name(f"{key}.building-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    try:
        _create(building, inherit)
        _install(building / "bin" / "python", reqs, files, worktree)
        (building / "hotfix-env.json").write_text(json.dumps({"requirements": reqs}), "utf-8")
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    if path.exists():
        shutil.rmtree(building, ignore_errors=True)
    else:
        building.rename(path)
    return Env(path, python, key, False, tuple(reqs), time.monotonic() - start)


def sweep(venvs: Path) -> list[Path]:
    """Remove the ``.building-<pid>`` folders whose pid no longer runs; return them."""
    stale = [p for p in venvs.glob("*.building-*") if not _owner_runs(p)]
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return stale


def _owner_runs(building: Path) -> bool:
    pid = building.name.rpartition("-")[2]
    return pid.isdigit() and alive(int(pid))


def _create(path: Path, inherit: bool) -> None:
    _run([sys.executable, "-m", "venv", "--without-pip", str(path)], "create the environment")
    if inherit:
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        site = path / "lib" / version / "site-packages"
        parents = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
        (site / "_hotfix_inherit.pth").write_text("\n".join(parents) + "\n", "utf-8")


def _install(python: Path, reqs: list[str], files: list[Path], worktree: Path) -> None:
    args = list(reqs)
    for file in files:
        args += ["-r", str(_filtered(file, python.parent.parent))]
    if not args:
        return
    _run([sys.executable, "-m", "pip", "--python", str(python), "install",
          "--disable-pip-version-check", "--quiet", *args],
         f"install the project's declared dependencies ({worktree.name})")


def _filtered(file: Path, env: Path) -> Path:
    """A copy of a requirements file without the project itself (``-e .``)."""
    lines = []
    for raw in file.read_text(encoding="utf-8").splitlines():
        if _SELF.match(raw):
            continue
        parts = raw.split(maxsplit=1)
        if len(parts) == 2 and parts[0] in ("-r", "-c", "--requirement", "--constraint"):
            raw = f"{parts[0]} {(file.parent / parts[1]).resolve()}"  # noqa: PLW2901
        lines.append(raw)
    out = env / "requirements" / file.name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", "utf-8")
    return out


def _run(args: list[str], doing: str) -> None:
    code, out, err = run_captured(args)
    if code != 0:
        tail = "\n".join((err or out).strip().splitlines()[-8:])
        raise UsageError(f"could not {doing}: {tail}",
                         hint="check the project's requirements, then run `hotfix check` again")


def packages(python: Path) -> dict[str, str]:
    """Every distribution the environment's Python sees, name → version."""
    code = ("import importlib.metadata as m, json; print(json.dumps("
            "{d.metadata['Name']: d.version for d in m.distributions() if d.metadata['Name']}))")
    proc = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    return dict(sorted(json.loads(proc.stdout).items())) if proc.returncode == 0 else {}


def test_env(env: Env, worktree: Path) -> dict[str, str]:
    """The environment variables tests run with: the venv first, the worktree importable."""
    out = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONHOME", "PYTHONPATH", "VIRTUAL_ENV") and not k.startswith("COV_")}
    paths = [str(worktree / "src")] if (worktree / "src").is_dir() else []
    out["PYTHONPATH"] = os.pathsep.join([*paths, str(worktree)])
    out["VIRTUAL_ENV"] = str(env.path)
    out["PATH"] = f"{env.path / 'bin'}{os.pathsep}{out.get('PATH', '')}"
    out["PYTHONDONTWRITEBYTECODE"] = "1"
    return out
