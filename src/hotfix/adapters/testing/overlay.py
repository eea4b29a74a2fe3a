"""The environment of one check: a throw-away overlay over the check environment.

The check environment (built and cached, or the project's own ``check.venv``) is never
changed. Each check makes an overlay beside it, ``.hotfix/venvs/<sha12>.run-<pid>``: a
venv without pip, from the same interpreter, whose ``zz_hotfix_base.pth`` adds the base
environment's site-packages after its own (``site.addsitedir``, so their ``.pth`` files
work too), then what hotfix needs beside the project's packages (coverage, for a
recording: installed once per interpreter under ``.hotfix/venvs/tools-<hash>``). Into the
overlay goes the project itself, installed the way CI installs it (``pip install
--no-deps -e .`` by default, so a setuptools_scm project has its ``_version.py`` and its
metadata). The overlay is removed with the check; one a killed check
left is removed by the next (``venv.sweep``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hotfix.adapters.testing import venv
from hotfix.adapters.testing.process import run_captured
from hotfix.errors import UsageError

INSTALLS = ("editable", "regular", "none")
_DROP = ("PYTHONHOME", "PYTHONPATH", "VIRTUAL_ENV", "PYTEST_CURRENT_TEST", "__PYVENV_LAUNCHER__")


@contextmanager
def overlay(home: Path, worktree: Path, sha: str, base: venv.Env, *, install: str,
            builds: bool, extra: Sequence[str] = ()) -> Iterator[Path]:
    """An overlay over ``base`` with the project installed (``install``, when it ``builds``)
    and ``extra`` requirements that ``base`` lacks; yields its Python."""
    path = home / ".hotfix" / "venvs" / f"{sha[:12]}.run-{os.getpid()}"
    venv.sweep(path.parent)
    shutil.rmtree(path, ignore_errors=True)
    facts = venv.probe(base.python)
    try:
        venv.run([facts["base_executable"], "-m", "venv", "--without-pip", str(path)],
                 "create the check's overlay environment")
        python = path / "bin" / "python"
        pip = [*venv.pip(python, facts), "install", "--disable-pip-version-check", "--quiet"]
        major, minor = facts["version"][:2]
        pth = path / "lib" / f"python{major}.{minor}" / "site-packages" / "zz_hotfix_base.pth"
        pth.write_text(_adding(facts["sites"]), "utf-8")
        missing = [r for r in extra if r not in facts["packages"]]
        if missing:
            pth.write_text(_adding([*facts["sites"], str(_tools(home, facts, missing, pip))]),
                           "utf-8")
        if builds and install != "none":
            editable = ["-e"] if install == "editable" else []
            venv.run([*pip, "--no-deps", *editable, str(worktree)],
                     f"install the project ({'pip install --no-deps ' + ' '.join(editable)} .)"
                     , env=variables(path, worktree, installed=True))
        yield python
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _adding(sites: list[str]) -> str:
    return "".join(f"import site; site.addsitedir({s!r})\n" for s in sites)


def _tools(home: Path, facts: dict[str, Any], wanted: list[str], pip: list[str]) -> Path:
    """What hotfix needs beside the project's packages (coverage), installed once per
    interpreter into ``.hotfix/venvs/tools-<hash>`` (``pip --target``), seen by overlays
    only: never by the project's environments."""
    key = hashlib.sha256(f"{facts['base_executable']}|{facts['version']}|{sorted(wanted)}"
                         .encode()).hexdigest()[:16]
    path = home / ".hotfix" / "venvs" / f"tools-{key}"
    if (path / ".complete").is_file():
        return path
    building = path.with_name(f"{path.name}.building-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    try:
        venv.run([*pip, "--target", str(building), *wanted],
                 f"install {', '.join(wanted)} for hotfix's recording")
        (building / ".complete").write_text("", "utf-8")
        if not path.exists():
            building.rename(path)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return path


def variables(env: Path | None, worktree: Path, *, installed: bool) -> dict[str, str]:
    """What tests run with: the user's environment without hotfix's own virtualenv, the
    check environment ``env`` first on PATH; the worktree importable when the project is
    not installed (``src/`` first when present)."""
    out = {k: v for k, v in os.environ.items()
           if k not in _DROP and not k.startswith(("COV_", "PYTEST_XDIST_"))}
    path = [p for p in out.get("PATH", "").split(os.pathsep) if p and p != _own_bin()]
    if env is not None:
        path.insert(0, str(env / "bin"))
        out["VIRTUAL_ENV"] = str(env)
    out["PATH"] = os.pathsep.join(path)
    if env is not None and not installed:
        paths = [str(worktree / "src")] if (worktree / "src").is_dir() else []
        out["PYTHONPATH"] = os.pathsep.join([*paths, str(worktree)])
    return out


def _own_bin() -> str:
    """hotfix's own virtualenv's bin folder (never on a test's PATH); "" outside one."""
    return str(Path(sys.prefix) / "bin") if sys.prefix != sys.base_prefix else ""


def setup(command: Sequence[str], worktree: Path, env: dict[str, str],
          python: Path | None) -> None:
    """Run ``check.setup`` in the worktree; ``python`` as its first word is the check's."""
    args = [str(python) if i == 0 and python and part in ("python", "python3") else part
            for i, part in enumerate(command)]
    try:
        code, out, err = run_captured(args, cwd=worktree, env=env)
    except OSError as exc:
        raise UsageError(f"check.setup {args[0]!r} cannot run: {exc.strerror}",
                         hint="install it, or fix check.setup in hotfix.toml") from None
    if code != 0:
        tail = "\n".join((out + err).strip().splitlines()[-12:])
        raise UsageError(f"check.setup {' '.join(command)!r} failed (exit {code}):\n{tail}",
                         hint="fix the setup command, or the project, then check again")
