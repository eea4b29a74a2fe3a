"""Which environment a check's (or a recording's) tests run in, from the settings.

- The test command's first word is ``python``, ``python3`` or ``pytest``: it runs in a
  check environment, the project's own virtualenv (``check.venv``, never changed) or one
  hotfix builds and caches from ``check.python`` (default: hotfix's Python) and the
  project's declarations; each check adds a throw-away overlay with the project installed
  (``check.install_project``).
- Any other program (``tox``, ``nox``, ``uv``, ``make``): the project's own command brings
  its environment; hotfix builds none.

Then ``check.setup`` runs in the worktree, with that environment.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hotfix.adapters.testing import overlay, venv
from hotfix.adapters.testing.declared import Declared, declared
from hotfix.adapters.testing.pytest_run import is_pytest
from hotfix.config import Config
from hotfix.errors import UsageError

IN_ENV = ("python", "python3", "pytest", "py.test")


@dataclass(frozen=True)
class RunEnv:
    """Where tests run: ``python`` (None: the project's own command) and the variables."""

    python: Path | None
    variables: dict[str, str]
    base: venv.Env | None = None
    installed: str = "none"  # how the project is installed: editable | regular | none
    setup: tuple[str, ...] = ()
    packages: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {**(self.base.to_dict() if self.base else {"source": "command"}),
                "project_install": self.installed, "setup": list(self.setup),
                "packages": self.packages}


def in_env(command: Sequence[str]) -> bool:
    return bool(command) and Path(str(command[0])).name in IN_ENV


@contextmanager
def prepared(home: Path, tree: Path, sha: str, cfg: Config, *,
             extra: Sequence[str] = ()) -> Iterator[RunEnv]:
    """The environment for the worktree ``tree`` at ``sha``; ``extra``: what hotfix itself
    needs in it (coverage, for a recording), installed into the overlay only."""
    command = [str(c) for c in cfg.list("check.test_command")]
    setup = tuple(str(c) for c in cfg.list("check.setup"))
    if not in_env(command) and not extra:
        env = RunEnv(None, overlay.variables(None, tree, installed=True), setup=setup)
        if setup:
            overlay.setup(setup, tree, env.variables, None)
        yield env
        return
    install = _install_mode(cfg)
    if extra and install == "regular":
        install = "editable"  # coverage measures the worktree's files, not an installed copy
    decl = declared(tree, cfg.list("check.extras"), cfg.list("check.requirements"))
    base = _base(home, cfg, decl, pytest=is_pytest(command) or bool(extra))
    how = install if decl.builds else "none"
    with overlay.overlay(home, tree, sha, base, install=how, builds=decl.builds,
                         extra=extra) as python:
        variables = overlay.variables(python.parent.parent, tree, installed=how != "none")
        if setup:
            overlay.setup(setup, tree, variables, python)
        yield RunEnv(python, variables, base, how, setup, venv.packages(python))


def _base(home: Path, cfg: Config, decl: Declared, *, pytest: bool) -> venv.Env:
    own = cfg.str("check.venv")
    if own:
        path = Path(own).expanduser()
        return venv.existing(path if path.is_absolute() else home / path)
    python = venv.interpreter(cfg.str("check.python"))
    return venv.ensure(home, decl, python=python, add=("pytest",) if pytest else ())


def _install_mode(cfg: Config) -> str:
    mode = cfg.str("check.install_project")
    if mode not in overlay.INSTALLS:
        raise UsageError(f"check.install_project = {mode!r} is not one of "
                         f"{', '.join(overlay.INSTALLS)}",
                         hint='set check.install_project = "editable" in hotfix.toml')
    return mode
