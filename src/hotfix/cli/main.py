"""The ``hotfix`` command: the app, its subcommands, and the one error handler."""

from __future__ import annotations

import gc
import json
import os
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from hotfix import __version__
from hotfix.cli.commands import LazyGroup
from hotfix.cli.common import err_console
from hotfix.errors import HotfixError, UsageError

app = typer.Typer(
    name="hotfix",
    help="Take a production bug from report to a verified fix in production, on the record.",
    cls=LazyGroup,  # the subcommands of hotfix.cli.commands.COMMANDS, imported when used
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hotfix {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """hotfix: triage, approve, branch, test, release, deploy, verify, fold back, record."""


class _Pacified:
    """stdout that a closed reader (``hotfix log | head -1``) cannot fail: once the pipe is
    gone, what is left goes to /dev/null, so the exit code says how the action went (click
    would otherwise exit 1 on EPIPE, as if it had been refused)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def _gone(self) -> None:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self._stream.fileno())
        os.close(devnull)

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except BrokenPipeError:
            self._gone()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._gone()
            self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _pacify_stdout() -> None:
    try:
        sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (tests capture it)
        return
    sys.stdout = _Pacified(sys.stdout)


def main() -> None:
    """The process's entry point (the ``hotfix`` script, ``python -m hotfix``): ``run``, with
    the garbage collector set for a command line.

    Start-up creates some 60,000 objects that live as long as the process (the modules of
    typer, pydantic, SQLAlchemy): with the default thresholds the collector walks them again
    and again while they are imported, and once more when the interpreter exits, together
    about a third of a short command's time (bench/startup_bench.py). hotfix's own garbage
    is freed by reference counting, so the collector runs rarely (every 200,000 new objects,
    as mypy does), and once the command is done everything is frozen so that the exit skips
    the walk: the database and files are closed by then."""
    gc.set_threshold(200_000, 30, 30)
    try:
        run()
    finally:
        gc.freeze()


def run() -> None:
    """Run the app; turn every failure into a message and an exit code (tests call this,
    in their own process, without ``main``'s collector settings)."""
    as_json = "--json" in sys.argv
    _pacify_stdout()
    try:
        _refuse_undecodable(sys.argv[1:], os.environ)
        app()
    except HotfixError as exc:
        _report(exc.to_dict(), as_json, exc)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/]: run `hotfix resume HF-N` to finish or undo "
                          "a step that was cut short")
        sys.exit(130)
    except Exception:  # a bug in hotfix: keep the traceback for the report
        log = _crash_log()
        _report({"error": "internal_error", "message": "hotfix hit a bug",
                 "hint": f"please report it with the log {log}"}, as_json, None)
        sys.exit(3)


def _refuse_undecodable(argv: list[str], environ: Mapping[str, str]) -> None:
    """Bytes that are not UTF-8 (decoded by Python as lone surrogates) cannot be recorded."""
    given = [(f"argument {i}", a) for i, a in enumerate(argv, start=1)]
    given += [(n, v) for n, v in environ.items() if n.startswith("HOTFIX_")]
    for where, value in given:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise UsageError(f"{where} is not UTF-8 text: {value!r}",
                             hint="give it as UTF-8; check your terminal's encoding "
                             "(locale should say UTF-8, e.g. LANG=C.UTF-8)") from None


def _report(body: dict[str, object], as_json: bool, exc: HotfixError | None) -> None:
    if as_json:
        typer.echo(json.dumps(body, ensure_ascii=False))
    err_console.print(f"[bold red]error:[/] {escape(str(body['message']))}", soft_wrap=True)
    if body.get("hint"):
        err_console.print(f"[dim]hint:[/] {escape(str(body['hint']))}", soft_wrap=True)


def _crash_log() -> Path:
    from hotfix.cli.crash import log_dir, masked_argv, write_crash_log

    text = f"hotfix {__version__}\nargv: {masked_argv(sys.argv)}\n\n{traceback.format_exc()}"
    return write_crash_log(log_dir(Path.cwd(), os.environ), text)
