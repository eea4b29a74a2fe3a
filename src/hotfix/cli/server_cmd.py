"""``hotfix server import``: move a local record onto the team server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from hotfix.cli.common import JsonOpt, console, emit

server_app = typer.Typer(help="Work with the team server's projects (hotfix serve runs one).",
                         no_args_is_help=True, rich_markup_mode=None, add_completion=False)


def register(app: typer.Typer) -> None:
    app.add_typer(server_app, name="server")


@server_app.command("import")
def import_cmd(
    database: Annotated[str | None, typer.Option(
        "--database", help="The database to import (a SQLAlchemy URL). Default: this "
        "repository's local record.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import every hotfix of the local record into this repository's project on the
    server (admins): numbers, events and hashes kept; refused, with nothing written, when
    a number exists there already."""
    from hotfix.wiring import import_to_server

    done = import_to_server(Path.cwd(), dict(os.environ), database)
    emit(as_json, done, lambda: console.print(
        f"imported {len(done['imported'])} hotfix(es) from {done['from']} into "
        f"{done['project']} on {done['server']}: {', '.join(done['imported']) or 'none'}"))


@server_app.command("keygen")
def keygen_cmd(
    path: Annotated[Path, typer.Argument(
        help="Where to write the key (mode 0600); never an existing file. Keep it outside "
        "the database and its backups, then set server.signing_key (HOTFIX_SIGNING_KEY).")],
    as_json: JsonOpt = False,
) -> None:
    """Write a new Ed25519 key for the team server to sign every record's head with; print
    its id and public key (docs/security.md: what the signatures prove)."""
    from hotfix.wiring import new_signing_key

    signer = new_signing_key(path)
    done = {"path": str(path), "key_id": signer.key_id, "public_key": signer.public_key}
    emit(as_json, done, lambda: console.print(
        f"wrote {path} (mode 0600): key {signer.key_id}, public key {signer.public_key}\n"
        f"serve with it: HOTFIX_SIGNING_KEY={path} hotfix serve"))
