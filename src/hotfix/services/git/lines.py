"""Release lines of the repository: discovered from tags and branches, with their support."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from hotfix.config import Config
from hotfix.domain.release.lines import ReleaseLine, ambiguous_latest, build_lines, find_line
from hotfix.domain.release.versions import TagPattern, VersionSyntaxError, parse_line
from hotfix.errors import ConfigError, NotFound, UsageError
from hotfix.ports import GitRepo

__all__ = ["ReleaseLine", "discover_lines", "mainline_ref", "require_line", "tag_pattern"]


def tag_pattern(cfg: Config) -> TagPattern:
    try:
        return TagPattern.compile(cfg.str("lines.tag_pattern"))
    except VersionSyntaxError as exc:
        raise ConfigError(str(exc), hint="fix lines.tag_pattern in hotfix.toml") from None


def discover_lines(git: GitRepo, cfg: Config, *, today: date | None = None,
                   tags: Mapping[str, str] | None = None,
                   branches: list[str] | None = None) -> list[ReleaseLine]:
    """Every release line, oldest first, from tags and maintenance branches."""
    try:
        return build_lines(
            tags if tags is not None else git.tags(),
            branches if branches is not None else git.branches(),
            pattern=tag_pattern(cfg),
            branch_patterns=[str(p) for p in cfg.list("lines.branch_patterns")],
            matrix=cfg.table("lines.support"), support_default=cfg.bool("lines.support_default"),
            today=today or date.today(),
        )
    except VersionSyntaxError as exc:
        raise ConfigError(str(exc), hint="fix the [lines] section of hotfix.toml") from None


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
        raise NotFound(f"line {name} has no release yet (branch {line.branch}, no tag)",
                       hint=f"tag its release first, e.g. git tag -a v{name}.0 -m 'Release "
                            f"{name}.0' {line.branch}")
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


def mainline_ref(git: GitRepo, cfg: Config) -> str:
    """The mainline branch: the local one, else its remote-tracking copy."""
    name = cfg.str("lines.mainline")
    remote = cfg.str("lines.remote")
    for ref in (f"refs/heads/{name}", f"refs/remotes/{remote}/{name}"):
        if git.commit_of(ref) is not None:
            return ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")
    raise NotFound(f"the mainline branch {name!r} does not exist here",
                   hint=f"fetch it: git fetch {remote} {name}:{name}, or set lines.mainline")
