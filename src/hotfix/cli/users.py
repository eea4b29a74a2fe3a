"""``hotfix users add/list/revoke``: the team server's people and their tokens."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hotfix.cli.common import JsonOpt, console, emit, err_console
from hotfix.cli.serve import DirOpt

if TYPE_CHECKING:
    from hotfix.ports import Clock, Identities, UserView

users_app = typer.Typer(help="Add users with a role, list them and their tokens, revoke.",
                        no_args_is_help=True, rich_markup_mode=None, add_completion=False)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


@contextmanager
def _identities(directory: Path | None) -> Iterator[tuple[Identities, Clock]]:
    from hotfix.wiring import open_identities

    ids, clock, close = open_identities(directory or Path.cwd(), dict(os.environ))
    try:
        yield ids, clock
    finally:
        close()


@users_app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="Their email (compared trimmed, lower-case).")],
    role: Annotated[str, typer.Option("--role", help="viewer, engineer, approver, marketer "
                                      "or admin (docs/server.md: what each may do).")],
    project: Annotated[str, typer.Option("--project", help="The project the role is for; "
                                         "* (default): every project.")] = "*",
    expires: Annotated[str | None, typer.Option(
        "--expires", help="The token's lifetime: 12h, 30d, 2w. Default: no expiry.")] = None,
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "",
    directory: DirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a user (or a role to one) and issue a token: it is printed once, only its hash
    is kept."""
    from hotfix.services.identity.users import add_user

    with _identities(directory) as (ids, clock):
        issued = add_user(ids, email, role, project, clock.now(), expires, label)
    data = {"email": issued.identity.email, "token": issued.secret,
            "token_id": issued.token.id, "grants": _grants(issued.identity.grants),
            "expires_at": _iso(issued.token.expires_at)}

    def render() -> None:
        console.print(f"{issued.identity.email}: {role} in {project}")
        console.print(issued.secret, soft_wrap=True)
        err_console.print("this token is shown once: keep it now (hotfix login URL asks "
                          "for it)")

    emit(as_json, data, render)


@users_app.command("list")
def list_users(directory: DirOpt = None, as_json: JsonOpt = False) -> None:
    """Every user, their roles per project, and their tokens (created, expiry, last used)."""
    from hotfix.services.identity.users import list_users as listed

    with _identities(directory) as (ids, _):
        views = listed(ids)
    emit(as_json, [_view(v) for v in views], lambda: _render(views))


@users_app.command("revoke")
def revoke(
    email: Annotated[str, typer.Argument(help="Whose tokens to revoke.")],
    token: Annotated[int | None, typer.Option("--token", help="Only this token id "
                                              "(hotfix users list shows them).")] = None,
    directory: DirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a user's live tokens (or one): the server refuses them from now on."""
    from hotfix.services.identity.users import revoke as revoked

    with _identities(directory) as (ids, clock):
        count = revoked(ids, email, clock.now(), token)
    emit(as_json, {"email": email.strip().lower(), "revoked": count},
         lambda: console.print(f"revoked {count} token(s) of {email.strip().lower()}"))


def _render(views: list[UserView]) -> None:
    if not views:
        console.print("no users yet: hotfix users add YOU@EXAMPLE.COM --role admin")
    for view in views:
        roles = "; ".join(f"{p}: {', '.join(r)}" for p, r in _grants(view.identity.grants).items())
        console.print(f"{view.identity.email}  [{roles}]")
        for t in view.tokens:
            state = ("revoked" if t.revoked_at else
                     f"expires {_iso(t.expires_at)}" if t.expires_at else "no expiry")
            used = _iso(t.last_used_at) or "never"
            console.print(f"  token {t.id} {t.label}  {state}  last used {used}")


def _view(view: UserView) -> dict[str, Any]:
    return {"email": view.identity.email, "grants": _grants(view.identity.grants),
            "created_at": _iso(view.created_at),
            "tokens": [{"id": t.id, "label": t.label, "created_at": _iso(t.created_at),
                        "expires_at": _iso(t.expires_at), "revoked_at": _iso(t.revoked_at),
                        "last_used_at": _iso(t.last_used_at)} for t in view.tokens]}


def _grants(grants: Any) -> dict[str, list[str]]:
    return {p: sorted(r) for p, r in sorted(grants.items())}


def _iso(at: datetime | None) -> str | None:
    return at.isoformat(timespec="seconds") if at else None
