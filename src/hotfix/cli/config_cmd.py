"""``hotfix config``: every setting's value and where it came from."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from hotfix.cli.common import JsonOpt, console, emit, settings
from hotfix.errors import UsageError


def register(app: typer.Typer) -> None:
    app.command("config")(config)


def config(
    key: Annotated[str | None, typer.Argument(help="One setting, e.g. approvals.approvers.")]
    = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the resolved settings (file, environment, defaults) and their sources."""
    from hotfix.config import SETTINGS, render_toml_value

    _, cfg = settings()
    if key is not None and key not in SETTINGS:
        raise UsageError(f"unknown setting {key!r}", hint="hotfix config (no argument) lists all")
    keys = [key] if key else list(SETTINGS)
    data = {k: {"value": cfg.get(k), "source": cfg.source(k)} for k in keys}

    def render() -> None:
        table = Table("setting", "value", "source", box=None)
        for k in keys:
            value = render_toml_value(cfg.get(k)).replace("\n", " ")
            table.add_row(k, value if len(value) < 70 else value[:67] + "…", cfg.source(k))
        console.print(table)
        console.print(f"[dim]file: {cfg.path or 'none (all defaults)'}[/]")

    emit(as_json, data, render)
