"""``hotfix pick``: cherry-pick fixes onto the hotfix branch (-x, Hotfix-Id trailer)."""

from __future__ import annotations

from typing import Annotated

import typer

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit
from hotfix.errors import UsageError


def register(app: typer.Typer) -> None:
    app.command("pick")(pick)


def pick(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    shas: Annotated[list[str] | None, typer.Argument(help="Commits to pick, in order.")] = None,
    cont: Annotated[bool, typer.Option("--continue", help="Commit the resolved conflict "
                                       "and pick the rest.")] = False,
    abort: Annotated[bool, typer.Option("--abort", help="Undo the stopped pick, drop the "
                                        "rest.")] = False,
    skip: Annotated[bool, typer.Option("--skip", help="Drop the conflicting commit, pick the "
                                       "rest.")] = False,
    mainline: Annotated[int | None, typer.Option("-m", "--mainline", help="For a merge "
                                                 "commit: the parent number of the mainline "
                                                 "(usually 1).")] = None,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Cherry-pick commits onto the hotfix branch; on conflict, resolve then --continue."""
    modes = [name for name, on in (("--continue", cont), ("--abort", abort), ("--skip", skip))
             if on]
    if len(modes) > 1 or (modes and shas):
        raise UsageError(f"use {' or '.join(modes)} alone",
                         hint=f"hotfix pick {key} --continue (without SHAs)")
    from hotfix.services.git import pick as service

    with context() as ctx:
        who = actor(ctx, as_)
        if cont:
            result = service.pick_continue(ctx, key, who)
        elif abort:
            result = service.pick_abort(ctx, key, who)
        elif skip:
            result = service.pick_skip(ctx, key, who)
        else:
            result = service.pick(ctx, key, who, shas or [], mainline)

        def render() -> None:
            for item in result.picked:
                console.print(f"picked {item['source'][:12]} → {item['commit'][:12]} "
                              f"{item['subject']}")
            for sha in result.dropped:
                console.print(f"dropped {sha[:12]}")
            console.print(f"  branch {result.branch} in {result.worktree}")

        emit(as_json, result.to_dict(), render)
