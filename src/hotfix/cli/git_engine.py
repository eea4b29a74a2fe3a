"""The git release engine's commands: lines, start, pick, release, backport, resume."""

from __future__ import annotations

import typer

from hotfix.cli import backport, lines, pick, release, resume, start


def register(app: typer.Typer) -> None:
    for module in (lines, start, pick, release, backport, resume):
        module.register(app)
