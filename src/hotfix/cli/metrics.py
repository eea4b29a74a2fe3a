"""``hotfix metrics``: DORA measures and the unplanned work hotfixes cost."""

from __future__ import annotations

from typing import Annotated

import typer

from hotfix.cli.common import JsonOpt, console, context, emit, err_console


def register(app: typer.Typer) -> None:
    app.command("metrics")(metrics)


def metrics(
    since: Annotated[str, typer.Option("--since", help="How far back: 90d, 12w, or a date "
                                       "(2026-01-01).")] = "90d",
    publish: Annotated[bool, typer.Option(
        "--publish", help="Also publish the figures to the team server (hotfix login), "
        "whose dashboard charts them: run it in CI after each deploy.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Deployment frequency, lead time, change failure rate, recovery time, rework rate; the
    time hotfixes took per sprint and per person; hotfixes by severity and route."""
    from rich.table import Table

    from hotfix.domain.record.timing import format_duration
    from hotfix.services.record.metrics import metrics as measure

    with context() as ctx:
        figures = measure(ctx, since)
        if publish:
            from hotfix.wiring import publish_to_server

            done = publish_to_server(ctx, "metrics", figures.to_dict())
            err_console.print(f"published to {ctx.records.location}: metrics {done['id']}")

    def render() -> None:
        d = figures.dora
        console.print(f"from {d.since:%Y-%m-%d %H:%M} to {d.until:%Y-%m-%d %H:%M} UTC")
        table = Table("measure", "value", "counted", box=None)
        for f in d.figures:
            if f.value is None:
                shown = "no data"
            elif f.unit == "seconds":
                shown = format_duration(f.value)
            elif f.unit == "share":
                shown = f"{100 * f.value:.0f}%"
            else:
                shown = f"{f.value:g} {f.unit}"
            table.add_row(f.name.replace("_", " "), shown, f.counted)
        console.print(table)
        for note in d.assumptions:
            console.print(f"[yellow]assumed:[/] {note}")
        sprints = Table("sprint", "hotfixes", "wall", "logged", "by person", box=None)
        for s in figures.sprints:
            sprints.add_row(s.sprint, str(s.hotfixes), format_duration(s.wall_seconds),
                            format_duration(s.logged_seconds),
                            ", ".join(f"{p} {format_duration(t)}" for p, t in s.by_person.items()))
        console.print(sprints)
        by = figures.counts
        console.print("by severity: " + (", ".join(f"{k} {v}" for k, v in
                                                  sorted(by["by_severity"].items())) or "none"))
        console.print("by route: " + (", ".join(f"{k} {v}" for k, v in
                                               sorted(by["by_route"].items())) or "none"))

    emit(as_json, figures.to_dict(), render)
