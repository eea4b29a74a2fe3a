"""``hotfix start``: branch ``hotfix/X.Y.Z`` from the line's latest release tag, in a worktree.

The next patch version is chosen past every tag (local and the remote's), every ``hotfix/``
branch and every reservation, then reserved by one create-only ref
(``refs/hotfix/reserved/<version>``, holding the record's id): git refuses the second of two
processes that chose the same number, and that one moves on to the next. A start never
adopts a version another record reserved. The branch lives in ``.hotfix/worktrees/HF-N``:
the user's checkout and stash are never touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hotfix.domain.record.lifecycle import Hotfix
from hotfix.domain.release.journal import begun
from hotfix.domain.release.lines import ReleaseLine
from hotfix.domain.release.versions import Version, VersionSyntaxError, next_patch, scheme_step
from hotfix.errors import ConfigError, ConflictError, NotFound, PolicyViolation, UsageError
from hotfix.services.context import Context
from hotfix.services.git import lines as lines_svc
from hotfix.services.git.steps import Work, guard, journal

HOTFIX_BRANCH = "hotfix/"
_ATTEMPTS = 20  # others reserving meanwhile; each try re-reads what is taken


@dataclass(frozen=True)
class Started:
    work: Work
    resumed: bool  # the branch was made by an earlier, interrupted start

    def to_dict(self) -> dict[str, Any]:
        return {**self.work.facts(), "id": self.work.key, "resumed": self.resumed}


def start(ctx: Context, key: str, actor: str, line: str | None = None,
          from_tag: str | None = None) -> Started:
    """Create the hotfix branch and worktree from the release tag, and record it.

    ``from_tag``: an older release tag of the line to branch from (the one production
    runs) instead of the line's latest; the version is still the line's next free one."""
    line = _given_line(line)
    if from_tag is not None:
        line = _line_of_tag(ctx, from_tag, line)
    rec = ctx.records.get(key)
    guard(ctx, rec, "start", actor)
    ctx.git.require_full_history()
    pending = begun(rec.events, "start", "start")
    work = Work.from_payload(rec.key, pending) if pending is not None and (
        line is None or pending["line"] == line) else None
    fresh = work is None or not owns(ctx, work)
    if pending is not None and from_tag is not None and pending["base_tag"] != from_tag:
        work, fresh = None, True
    if work is None or fresh:  # a version another record reserved is never adopted
        work = reserve_work(ctx, rec, line or (work.line if work else None), from_tag)
        journal(ctx, rec.key, actor, "start", "begin", **work.facts())
    resumed = make_branch(ctx, work, fresh=fresh)
    ctx.records.act(rec.key, "start", actor, {"facts": work.facts()})
    return Started(work, resumed)


def owns(ctx: Context, work: Work) -> bool:
    """Whether ``work``'s version is reserved by its record (reserved now if nobody had)."""
    return (ctx.git.reserve_version(work.version, work.key, _remote(ctx))
            or ctx.git.reservation_owner(work.version) == work.key)


def reserve_work(ctx: Context, rec: Hotfix, name: str | None,
                 from_tag: str | None = None) -> Work:
    """Plan the next free version and reserve it; plan again when another got it first."""
    for _ in range(_ATTEMPTS):
        work = plan_work(ctx, rec, name, from_tag)
        if ctx.git.reserve_version(work.version, rec.key, _remote(ctx)):
            return work
    raise ConflictError(
        f"could not reserve a version on line {work.line}: {_ATTEMPTS} were reserved by "
        f"other hotfixes while {rec.key} was choosing",
        hint=f"see them with git for-each-ref refs/hotfix/reserved, then: hotfix start "
             f"{rec.key} --line {work.line}")


def _remote(ctx: Context) -> str | None:
    """The remote reservations are published on, None when only local ones count."""
    remote = ctx.cfg.str("lines.remote")
    checked = ctx.cfg.bool("lines.check_remote_tags") and ctx.git.has_remote(remote)
    return remote if checked else None
def _given_line(line: str | None) -> str | None:
    """``--line`` as given: None means the default line; blank is a mistake, refused."""
    if line is not None and not line.strip():
        raise UsageError("--line is empty: name a release line, e.g. --line 1.1",
                         hint="see the lines: hotfix lines; or leave --line out for the newest")
    return line.strip() if line is not None else None


def _line_of_tag(ctx: Context, tag: str, line: str | None) -> str:
    """The line of the release tag ``tag`` (``--from``); it must agree with ``--line``."""
    version = lines_svc.tag_pattern(ctx.cfg).parse(tag.strip())
    if version is None or ctx.git.tag_commit(tag.strip()) is None:
        raise UsageError(f"--from {tag!r} is not a release tag of this repository",
                         hint="name one of the line's tags (git tag --list 'v1.1.*'); see the "
                              "lines: hotfix lines")
    if line is not None and line != version.line:
        raise UsageError(f"--from {tag} is a release of line {version.line}, not of --line "
                         f"{line}", hint=f"drop --line, or: hotfix start --line {version.line} "
                                         f"--from {tag}")
    return version.line


def plan_work(ctx: Context, rec: Hotfix, name: str | None,
              from_tag: str | None = None) -> Work:
    """Which line, base tag, version, tag, branch and worktree this hotfix gets."""
    tags, branches = ctx.git.tags(), ctx.git.branches()
    found = lines_svc.discover_lines(ctx.git, ctx.cfg, tags=tags, branches=branches)
    line = lines_svc.require_line(ctx.git, ctx.cfg, name or _default_line(rec, found), found)
    lines_svc.require_unambiguous(ctx.git, ctx.cfg, line, tags)
    if not line.supported:
        raise PolicyViolation(
            f"line {line.name} is not supported (lines.support)" +
            (f" since {line.until}" if line.until else ""),
            hint="fix a supported line (see `hotfix lines`), or change [lines] support in "
                 "hotfix.toml")
    assert line.latest_tag is not None
    base_tag = from_tag.strip() if from_tag is not None else line.latest_tag
    pattern = lines_svc.tag_pattern(ctx.cfg)
    base = pattern.parse(base_tag)
    assert base is not None
    version = next_patch(base, taken_versions(ctx, tags, branches), _scheme(ctx))
    tag = pattern.tag_like(base_tag, version)
    branch = f"{HOTFIX_BRANCH}{version}"  # digits and dots: always a valid name, like the tag
    return Work(rec.key, line.name, base_tag, str(version), tag, branch,
                ctx.git.worktree_path(rec.key))


def _default_line(rec: Hotfix, found: list[ReleaseLine]) -> str:
    """The line the record names (facts ``line``), else the newest released line."""
    named = rec.facts.get("line")
    if named:
        return str(named)
    if not found:
        raise NotFound(f"{rec.key} has no release to branch from: this repository has no "
                       "release lines yet",
                       hint="tag the release production runs, e.g. git tag -a v1.0.0 -m "
                            f"'Release 1.0.0', then: hotfix start {rec.key}")
    released = [x for x in found if x.latest_tag is not None and x.supported]
    return released[-1].name if released else found[-1].name


def _scheme(ctx: Context) -> str:
    scheme = ctx.cfg.str("lines.version_scheme")
    try:
        scheme_step(scheme)
    except VersionSyntaxError as exc:
        raise ConfigError(str(exc), hint="set lines.version_scheme = \"X.Y.Z+1\"") from None
    return scheme


def taken_versions(ctx: Context, tags: Mapping[str, str] | None = None,
                   local_branches: list[str] | None = None) -> list[Version]:
    """Versions already used or reserved: every tag and hotfix/ branch, here and remote,
    and every reservation."""
    pattern = lines_svc.tag_pattern(ctx.cfg)
    names = list(tags if tags is not None else ctx.git.tags())
    branches = [b.removeprefix("remotes/").split("/", 1)[-1] if b.startswith("remotes/") else b
                for b in (local_branches if local_branches is not None
                          else ctx.git.branches())]
    remote = ctx.cfg.str("lines.remote")
    if ctx.cfg.bool("lines.check_remote_tags") and ctx.git.has_remote(remote):
        for name in ctx.git.remote_refs(remote):
            (branches if name.startswith(HOTFIX_BRANCH) else names).append(name)
    found = [v for v in (pattern.parse(n) for n in names) if v is not None]
    branches += [HOTFIX_BRANCH + v for v in ctx.git.reserved_versions()]
    return found + [v for v in (_branch_version(b) for b in branches) if v is not None]


def _branch_version(branch: str) -> Version | None:
    if not branch.startswith(HOTFIX_BRANCH):
        return None
    try:
        return Version.parse(branch.removeprefix(HOTFIX_BRANCH))
    except VersionSyntaxError:
        return None


def make_branch(ctx: Context, work: Work, fresh: bool = False) -> bool:
    """Create branch + worktree; True when they were (partly) there already."""
    if fresh:  # the version was just reserved: no branch can have this name
        ctx.git.add_worktree(work.worktree, work.branch, f"refs/tags/{work.base_tag}^{{commit}}")
        return False
    tree = ctx.git.worktree_of(work.branch)
    if tree is not None and not tree.prunable:
        return True
    if ctx.git.branch_exists(work.branch):
        ctx.git.repair_worktree(work.worktree, work.branch)
        return True
    base = ctx.git.require_commit(f"refs/tags/{work.base_tag}")
    ctx.git.add_worktree(work.worktree, work.branch, base)
    return False
