"""``hotfix deploy``: the canary rollout, live, judged step by step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.live import Live

from hotfix.cli.common import ActorOpt, JsonOpt, OverrideOpt, actor, console, context, emit
from hotfix.domain.rollout.state import Status

if TYPE_CHECKING:
    from hotfix.services.rollout.canary import Progress


def register(app: typer.Typer) -> None:
    app.command("deploy")(deploy)


def deploy(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    tag: Annotated[str | None, typer.Option(
        "--tag", help="Version to deploy. Default: the hotfix's release tag.")] = None,
    via: Annotated[str | None, typer.Option(
        "--via", help="flag:KEY: roll the flag of this flag record out by percentage "
                      "instead (docs/flags.md).")] = None,
    approve_gate: Annotated[bool, typer.Option(
        "--approve-gate", help="Approve the manual gate the rollout waits at.")] = False,
    override: OverrideOpt = None,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Canary the release beside production and let the judge promote or roll it back.

    Runs the plan in rollout.steps; run it again to resume a rollout whose controller died.
    With --via flag:KEY the same plan moves a flag's percentage, judged per user on the
    app's counters by variant: a regression sets it to 0 %, promotion to 100 %.
    First the backup (deploy.backup_command) runs, if configured; a failed backup, a missing
    back-out plan (guard backout-plan) or an unacknowledged irreversible change stops the
    deploy unless an approver passes --override with the reason (recorded).
    """
    from hotfix.cli.rollout_view import print_outcome, progress_table
    from hotfix.services.rollout import deploy as service

    with context() as ctx:
        who = actor(ctx, as_)
        if as_json or approve_gate:
            out = service.deploy(ctx, key, who, tag=tag, via=via, approve_gate=approve_gate,
                                 override=override)
        else:
            with Live(console=console, refresh_per_second=4, transient=False) as live:
                def show(p: Progress) -> None:
                    live.update(progress_table(p))
                out = service.deploy(ctx, key, who, tag=tag, via=via, on_progress=show,
                                     override=override)
        emit(as_json, out.to_dict(), lambda: print_outcome(console, out))
        if out.status == Status.ROLLED_BACK:
            raise typer.Exit(1)
