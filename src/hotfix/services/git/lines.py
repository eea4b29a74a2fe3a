"""Release lines of the repository: discovered from tags and branches, with their support."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from hotfix.config import Config
from hotfix.domain.release.lines import (
    ReleaseLine,
    ambiguous_latest,
    build_lines,
    find_line,
    line_named,
)
from hotfix.domain.release.versions import TagPattern, VersionSyntaxError, parse_line
from hotfix.errors import ConfigError, NotFound, UsageError
from hotfix.ports import GitRepo

__all__ = ["ReleaseLine", "discover_lines", "mainline_name", "mainline_ref", "pick_lines",
           "require_line", "tag_pattern"]


def tag_pattern(cfg: Config) -> TagPattern:
    try:
        return TagPattern.compile(cfg.str("lines.tag_pattern"))
    except VersionSyntaxError as exc:
        raise ConfigError(str(exc), hint="fix lines.tag_pattern in hotfix.toml") from None


def discover_lines(git: GitRepo, cfg: Config, *, today: date | None = None,
                   tags: Mapping[str, str] | None = None,
                   branches: list[str] | None = None) -> list[ReleaseLine]:
    """Every release line, oldest first, from tags, maintenance branches and floating
    branches (``lines.floating_branches``)."""
    pattern = tag_pattern(cfg)
    names = branches if branches is not None else git.branches()
    months = cfg.int("lines.support_months")
    try:
        return build_lines(
            tags if tags is not None else git.tags(), names,
            pattern=pattern,
            branch_patterns=[str(p) for p in cfg.list("lines.branch_patterns")],
            matrix=cfg.table("lines.support"), support_default=cfg.bool("lines.support_default"),
            today=today or date.today(),
            tag_dates=git.tag_dates() if months > 0 and cfg.bool("lines.support_default")
            else None,
            support_months=months, floating=floating_lines(git, cfg, names, pattern),
        )
    except VersionSyntaxError as exc:
        raise ConfigError(str(exc), hint="fix the [lines] section of hotfix.toml") from None


def floating_lines(git: GitRepo, cfg: Config, branches: list[str],
                   pattern: TagPattern) -> dict[str, str]:
    """Floating branch → the line it serves: ``stable=3.1`` as configured, or ``stable``:
    the line of its newest release tag (``git describe --tags``). Branches absent here, or
    without a release tag, serve nothing."""
    remote = cfg.str("lines.remote")
    present = {b.removeprefix(f"remotes/{remote}/"): b.removeprefix("remotes/")
               for b in sorted(branches, key=lambda b: b.startswith("remotes/"), reverse=True)}
    out: dict[str, str] = {}
    for entry in (str(e) for e in cfg.list("lines.floating_branches")):
        name, _, line = entry.partition("=")
        ref = present.get(name.strip())
        if ref is None:
            continue
        if line.strip():
            try:
                parse_line(line)
            except VersionSyntaxError as exc:
                raise ConfigError(f"lines.floating_branches: {exc}",
                                  hint='write "stable" or "stable=3.1"') from None
            out[ref] = line.strip()
            continue
        tag = git.nearest_tag(ref)
        version = pattern.parse(tag) if tag else None
        if version is not None:
            out[ref] = version.line
    return out


def pick_lines(found: list[ReleaseLine], names: Sequence[str]) -> list[ReleaseLine]:
    """The lines ``names`` call for (``X.Y`` or a branch name), in the order given;
    ``NotFound`` lists the known lines."""
    wanted = [str(n) for n in names]
    picked: dict[str, ReleaseLine] = {}
    unknown = []
    for name in wanted:
        line = line_named(found, name)
        if line is None:
            unknown.append(name)
        else:
            picked.setdefault(line.name, line)
    if unknown:
        known = ", ".join(x.name for x in found) or "none"
        branches = ", ".join(b for x in found for b in (x.branch, *x.aliases) if b)
        raise NotFound(f"no release line {', '.join(unknown)} (lines: {known})",
                       hint="name a line as X.Y or by its branch"
                            + (f" ({branches})" if branches else "") + "; see: hotfix lines")
    return list(picked.values())


def require_line(git: GitRepo, cfg: Config, name: str,
                 lines: list[ReleaseLine] | None = None) -> ReleaseLine:
    """The line ``name`` with a release to branch from; clear errors otherwise."""
    try:
        parse_line(name)
    except VersionSyntaxError as exc:
        raise UsageError(str(exc), hint="see the lines: hotfix lines") from None
    found = lines if lines is not None else discover_lines(git, cfg)
    line = find_line(found, name)
    known = ", ".join(x.name for x in found) or "none"
    if line is None:
        raise NotFound(f"there is no release line {name} (lines: {known})",
                       hint="see them: hotfix lines; a line needs a tag like "
                            f"v{name}.0 or a branch like release/{name}")
    if line.latest_tag is None:
        has = (f"only the pre-release {line.prerelease}" if line.prerelease
               else f"branch {line.branch}, no tag")
        raise NotFound(f"line {name} has no release yet ({has})",
                       hint=f"tag its release first, e.g. git tag -a v{name}.0 -m 'Release "
                            f"{name}.0' {line.branch or line.tip}")
    return line


def require_unambiguous(git: GitRepo, cfg: Config, line: ReleaseLine,
                        tags: Mapping[str, str] | None = None) -> None:
    clash = ambiguous_latest(tags if tags is not None else git.tags(), line,
                             tag_pattern(cfg))
    if clash:
        raise UsageError(
            f"the latest release of line {line.name} is ambiguous: tags {', '.join(clash)} "
            "name the same version on different commits",
            hint=f"keep one of them, e.g. git tag -d {clash[0]} (and push the deletion)",
        )


def mainline_name(git: GitRepo, cfg: Config) -> str:
    """``lines.mainline`` when set; else the remote's default branch (``origin/HEAD``), else
    ``main`` or ``master``, whichever exists (``main`` when neither does)."""
    name = cfg.str("lines.mainline").strip()
    if name:
        return name
    remote = cfg.str("lines.remote")
    default = git.default_branch(remote)
    if default:
        return default
    for candidate in ("main", "master"):
        for ref in (f"refs/heads/{candidate}", f"refs/remotes/{remote}/{candidate}"):
            if git.commit_of(ref) is not None:
                return candidate
    return "main"


def mainline_ref(git: GitRepo, cfg: Config) -> str:
    """The mainline branch: the local one, else its remote-tracking copy."""
    name = mainline_name(git, cfg)
    remote = cfg.str("lines.remote")
    for ref in (f"refs/heads/{name}", f"refs/remotes/{remote}/{name}"):
        if git.commit_of(ref) is not None:
            return ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")
    raise NotFound(f"the mainline branch {name!r} does not exist here",
                   hint=f"fetch it: git fetch {remote} {name}:{name}, or set lines.mainline "
                        "in hotfix.toml")
