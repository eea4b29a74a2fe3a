"""``hotfix db backup`` and ``hotfix db restore``: copies of the record's database."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from hotfix.cli.common import JsonOpt, console, emit
from hotfix.errors import GuardRefused

db_app = typer.Typer(help="Back up the database, or restore it from a backup.",
                     no_args_is_help=True, rich_markup_mode=None, add_completion=False)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


@db_app.command("backup")
def backup(
    path: Annotated[Path | None, typer.Argument(
        help="Where to write it (default: .hotfix/backups/hotfix-<UTC time>.db).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Copy the database while others may keep writing (SQLite: online backup; PostgreSQL:
    pg_dump)."""
    from hotfix.wiring import backup_database

    copy = backup_database(Path.cwd(), dict(os.environ), path)
    emit(as_json, copy.to_dict(), lambda: console.print(
        f"backed up to {copy.path}" + _sizes(copy.records, copy.events)))


@db_app.command("restore")
def restore(
    path: Annotated[Path, typer.Argument(help="The backup to restore.")],
    yes: Annotated[bool, typer.Option("--yes", help="Replace the database without asking.")]
    = False,
    as_json: JsonOpt = False,
) -> None:
    """Replace the database with a backup, once the backup verifies; the current database
    is kept in .hotfix/backups/ first."""
    from hotfix.wiring import restore_database

    if not yes and not _confirmed(path, as_json):
        raise GuardRefused("not restored: replacing the database needs confirmation",
                           hint=f"hotfix db restore {path} --yes")
    copy = restore_database(Path.cwd(), dict(os.environ), path)

    def render() -> None:
        console.print(f"restored {copy.path} from {path}" + _sizes(copy.records, copy.events))
        if copy.kept:
            console.print(f"the database it replaced is kept at {copy.kept}")

    emit(as_json, copy.to_dict(), render)


def _confirmed(path: Path, as_json: bool) -> bool:
    if as_json or not sys.stdin.isatty():
        return False
    return typer.confirm(f"replace the database with {path}?", default=False)


def _sizes(records: int | None, events: int | None) -> str:
    return "" if records is None else f" ({records} records, {events} events)"
