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
    exclude: Annotated[bool, typer.Option(
        "--exclude", help="Keep hotfix.toml out of git in this clone (.git/info/exclude) "
                          "instead of committing it.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Write a commented hotfix.toml at the repository root and create the database."""
    from hotfix.services.record.init_repo import init_repo

    result = init_repo(Path.cwd(), open_at, force=force, exclude=exclude)

    def render() -> None:
        verb = "wrote" if result["wrote_config"] else "kept"
        console.print(f"{verb} {result['config']}")
        console.print(f"records in {result['database']}")
        if result["commit"]:
            console.print(f"commit it, so the team shares the settings: {result['commit']}\n"
                          "  (or keep it to this clone: hotfix init --exclude)", soft_wrap=True)
        elif result["excluded"]:
            console.print("hotfix.toml is kept out of git in this clone (.git/info/exclude)")
        console.print('next: hotfix open "what is broken" --as you@example.com')

    emit(as_json, result, render)
