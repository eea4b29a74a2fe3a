"""``hotfix serve``: the team server (uvicorn), refusing to start without an admin."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from hotfix.cli.common import err_console

DirOpt = Annotated[Path | None, typer.Option(
    "--dir", help="The server's directory: its hotfix.toml, and SQLite in .hotfix/ when "
    "database.url is empty. Default: the current directory.")]


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    listen: Annotated[str | None, typer.Option(
        "--listen", help="host:port (default: server.listen, 127.0.0.1:8600).")] = None,
    directory: DirOpt = None,
) -> None:
    """Run the team server: the REST API under /api/v1 (OpenAPI at /openapi.json)."""
    import uvicorn

    from hotfix.errors import NotConfigured
    from hotfix.server.app import create_app
    from hotfix.services.identity.users import ADMIN_HINT, has_admin
    from hotfix.wiring import jobs_runner, open_server

    overrides = {"server.listen": listen} if listen else None
    settings, parts = open_server(directory or Path.cwd(), dict(os.environ), overrides)
    host, port = settings.host_port()
    if not has_admin(parts.identities, parts.clock.now()):
        parts.close()
        raise NotConfigured(f"the server database {settings.database_location} has no admin "
                            "with a live token; the server will not start without one",
                            hint=f"create one (the token is printed once): {ADMIN_HINT}")
    err_console.print(f"hotfix server on http://{host}:{port} "
                      f"({settings.database_location}; projects: "
                      f"{', '.join(settings.projects)}; jobs: {jobs_runner(parts)})")
    uvicorn.run(create_app(settings, parts), host=host, port=port, proxy_headers=False,
                server_header=False, log_level="warning")
