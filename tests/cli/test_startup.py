"""Start-up stays light: a command imports its own module and services, nothing else.

What each command imports is checked here (never its time: bench/startup_bench.py measures
that)."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import hotfix.cli
from hotfix.cli.commands import COMMANDS, module_commands
from tests.cli.conftest import Invoke
from tests.conftest import git

SRC = str(Path(__file__).resolve().parents[2] / "src")
# the team server's stack too (typer itself imports pydantic when it is installed)
HEAVY = ("sqlalchemy", "alembic", "numpy", "scipy", "httpx", "coverage", "pytest", "fastapi",
         "starlette", "uvicorn")
IMPORTED_AFTER = """
import json, sys
from hotfix.cli.main import run
sys.argv = ["hotfix", *sys.argv[1:]]
try:
    run()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def imported_by(cwd: Path, *args: str) -> set[str]:
    """The modules loaded once ``hotfix ARGS`` has run in a fresh process."""
    done = subprocess.run([sys.executable, "-c", IMPORTED_AFTER, *args], cwd=cwd,
                          env={**os.environ, "PYTHONPATH": SRC}, capture_output=True,
                          text=True, check=True)
    names: list[str] = json.loads(done.stdout.splitlines()[-1])
    return set(names)


def loaded(modules: set[str], *packages: str) -> set[str]:
    return {m for m in modules if m.split(".")[0] in packages}


def test_the_table_names_every_command_each_module_registers() -> None:
    modules = {info.name for info in pkgutil.iter_modules(hotfix.cli.__path__)}
    registering = {m for m in modules
                   if hasattr(importlib.import_module(f"hotfix.cli.{m}"), "register")}
    assert set(COMMANDS.values()) == registering
    for module in registering:
        assert set(module_commands(module)) == {c for c, m in COMMANDS.items() if m == module}


def test_help_imports_no_service_store_or_heavy_library(repo: Path) -> None:
    modules = imported_by(repo, "--help")
    assert "hotfix.cli.check" in modules  # every command's module, for its line of help
    assert not loaded(modules, *HEAVY)
    assert not {m for m in modules if m.startswith(("hotfix.services", "hotfix.adapters.store",
                                                    "hotfix.wiring", "hotfix.domain.judge"))}


def test_status_imports_its_own_command_and_the_record_only(hotfix: Invoke, repo: Path) -> None:
    assert hotfix("open", "Bug", "--as", "dana@example.com").code == 0
    modules = imported_by(repo, "status", "HF-1")
    assert {m for m in modules if m.startswith("hotfix.cli.")} == {
        "hotfix.cli.main", "hotfix.cli.commands", "hotfix.cli.common", "hotfix.cli.status",
        "hotfix.cli.render"}
    assert {m for m in modules if m.startswith("hotfix.services.")} == {
        "hotfix.services.context", "hotfix.services.record", "hotfix.services.record.records",
        "hotfix.services.record.views",
        "hotfix.services.record.anchor"}  # the integrity check every read makes
    # the store reads through SQLAlchemy Core: no ORM, no migrations, nothing of the rollout
    assert loaded(modules, *HEAVY) == loaded(modules, "sqlalchemy")
    assert not {m for m in modules if m.startswith("sqlalchemy.orm")}


def test_lines_reads_git_only_it_opens_no_database(repo: Path) -> None:
    git(repo, "tag", "v1.0.0")
    modules = imported_by(repo, "lines", "--json")
    assert "hotfix.wiring" in modules  # it did open the context, and answered from git
    assert not loaded(modules, *HEAVY)
    assert not (repo / ".hotfix" / "hotfix.db").exists()


def test_audit_and_contains_read_an_existing_record_without_sqlalchemy(
        hotfix: Invoke, repo: Path) -> None:
    """A record at the current schema: the cache, the waivers and the hotfixes' events are
    read through ``sqlite3`` (``hotfix.adapters.store.lite``); a new one is made (and
    migrated, with Alembic) by the SQL store, here by ``hotfix open``."""
    git(repo, "tag", "v1.0.0")
    git(repo, "branch", "release/1.0", "v1.0.0")
    assert hotfix("open", "Bug", "--as", "dana@example.com").code == 0
    for args in (("audit", "--json"), ("contains", "v1.0.0", "--json")):
        modules = imported_by(repo, *args)
        assert "hotfix.adapters.store.lite" in modules
        assert not loaded(modules, *HEAVY)


def test_rolling_back_first_imports_neither_the_judge_nor_migrations_nor_the_server() -> None:
    """What ``hotfix rollback HF-N --to`` imports to move production (numbers, the judge
    and the canary are for deploys; the switch is on the clock)."""
    code = ("import json, sys\nimport hotfix.cli.rollback\n"
            "import hotfix.services.rollout.roll_back_first\n"
            "print(json.dumps(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": SRC},
                          capture_output=True, text=True, check=True)
    modules = set(json.loads(done.stdout))
    assert loaded(modules, *HEAVY) == loaded(modules, "httpx")  # the router's and checks'
    assert not {m for m in modules if m.startswith(("hotfix.domain.judge",
                                                    "hotfix.services.rollout.canary",
                                                    "hotfix.adapters.store"))}


def test_the_process_entry_point_runs_the_cli(repo: Path) -> None:
    """``python -m hotfix`` and the ``hotfix`` script go through ``main`` (its collector
    settings), and a command's output and exit code are whole."""
    for argv in ([sys.executable, "-m", "hotfix"], [str(Path(sys.executable).with_name(
            "hotfix"))]):
        done = subprocess.run([*argv, "open", "Checkout is down", "--as", "dana@example.com",
                               "--json"], cwd=repo, env={**os.environ, "PYTHONPATH": SRC},
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        opened = json.loads(done.stdout)
        shown = subprocess.run([*argv, "status", opened["id"], "--json"], cwd=repo,
                               env={**os.environ, "PYTHONPATH": SRC}, capture_output=True,
                               text=True, check=False)
        assert json.loads(shown.stdout)["title"] == "Checkout is down"
