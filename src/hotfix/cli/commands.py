"""Every subcommand and its module, imported only when that command is looked up.

``hotfix status`` imports ``hotfix.cli.status`` and what it calls, never the modules (and
the services) of the other commands; ``hotfix --help`` imports every command module, each
cheap to import because its services are imported inside the command.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup

COMMANDS: dict[str, str] = {  # command → its module in hotfix.cli, in the order of --help
    "init": "init", "open": "open_cmd", "triage": "open_cmd", "approve": "approve",
    "reject": "approve", "status": "status", "list": "status", "log": "log", "time": "log",
    "document": "document", "doc": "document", "close": "close", "config": "config_cmd",
    "demo": "demo",
    "lines": "lines", "start": "start", "pick": "pick", "release": "release",
    "publish": "publish", "backport": "backport", "resume": "resume", "contains": "contains",
    "judge": "judge", "backout": "backout", "deploy": "deploy", "deployed": "deployed",
    "rollback": "rollback",
    "defer": "defer", "verify": "verify", "policy": "policy", "impact": "impact",
    "check": "check", "audit": "audit", "anchor": "anchor", "report": "report",
    "metrics": "metrics", "db": "db",
    "serve": "serve", "worker": "worker", "users": "users", "login": "login",
    "logout": "login",
    "server": "server_cmd", "notify": "notify", "flags": "flags", "content": "content",
}


def module_commands(module: str) -> dict[str, Any]:
    """The click commands that ``hotfix.cli.<module>`` registers, by name."""
    registers = importlib.import_module(f"hotfix.cli.{module}").register
    app = typer.Typer(rich_markup_mode=None, add_completion=False)
    registers(app)
    return dict(typer.main.get_group(app).commands)  # typer's own click: typed loosely here


class LazyCommands(MutableMapping[str, Any]):
    """Command name → click command, building a module's commands on the first look-up."""

    def __init__(self, modules: Mapping[str, str]) -> None:
        self.modules = dict(modules)
        self.built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self.built and name in self.modules:
            self.built.update(module_commands(self.modules[name]))
        return self.built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self.built[name] = command
        self.modules.setdefault(name, "")

    def __delitem__(self, name: str) -> None:
        self.built.pop(name, None)
        del self.modules[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.modules)

    def __len__(self) -> int:
        return len(self.modules)


class LazyGroup(TyperGroup):
    """The ``hotfix`` group: its commands are the table above, built when looked up."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        lazy = LazyCommands(COMMANDS)
        for name, command in self.commands.items():  # any registered on the app itself
            lazy[name] = command
        self.commands = lazy
