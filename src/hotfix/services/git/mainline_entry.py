"""The mainline's changelog entry: once the fix is on main, the next regular release lists it.

``hotfix backport --merge`` writes it when the main target ends ``merged`` or ``already
present``, in the way ``backport.changelog`` says: a towncrier news fragment, an item in
the changelog's Unreleased section (the release notes' own writer, ``write_notes`` with no
tag), or nothing. The entry has the release notes' identity ``(HF-N, <sha>)``: one the
mainline lists already — in its Unreleased section, a release of it, a fragment — is never
written again, so a second port or a re-run adds nothing, and no line but the mainline gets
one. It is one commit on the mainline's branch, made in its clean checkout (or a fresh
worktree of it, removed afterwards); a checkout with changes is never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hotfix.adapters.release import towncrier
from hotfix.domain.release.notes import NoteEntry
from hotfix.errors import ConfigError, HotfixError
from hotfix.ports import Commit
from hotfix.services.context import Context
from hotfix.services.git import foldback
from hotfix.services.git.porting import MERGED, PORTED, PRESENT, TargetResult

SETTING = "backport.changelog"
AUTO, TOWNCRIER, UNRELEASED, NONE = "auto", "towncrier", "unreleased", "none"
MODES = (AUTO, TOWNCRIER, UNRELEASED, NONE)
# what became of the entry (TargetResult.changelog["status"])
WRITTEN, LISTED, HELD, FAILED, OFF = "written", "listed", "held", "failed", "off"


def mode(ctx: Context) -> str:
    """``backport.changelog``, checked (a bad value is refused before any work)."""
    value = ctx.cfg.str(SETTING)
    if value not in MODES:
        raise ConfigError(f"{SETTING} is {value!r}; it is one of {', '.join(MODES)}",
                          hint='set it in hotfix.toml, e.g. [backport] changelog = "auto"')
    return value


def write(ctx: Context, key: str, result: TargetResult, tip: str, fixes: Sequence[Commit],
          merge: bool) -> dict[str, Any] | None:
    """The entry for the fixes on the mainline target ``result`` (its branch ``tip``), once
    it has them: what became of it (``status``, ``mode``, ``file``, ``commit``, ``message``,
    ``next``); None while the mainline lacks the fix."""
    wanted = mode(ctx)
    if wanted == NONE or result.status not in (MERGED, PRESENT) or not fixes:
        return {"status": OFF, "mode": NONE} if wanted == NONE else None
    fold = foldback.Fold(key, result.target, tip, merge)
    if ctx.git.ref_kind(fold.tip) != "local":
        return _held(wanted, f"there is no local branch {fold.tip} to write it on",
                     f"once it has the fix locally: {fold.again()}")
    if not merge:
        return _held(wanted, f"{fold.tip} has the fix; its changelog entry is written with "
                     "--merge", fold.again())
    scratch = TargetResult(fold.target, PORTED)
    where = foldback.writable(ctx, fold, scratch)
    if isinstance(where, TargetResult):
        return _held(wanted, f"not written: {scratch.message}", scratch.next or fold.again())
    made = where == foldback.landing_tree(ctx, fold)
    try:
        done = _commit(ctx, key, where, wanted, [NoteEntry(key, c.subject, c.origin())
                                                 for c in fixes])
    finally:
        if made:
            ctx.git.remove_worktree(where)
    if done.get("commit"):
        result.into = result.into or fold.tip  # pushed with --push
    return done


def _commit(ctx: Context, key: str, tree: Path, wanted: str,
            entries: list[NoteEntry]) -> dict[str, Any]:
    """Write the entry in ``tree`` (a clean checkout of the mainline) and commit it."""
    try:
        how, files = _write(ctx, tree, wanted, entries)
    except HotfixError as exc:
        return {"status": FAILED, "mode": wanted, "message": exc.message, "next": exc.hint}
    if how == NONE:
        return {"status": OFF, "mode": wanted, "message": "the mainline has no changelog "
                "and is no towncrier project, so it gets no entry"}
    if not files:
        return {"status": LISTED, "mode": how, "message": "the mainline lists it already"}
    try:
        ctx.git.stage(tree, files)
        sha = ctx.git.commit(tree, f"Changelog: {key} for the next release\n\n"
                             f"Hotfix-Id: {key}\n", what=f"the changelog entry of {key}",
                             retry=f"hotfix backport {key} --to "
                                   f"{ctx.cfg.str('lines.mainline')} --merge")
    except HotfixError as exc:
        ctx.git.keep_ours(tree, files)  # the checkout is left as it was
        return {"status": FAILED, "mode": how, "file": files[0], "message": exc.message,
                "next": exc.hint}
    return {"status": WRITTEN, "mode": how, "file": files[0], "commit": sha,
            "message": f"{how} entry in {files[0]} ({sha[:12]})"}


def _write(ctx: Context, tree: Path, wanted: str,
           entries: list[NoteEntry]) -> tuple[str, list[str]]:
    """(the way it was written, the files written) — none when the mainline lists it."""
    news = towncrier.detect(tree)
    if wanted == TOWNCRIER or (wanted == AUTO and news is not None):
        if news is None:
            raise ConfigError(f"{SETTING} is towncrier, but the mainline has no "
                              "[tool.towncrier] (towncrier.toml or pyproject.toml)",
                              hint=f'set {SETTING} = "unreleased" (or "none"), then: '
                                   "hotfix backport HF-N --to main --merge")
        fresh = [e for e in entries if not (tree / towncrier.fragment_name(news, e)).exists()]
        added = towncrier.write_fragments(tree, news, fresh)
        return TOWNCRIER, [towncrier.fragment_name(news, e) for e in added]
    changelog = ctx.git.changelog_path(tree, ctx.cfg.str("lines.changelog"))
    if wanted == AUTO and not (tree / changelog).is_file():
        return NONE, []  # auto: a project without a changelog gets none
    added = ctx.git.write_notes(tree, changelog, tag=None, day="", title="", entries=entries)
    return UNRELEASED, [changelog] if added else []


def _held(wanted: str, message: str, next_step: str) -> dict[str, Any]:
    return {"status": HELD, "mode": wanted, "message": message, "next": next_step}
