"""``hotfix login URL`` and ``hotfix logout``: the CLI as the team server's client."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from hotfix.cli.common import JsonOpt, console, emit
from hotfix.errors import UsageError


def register(app: typer.Typer) -> None:
    app.command("login")(login)
    app.command("logout")(logout)


def login(
    url: Annotated[str, typer.Argument(help="The team server, e.g. https://hotfix.shop.example")],
    token: Annotated[str | None, typer.Option(
        "--token", help="The token `hotfix users add` printed (default: asked for, hidden; "
        "or HOTFIX_TOKEN).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Sign in to a team server: the token is checked, then kept in your config directory
    (mode 0600); every command then acts through the server as you."""
    from hotfix.wiring import sign_in

    secret = token if token is not None else os.environ.get("HOTFIX_TOKEN")
    if secret is None and sys.stdin.isatty():
        secret = typer.prompt("token", hide_input=True)
    if not secret or not secret.strip():
        raise UsageError("no token given", hint=f"hotfix login {url} --token hfx_… (from "
                         "hotfix users add), or set HOTFIX_TOKEN")
    who = sign_in(url, secret.strip(), dict(os.environ))
    emit(as_json, who, lambda: console.print(
        f"signed in to {who['url']} as {who['email']} (token kept in {who['path']})"))


def logout(as_json: JsonOpt = False) -> None:
    """Forget the kept token: commands act on the local record again."""
    from hotfix.wiring import sign_out

    forgot = sign_out(dict(os.environ))
    emit(as_json, {"signed_out": forgot}, lambda: console.print(
        "signed out" if forgot else "not signed in"))
