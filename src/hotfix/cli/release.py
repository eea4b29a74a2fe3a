"""``hotfix release``: bump, notes, commit, annotated tag, onto the line's branch; push only
with --push."""

from __future__ import annotations

from typing import Annotated

import typer

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit


def register(app: typer.Typer) -> None:
    app.command("release")(release)


def release(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    push: Annotated[bool, typer.Option("--push", help="Push the hotfix branch, the tag and the "
                                       "line's maintenance branch together (git push "
                                       "--atomic).")] = False,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Release the checked hotfix branch: version files, release notes, tag; the release
    lands on the line's maintenance branch (release.land)."""
    from hotfix.services.git.release import release as release_service

    with context() as ctx:
        done = release_service(ctx, key, actor(ctx, as_), push=push)

        def render() -> None:
            signed = " (signed)" if done.signed else ""
            console.print(f"{done.key}: tagged [bold]{done.tag}[/]{signed} on "
                          f"{done.release_commit[:12]} (checked code {done.commit[:12]})")
            for path, old in done.bumped.items():
                console.print(f"  {path}: {old} → {done.version}")
            for note in done.notes:
                console.print(f"  notes {note}")
            landed = done.landed
            if landed is not None:
                style = "green" if landed.status in ("merged", "already present") else "yellow"
                console.print(f"  [{style}]line {landed.target}:[/] {landed.message}",
                              soft_wrap=True)
                if landed.next:
                    console.print(f"  [dim]next:[/] {landed.next}", soft_wrap=True)
            console.print("  pushed " + ", ".join(r.split(":", 1)[0].split("/", 2)[-1]
                                                  for r in done.pushed_refs)
                          if done.pushed else
                          f"  [dim]not pushed: hotfix release {done.key} --push[/]")

        emit(as_json, done.to_dict(), render)
