"""``hotfix release``: bump the version, write the line's notes, commit, tag, land, (push).

The tagged commit is the checked commit plus one release commit that only touches release
files (version files and their lock files, the changelog in the project's format or its
towncrier news, what the release hooks ``release.commands`` change), so what was tested is
what ships. A tag that exists is refused, a commit with conflict markers is never tagged or
pushed. The release then lands on the line's maintenance branch (``foldback.land``,
``release.land``), and pushing is explicit and atomic: the hotfix branch, the tag and the
line's branch together, or nothing.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hotfix.adapters.release import towncrier
from hotfix.adapters.release.publish import fill, run_command
from hotfix.domain.record.lifecycle import Hotfix
from hotfix.domain.release.journal import backport_targets, begun, notes
from hotfix.domain.release.lines import find_line
from hotfix.domain.release.notes import NoteEntry
from hotfix.errors import GitError, HotfixError, PolicyViolation, UsageError
from hotfix.ports import Commit, GitRepo
from hotfix.services.context import Context
from hotfix.services.git import foldback
from hotfix.services.git import lines as lines_svc
from hotfix.services.git.porting import FAILED, TargetResult
from hotfix.services.git.steps import Work, guard, journal, release_paths, tree, work_of
from hotfix.services.record import anchor

TRAILER = "Hotfix-Release"
HOOKS = "release.commands"


@dataclass
class Released:
    key: str
    tag: str
    version: str
    commit: str  # the checked commit
    release_commit: str  # the tagged commit: commit + version bump + notes
    branch: str
    bumped: dict[str, str] = field(default_factory=dict)  # file → old version
    notes: list[str] = field(default_factory=list)
    signed: bool = False
    pushed: bool = False
    landed: TargetResult | None = None  # the release on its line's maintenance branch
    pushed_refs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.key, "tag": self.tag, "version": self.version, "commit": self.commit,
                "release_commit": self.release_commit, "branch": self.branch,
                "bumped": self.bumped, "notes": self.notes, "signed": self.signed,
                "pushed": self.pushed, "pushed_refs": self.pushed_refs,
                "landed": self.landed.to_dict() if self.landed else None}


def release(ctx: Context, key: str, actor: str, push: bool = False) -> Released:
    """Release the checked hotfix branch as the reserved patch version."""
    rec = ctx.records.get(key)
    work = work_of(rec)
    done = rec.last("release")
    if done is not None:
        result = _from_record(rec, work, done)
        return _push(ctx, rec.key, actor, work, result) if push and not result.pushed else result
    mode = foldback.land_mode(ctx)  # a bad setting is refused before any work
    path = tree(ctx, work)
    begin = begun(rec.events, "release", "release")
    head = ctx.git.read_commit("HEAD", tree=path)
    code = str(begin["commit"]) if begin else head.sha
    guard(ctx, rec, "release", actor, {"commit": code})
    if begin is None:
        _preflight(ctx, work, path, code)
        journal(ctx, rec.key, actor, "release", "begin", tag=work.tag, version=work.version,
                commit=code)
    result = _make_release(ctx, rec, work, path, code, head, fresh=begin is None)
    result.landed = _land(ctx, actor, work, result.release_commit, mode)
    facts = {"tag": work.tag, "release_commit": result.release_commit}
    ctx.records.act(rec.key, "release", actor, {**result.to_dict(), "facts": facts})
    return _push(ctx, rec.key, actor, work, result) if push else result


def _preflight(ctx: Context, work: Work, path: Path, code: str) -> None:
    if ctx.git.uncommitted(path):
        raise UsageError(f"the worktree {path} has uncommitted changes; they would not be in "
                         "the release", hint=f"commit them, then check again: hotfix check "
                         f"{work.key}; or drop them: git -C {path} checkout -- .")
    _refuse_markers(ctx.git, work, code)
    taken = ctx.git.tag_commit(work.tag)
    remote = ctx.cfg.str("lines.remote")
    if taken is None and ctx.cfg.bool("lines.check_remote_tags") and \
            ctx.git.has_remote(remote) and work.tag in ctx.git.remote_refs(remote):
        taken = f"{remote}'s {work.tag}"
    if taken is not None:
        raise PolicyViolation(
            f"tag {work.tag} already exists ({taken[:12]}); hotfix never reuses a release tag",
            hint=f"see it: git show {work.tag}; to ship this fix, open a new hotfix — its "
                 "start reserves the next free version")


def _refuse_markers(git: GitRepo, work: Work, head: str) -> None:
    found = git.conflict_markers(work.base_tag, head)
    if found:
        raise PolicyViolation(
            f"conflict markers are committed on {work.branch}: {', '.join(found)}",
            hint=f"fix them in {work.worktree}, commit, check again (hotfix check {work.key}), "
                 "then release")


def _make_release(ctx: Context, rec: Hotfix, work: Work, path: Path, code: str,
                  head: Commit, *, fresh: bool) -> Released:
    """The release commit (made once) and the tag (made once); markers were refused before."""
    result = Released(rec.key, work.tag, work.version, code, "", work.branch)
    notes = entries(ctx.git, rec, work, code)
    if f"{TRAILER}: {work.tag}" in head.body:  # resumed: the release commit is made
        result.release_commit = head.sha
    else:
        if not fresh and ctx.git.uncommitted(path):  # a bump cut short: undo it, bump again
            ctx.git.keep_ours(path, sorted(release_paths(ctx, path)))
        result.bumped, result.notes = _write_release_files(ctx, rec, work, path, notes)
        message = (f"Release {work.tag}\n\n{rec.key}: {rec.title}\n\nHotfix-Id: {rec.key}\n"
                   f"{TRAILER}: {work.tag}\n")
        result.release_commit = ctx.git.commit(
            path, message, what=f"the release of {work.tag}", retry=f"hotfix resume {rec.key}")
    result.signed = ctx.git.sign_wanted()
    listing = "\n".join(e.render() for e in notes)
    ctx.git.create_tag(work.tag, result.release_commit,
                       f"Release {work.tag}\n\n{rec.key}: {rec.title}\n\n{listing}\n",
                       sign=result.signed)
    return result


def _write_release_files(ctx: Context, rec: Hotfix, work: Work, path: Path,
                         notes: list[NoteEntry]) -> tuple[dict[str, str], list[str]]:
    """Bump the version files (and their locks), write the notes in the project's format
    (or compile towncrier fragments), run the release hooks; stage what changed."""
    patterns = [str(p) for p in ctx.cfg.list("lines.version_files")]
    day = ctx.now().date().isoformat()
    bumped = ctx.git.bump_versions(path, patterns, work.version)
    news = towncrier.detect(path)
    if news is not None:
        added = towncrier.write_fragments(path, news, notes)
        ctx.git.stage(path, [towncrier.fragment_name(news, e) for e in added])
        if added:
            towncrier.build(path, news, work.version, day)
    else:
        changelog = ctx.git.changelog_path(path, ctx.cfg.str("lines.changelog"))
        added = ctx.git.write_notes(path, changelog, tag=work.tag, day=day,
                                    title=f"{rec.key}: {rec.title}", entries=notes)
        ctx.git.stage(path, [changelog] if added else [])
    ctx.git.stage(path, bumped)
    _run_hooks(ctx, work, path)
    ctx.git.stage(path, ctx.git.uncommitted(path))
    return bumped, [e.render() for e in added]


def _run_hooks(ctx: Context, work: Work, path: Path) -> None:
    """``release.commands`` (e.g. ``uv lock``), in order, before the release commit."""
    values = {"tag": work.tag, "version": work.version}
    env = {"HOTFIX_ID": work.key, "HOTFIX_TAG": work.tag, "HOTFIX_VERSION": work.version}
    for command in ctx.cfg.list(HOOKS):
        argv = [str(a) for a in command] if isinstance(command, list) else shlex.split(
            str(command))
        if not argv:
            continue
        run = run_command(fill(argv, values), path, env, ctx.cfg.float("release.publish_timeout"),
                          HOOKS)
        if not run.passed:
            how = "timed out" if run.timed_out else f"exited {run.exit_code}"
            raise PolicyViolation(
                f"the release command {' '.join(run.args)} {how} in {path}; nothing was "
                f"committed or tagged:\n{run.output}",
                hint=f"fix it (or {HOOKS} in hotfix.toml), then: hotfix resume {work.key}")


def entries(git: GitRepo, rec: Hotfix, work: Work, code: str) -> list[NoteEntry]:
    """One note per fix on the branch: picked ones and ones committed in the worktree."""
    return [NoteEntry(rec.key, c.subject, c.origin())
            for c in git.commits(f"{work.base_tag}..{code}")
            if TRAILER not in c.body]


def _land(ctx: Context, actor: str, work: Work, commit: str, mode: str) -> TargetResult:
    """The release onto its line's maintenance branch; journaled as that line's backport
    target, so ``backport`` and ``close`` see it. A failure here never loses the release."""
    try:
        landed = foldback.land(ctx, work, commit, merge=mode != "off", mode=mode)
    except HotfixError as exc:
        landed = TargetResult(work.line, FAILED, work.branch,
                              message=f"{exc.message} ({exc.hint or ''})",
                              next=f"hotfix backport {work.key} --to {work.line} --merge")
    if landed.merge != foldback.NO_BRANCH:  # a line of tags only: nothing to record
        journal(ctx, work.key, actor, "backport", "target", **landed.to_dict())
    return landed


def _line_branch(ctx: Context, work: Work, commit: str) -> str | None:
    """The line's local maintenance branch when it holds ``commit`` (pushed with the tag)."""
    line = find_line(lines_svc.discover_lines(ctx.git, ctx.cfg), work.line)
    if line is None or line.branch is None or ctx.git.ref_kind(line.branch) != "local":
        return None
    return line.branch if ctx.git.is_ancestor(commit, ctx.git.require_commit(
        f"refs/heads/{line.branch}")) else None


def _push(ctx: Context, key: str, actor: str, work: Work, result: Released) -> Released:
    remote = ctx.cfg.str("lines.remote")
    if not ctx.git.has_remote(remote):
        raise UsageError(f"there is no remote {remote!r} to push to",
                         hint=f"add it (git remote add {remote} URL) or set lines.remote; "
                              f"then: hotfix release {key} --push")
    _refuse_markers(ctx.git, work, result.release_commit)
    anchor.checkpoint(ctx, [key])  # the record's head goes to the remote with its release
    specs = [f"refs/heads/{work.branch}:refs/heads/{work.branch}",
             f"refs/tags/{work.tag}:refs/tags/{work.tag}", *ctx.git.anchor_refspecs([key])]
    line_branch = _line_branch(ctx, work, result.release_commit)
    if line_branch is not None:
        specs.append(f"refs/heads/{line_branch}:refs/heads/{line_branch}")
    _push_atomic(ctx.git, remote, specs)
    journal(ctx, key, actor, "push", "done", remote=remote, refs=specs)
    result.pushed, result.pushed_refs = True, specs
    return result


def _push_atomic(git: GitRepo, remote: str, specs: list[str]) -> None:
    """The branch and the tag together, or nothing: a refused push is an error here."""
    refusal = git.push_atomic(remote, specs)
    if refusal is not None:
        raise GitError(f"`git push --atomic {remote}` refused; nothing was pushed:\n"
                       f"{refusal[-1500:]}",
                       hint="fetch and look at what the remote has (git fetch --tags), then "
                            "push again with the same command")


def _from_record(rec: Hotfix, work: Work, done: Any) -> Released:
    pushes = [list(n["refs"]) for n in notes(rec.events, "push")
              if n.get("refs") and f"refs/tags/{work.tag}:refs/tags/{work.tag}" in n["refs"]]
    landed = backport_targets(rec.events).get(work.line)
    return Released(rec.key, str(done["tag"]), str(done["version"]), str(done["commit"]),
                    str(done["release_commit"]), work.branch, dict(done.get("bumped", {})),
                    list(done.get("notes", [])), bool(done.get("signed")), bool(pushes),
                    TargetResult.from_dict(landed.detail) if landed else None,
                    pushes[-1] if pushes else [])

