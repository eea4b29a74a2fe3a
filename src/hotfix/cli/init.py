"""``hotfix init``: write a commented hotfix.toml and create the record store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hotfix.cli.common import JsonOpt, console, emit, open_at


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init(
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing hotfix.toml.")]
    = False,
    as_json: JsonOpt = False,
) -> None:
    """Write a commented hotfix.toml at the repository root and create the database."""
    from hotfix.services.record.init_repo import init_repo

    result = init_repo(Path.cwd(), open_at, force=force)

    def render() -> None:
        verb = "wrote" if result["wrote_config"] else "kept"
        console.print(f"{verb} {result['config']}")
        console.print(f"records in {result['database']}")
        console.print('next: hotfix open "what is broken" --as you@example.com')

    emit(as_json, result, render)
