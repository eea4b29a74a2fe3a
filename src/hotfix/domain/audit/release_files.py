"""Which commits only do release bookkeeping (version bumps, changelogs, CI pins).

Such commits belong to one line and are never ported, so the audit calls them
``release_only``, never ``missing``. Two kinds of files:

- *release files* (``audit.release_only_globs``): a commit touching only these is release-only;
- *version files* (``audit.version_files``): files that also hold code or dependencies
  (pyproject.toml, package.json, ``__init__.py``); a change to them counts as release-only
  only when every changed line is a version assignment (``version = "1.1.1"``).

Globs: a pattern without ``/`` matches a file name at any depth (``CHANGELOG*``); one with
``/`` matches from the repository root (``.github/workflows/*``); ``**`` spans directories.
Release globs ignore case (``CHANGELOG*`` matches ``doc/en/changelog.rst``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

_VERSION_LINE = re.compile(r"""(?i)version_*['"]?\s*[:=]\s*['"]?v?\d+\.\d+""")


class Kind(StrEnum):
    RELEASE = "release"  # only release files (or nothing at all)
    VERSION = "version"  # release files and version files: check the diff's lines
    CODE = "code"


def glob_regex(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """Compile one glob (see the module docstring) to a regex over a POSIX path."""
    anchored = "/" in pattern.strip("/")
    body, i = "", 0
    text = pattern.strip("/")
    while i < len(text):
        if text.startswith("**/", i):
            body, i = body + "(?:.*/)?", i + 3
        elif text.startswith("**", i):
            body, i = body + ".*", i + 2
        else:
            body += {"*": "[^/]*", "?": "[^/]"}.get(text[i], re.escape(text[i]))
            i += 1
    return re.compile(body if anchored else f"(?:.*/)?{body}", re.I if ignore_case else 0)


@dataclass(frozen=True)
class ReleaseFiles:
    globs: Sequence[str] = ()
    version_files: Sequence[str] = ()
    _seen: dict[str, bool] = field(default_factory=dict, compare=False, hash=False, repr=False)
    _seen_version: dict[str, bool] = field(default_factory=dict, compare=False, hash=False,
                                           repr=False)

    @cached_property
    def _release(self) -> list[re.Pattern[str]]:
        return [glob_regex(g, ignore_case=True) for g in self.globs]  # changelog.rst too

    @cached_property
    def _version(self) -> list[re.Pattern[str]]:
        return [glob_regex(g) for g in self.version_files]

    def is_release_file(self, path: str) -> bool:
        found = self._seen.get(path)
        if found is None:  # the audit asks about the same paths again and again
            found = self._seen[path] = any(p.fullmatch(path) for p in self._release)
        return found

    def is_version_file(self, path: str) -> bool:
        found = self._seen_version.get(path)
        if found is None:
            found = self._seen_version[path] = any(p.fullmatch(path) for p in self._version)
        return found

    def kind(self, files: Sequence[str]) -> Kind:
        rest = [f for f in files if not self.is_release_file(f)]
        if not rest:
            return Kind.RELEASE
        if all(self.is_version_file(f) for f in rest):
            return Kind.VERSION
        return Kind.CODE

    def version_only(self, diff: str) -> bool:
        """Whether every changed line of a version file in ``diff`` sets a version."""
        checking = False
        for line in diff.splitlines():
            if line.startswith("diff --git "):
                path = line.rsplit(" b/", 1)[-1]
                checking = not self.is_release_file(path)
            elif line.startswith(("+++ ", "--- ")) or not checking:
                continue
            elif line and line[0] in "+-" and not _VERSION_LINE.search(line):
                return False
        return True
