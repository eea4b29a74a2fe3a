"""``hotfix document`` (``hotfix doc``): the documentation fields a record needs before it
closes, from flags or ``$EDITOR`` on a template; ``--show`` prints them with what hotfix
knows itself."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit
from hotfix.errors import HotfixError, UsageError

if TYPE_CHECKING:
    from hotfix.services.context import Context
    from hotfix.services.record.document import Documentation, Documented


def register(app: typer.Typer) -> None:
    app.command("document")(document)
    app.command("doc", help="Short for hotfix document.")(document)


def document(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    field: Annotated[list[str] | None, typer.Option(
        "--field", "-f", metavar="NAME=VALUE",
        help='A field and its text, e.g. --field root_cause="cache key lacked the region". '
             "Repeat for more; a blank value clears one. Without any: $EDITOR on a template "
             "of the fields.")] = None,
    show: Annotated[bool, typer.Option(
        "--show", help="Print the fields, what close still needs, and what hotfix fills in "
                       "itself (tests, canary, verification, ports, time); records nothing.")
    ] = False,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Fill documentation fields (close.require names the ones close needs), with --field
    flags or in $EDITOR; hotfix fills in tests, canary, verification, ports and time itself."""
    from hotfix.domain.record.documentation import UnreadableField, parse_fields
    from hotfix.services.record import document as service

    if show:
        with context() as ctx:
            view = service.show(ctx, key)
        emit(as_json, view.to_dict(), lambda: _render_view(view))
        return
    try:
        fields = parse_fields(field or [])
    except UnreadableField as exc:
        raise UsageError(str(exc), hint=f'e.g. hotfix document {key} --field '
                         'root_cause="…"') from None
    with context() as ctx:
        who = actor(ctx, as_)
        done = service.document(ctx, key, who, fields) if fields else _edit(ctx, key, who)
    emit(as_json, done.to_dict(), lambda: _render_done(done))


def _edit(ctx: Context, key: str, who: str) -> Documented:
    """``$EDITOR`` on the template; the edited text is kept in its file when it cannot be
    recorded, so nothing typed is lost."""
    from hotfix.services.record import document as service

    editor = shlex.split(os.environ.get("EDITOR", ""))
    if not editor:
        raise UsageError("no fields given and $EDITOR is not set, so there is nowhere to "
                         "write them",
                         hint=f'pass them: hotfix document {key} --field root_cause="…"; or '
                              "set EDITOR, e.g. export EDITOR=nano")
    before = service.template(ctx, key)
    handle, name = tempfile.mkstemp(prefix=f"hotfix-{key.upper()}-", suffix=".md")
    path = Path(name)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(before)
    _run_editor(editor, path)
    after = path.read_text(encoding="utf-8")
    try:
        done = service.from_template(ctx, key, who, before, after)
    except HotfixError as exc:
        if after.strip() and after != before:
            exc.hint = f"{exc.hint + '; ' if exc.hint else ''}your text is kept in {path}"
        else:
            path.unlink(missing_ok=True)
        raise
    path.unlink(missing_ok=True)
    return done


def _run_editor(editor: list[str], path: Path) -> None:
    try:
        ran = subprocess.run([*editor, str(path)], check=False)
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise UsageError(f"cannot run the editor {editor[0]!r} ($EDITOR): {exc.strerror}",
                         hint="set EDITOR to an installed editor, or pass the fields with "
                              "--field NAME=VALUE") from None
    if ran.returncode != 0:
        raise UsageError(f"the editor {editor[0]!r} exited {ran.returncode}; nothing recorded",
                         hint=f"your text is in {path}; or pass the fields with --field")


def _render_done(done: Documented) -> None:
    console.print(f"{done.record.key} documented: {', '.join(done.fields)}")
    for name, value in done.record.documentation.items():
        console.print(f"  {name:<16} {escape(value) or '[dim](blank)[/]'}", soft_wrap=True)
    if done.missing:
        console.print(f"  [yellow]still missing before close:[/] {', '.join(done.missing)}")
    elif done.record.next_step():
        console.print(f"  [dim]next:[/] {done.record.next_step()}")


def _render_view(view: Documentation) -> None:
    rec = view.record
    console.print(f"{rec.key} documentation: {escape(rec.title)}", soft_wrap=True)
    names = list(dict.fromkeys([*view.required, *rec.documentation]))
    for name in names:
        value = rec.documentation.get(name, "").strip()
        need = " [dim](required)[/]" if name in view.required else ""
        shown = escape(value) if value else "[yellow]missing[/]"
        console.print(f"  {name:<16} {shown}{need}", soft_wrap=True)
    if not names:
        console.print("  [dim]no fields yet; close.require asks for none[/]")
    console.print("[dim]filled in by hotfix:[/]")
    for name, value in view.known.items():
        console.print(f"  {name:<16} {escape(value)}", soft_wrap=True)
    missing = rec.missing_documentation()
    if missing:
        console.print(f"[yellow]still missing before close:[/] {', '.join(missing)}")
