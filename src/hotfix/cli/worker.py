"""``hotfix worker``: run the team server's background jobs on its PostgreSQL."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer

from hotfix.cli.common import err_console
from hotfix.cli.serve import DirOpt


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def worker(
    directory: DirOpt = None,
    name: Annotated[str | None, typer.Option(
        "--name", help="The worker's name in the logs and the queue (default: host:pid).")
    ] = None,
) -> None:
    """Run the server's background jobs (notification delivery, …) until Ctrl-C or SIGTERM;
    run several, on several machines, against one PostgreSQL (docs/server.md)."""
    from hotfix.wiring import run_worker

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    err_console.print("hotfix worker: running the server's jobs (Ctrl-C stops it)")
    run_worker(directory or Path.cwd(), dict(os.environ), name)
