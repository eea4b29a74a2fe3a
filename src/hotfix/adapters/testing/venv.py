"""The check environment: a virtualenv with the project's declared dependencies, cached.

Built from the project's interpreter (``check.python``; default: the Python running
hotfix) once per hash of its inputs (that interpreter and its version, the declared
requirements, the requirement files, the lock file) under
``<repo>/.hotfix/venvs/<hash>``, and reused by every later check with the same hash: pip
does not run when nothing changed.

It is isolated: it sees none of hotfix's own packages (pytest, its plugins, numpy, click).
When the project declares no pytest and the test command is pytest, pytest is added to
what pip installs (the newest that fits the interpreter). The project itself is not
installed here, since the cached environment outlives the code under test: each check
installs it into a throw-away overlay (``overlay``).

An interpreter of hotfix's own version gets a venv without pip (a tenth of a second) that
hotfix's pip installs into with ``--python``; another version gets its own pip
(``ensurepip``), so pip always supports the interpreter it installs for.

An environment is built in ``<hash>.building-<pid>`` and renamed when complete; pip runs in
a process group that dies with hotfix (``process``). A folder whose pid no longer runs was
left by a killed check: the next check removes it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotfix.adapters.pids import alive
from hotfix.adapters.testing.declared import Declared, filtered
from hotfix.adapters.testing.process import run_captured
from hotfix.errors import UsageError

PROBE = Path(__file__).with_name("env_probe.py")
FORMAT = "2"  # bump when what an environment holds changes: older ones are rebuilt
_OWNED = re.compile(r"\.(building|run)-(\d+)$")


@dataclass(frozen=True)
class Env:
    """An environment tests can run in: one hotfix built, or the project's own."""

    path: Path
    python: Path
    key: str  # the hash of the inputs; "" for the project's own virtualenv
    reused: bool
    requirements: tuple[str, ...] = ()
    seconds: float = 0.0
    source: str = "built"  # built | venv (check.venv)

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "python": str(self.python), "key": self.key,
                "reused": self.reused, "requirements": list(self.requirements),
                "seconds": round(self.seconds, 3), "source": self.source}


def interpreter(configured: str) -> Path:
    """The Python ``check.python`` names (a path or a command on PATH); default: hotfix's."""
    if not configured:
        return Path(sys.executable)
    found = shutil.which(os.path.expanduser(configured))
    if found is None:
        raise UsageError(f"check.python {configured!r} is not an interpreter on this machine",
                         hint="set check.python to a Python's path, e.g. "
                              "~/.pyenv/versions/3.8.18/bin/python (`pyenv which python`)")
    return Path(found)


def existing(path: Path) -> Env:
    """The project's own virtualenv (``check.venv``): used as it is, never changed."""
    python = path / "bin" / "python"
    if not python.is_file():
        raise UsageError(f"check.venv {str(path)!r} is not a virtualenv (no bin/python)",
                         hint="point check.venv at the folder `python -m venv` made")
    return Env(path, python, "", True, source="venv")


def ensure(home: Path, decl: Declared, *, python: Path, add: tuple[str, ...] = ()) -> Env:
    """The cached environment for these declarations and interpreter, built if missing.

    ``add``: requirements installed when the project declares none of that name."""
    start = time.monotonic()
    facts = probe(python)
    reqs = [*decl.requirements, *(r for r in add if r not in decl.names())]
    key = env_key(facts, reqs, decl)
    path = home / ".hotfix" / "venvs" / key
    sweep(path.parent)
    if (path / "hotfix-env.json").is_file():
        return Env(path, path / "bin" / "python", key, True, tuple(reqs),
                   time.monotonic() - start)
    building = path.with_name(f"{key}.building-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    try:
        _create(Path(facts["base_executable"]), building, own_pip=not _ours(facts))
        _install(building, reqs, decl)
        (building / "hotfix-env.json").write_text(json.dumps({"requirements": reqs}), "utf-8")
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    if path.exists():
        shutil.rmtree(building, ignore_errors=True)
    else:
        building.rename(path)
    return Env(path, path / "bin" / "python", key, False, tuple(reqs), time.monotonic() - start)


def env_key(facts: dict[str, Any], reqs: list[str], decl: Declared) -> str:
    digest = hashlib.sha256()
    digest.update(f"{FORMAT}|{facts['base_executable']}|{facts['version']}|{sorted(reqs)}|"
                  f"{list(decl.pins)}".encode())
    for name, data in sorted(decl.inputs.items()):
        digest.update(name.encode() + b"\0" + data)
    return digest.hexdigest()[:16]


def probe(python: Path) -> dict[str, Any]:
    """What ``python`` is and sees (``env_probe.py``, run by it)."""
    try:
        proc = subprocess.run([str(python), "-I", str(PROBE)], capture_output=True, text=True,
                              check=False, timeout=120)
    except OSError as exc:
        raise UsageError(f"cannot run the interpreter {python}: {exc.strerror}",
                         hint="set check.python or check.venv to a working Python") from None
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise UsageError(f"the interpreter {python} cannot run hotfix's probe "
                         f"(hotfix supports Python 3.7 to 3.13): {tail}",
                         hint="set check.python or check.venv to a Python 3.7 or newer")
    facts: dict[str, Any] = json.loads(proc.stdout)
    return facts


def packages(python: Path) -> dict[str, str]:
    """Every distribution the environment's Python sees, name → version."""
    found: dict[str, str] = probe(python)["packages"]
    return dict(sorted(found.items()))


def pip(python: Path, facts: dict[str, Any]) -> list[str]:
    """The pip command that installs for ``python``: its own, else hotfix's ``--python``."""
    if facts.get("pip"):
        return [str(python), "-m", "pip"]
    return [sys.executable, "-m", "pip", "--python", str(python)]


def _ours(facts: dict[str, Any]) -> bool:
    """Whether hotfix's own pip can install for this interpreter (its version, and a pip)."""
    return (tuple(facts["version"][:2]) == sys.version_info[:2]
            and importlib.util.find_spec("pip") is not None)


def sweep(venvs: Path) -> list[Path]:
    """Remove the ``.building-<pid>`` and ``.run-<pid>`` folders whose pid no longer runs."""
    stale = [p for p in venvs.glob("*-*") if (m := _OWNED.search(p.name))
             and not alive(int(m[2]))]
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return stale


def _create(base: Path, path: Path, *, own_pip: bool) -> None:
    args = [str(base), "-m", "venv", *([] if own_pip else ["--without-pip"]), str(path)]
    run(args, "create the check environment")


def _install(path: Path, reqs: list[str], decl: Declared) -> None:
    args = list(reqs)
    for file in decl.files:
        args += ["-r", str(filtered(file, path))]
    if decl.pins:
        pins = path / "requirements" / "lock-constraints.txt"
        pins.parent.mkdir(parents=True, exist_ok=True)
        pins.write_text("\n".join(decl.pins) + "\n", "utf-8")
        args += ["-c", str(pins)]
    if not reqs and not decl.files:
        return
    python = path / "bin" / "python"
    run([*pip(python, probe(python)), "install", "--disable-pip-version-check", "--quiet",
         *args], "install the project's declared dependencies" +
        (f" (pinned by {decl.lock})" if decl.lock else ""))


def run(args: list[str], doing: str, cwd: Path | None = None,
        env: dict[str, str] | None = None) -> None:
    """Run a build step; its failure is a UsageError with the tail of its output."""
    code, out, err = run_captured(args, cwd=cwd, env=env)
    if code != 0:
        tail = "\n".join((err.strip() or out.strip()).splitlines()[-12:])
        raise UsageError(f"could not {doing}:\n{tail}",
                         hint="fix what the message names (the project's requirements, "
                              "its build, check.setup), then run `hotfix check` again")
