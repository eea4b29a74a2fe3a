"""``hotfix open`` and ``hotfix triage``: record a bug and decide what to do about it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hotfix.cli.common import ActorOpt, JsonOpt, actor, context, emit
from hotfix.domain.record.triage import (
    QUESTION_KEYS,
    QUESTIONS,
    UnreadableAnswer,
    missing_answers,
    parse_answers,
)
from hotfix.errors import UsageError

if TYPE_CHECKING:
    from hotfix.domain.record.lifecycle import Hotfix

AnswerOpt = Annotated[
    list[str] | None,
    typer.Option("--answer", "-a", metavar="KEY=VALUE",
                 help="A triage answer, e.g. -a significant=yes -a users=60% -a workaround=no. "
                 "Keys: " + ", ".join(QUESTION_KEYS)),
]
NoInputOpt = Annotated[
    bool, typer.Option("--no-input", help="Never ask questions, even on a terminal.")
]


def register(app: typer.Typer) -> None:
    app.command("open")(open_)
    app.command("triage")(triage)


def open_(
    title: Annotated[str, typer.Argument(help="What is broken, in one line.")],
    answer: AnswerOpt = None,
    no_input: NoInputOpt = False,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a production bug, triaged at once when the answers are given or asked."""
    from hotfix.cli.render import print_record

    answers = _answers(answer or [])
    if not answers and _can_ask(no_input, as_json):
        answers = ask(answers)
    with context() as ctx:
        rec = ctx.records.open(title, actor(ctx, as_), answers or None)
        emit(as_json, _view(rec), lambda: print_record(rec, headline="opened"))


def triage(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    answer: AnswerOpt = None,
    no_input: NoInputOpt = False,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add or change triage answers; the decision and its reasons are recomputed."""
    from hotfix.cli.render import print_record
    from hotfix.services.record.records import answers_with

    answers = _answers(answer or [])
    with context() as ctx:
        known = answers_with(ctx.records.get(key), answers)
        if missing_answers(known) and _can_ask(no_input, as_json):
            answers = ask(known)
        rec = ctx.records.triage(key, actor(ctx, as_), answers)
        emit(as_json, _view(rec), lambda: print_record(rec, headline="triaged"))


def _answers(items: list[str]) -> dict[str, Any]:
    try:
        return dict(parse_answers(items))
    except UnreadableAnswer as exc:
        raise UsageError(str(exc), hint="write KEY=VALUE with KEY one of: "
                         + ", ".join(QUESTION_KEYS)) from None


def _can_ask(no_input: bool, as_json: bool) -> bool:
    return not no_input and not as_json and sys.stdin.isatty()


def ask(known: dict[str, Any]) -> dict[str, Any]:
    """Ask, on the terminal, every question not answered yet."""
    answers = dict(known)
    for q in QUESTIONS:
        if q.key in answers:
            continue
        if q.kind is bool:
            answers[q.key] = typer.confirm(q.prompt, default=bool(q.default))
        else:
            answers[q.key] = typer.prompt(q.prompt, default=q.default if q.default is not None
                                          else None, show_default=q.default not in (None, ""))
    return answers


def _view(rec: Hotfix) -> dict[str, Any]:
    return {**rec.summary(), "triage": rec.triage}
