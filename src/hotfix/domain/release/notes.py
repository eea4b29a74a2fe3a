"""Release notes of a line, in the changelog's own format: one entry per fix, never twice.

Each entry names the hotfix and the fix's original commit, ``- Subject (HF-3, 1a2b3c4d5e6f)``;
that pair is the entry's identity. Adding notes for a release that already lists a fix (a
re-run, a resumed release, a changelog merged from another line) adds nothing for it.

A changelog is Markdown (``#`` headings) or reStructuredText (titles underlined, perhaps
overlined, with ``=``, ``-``, ``~``, …), chosen by the file's name, else by its text. The new
release goes where the project's newest release is — above its heading, so an
``Unreleased`` section stays on top — written in that heading's style: its level (``##``, or
the same underline and overline), its words with the version and the date replaced
(``## [1.1.0] - 2024-02-01`` → ``## [1.1.1] - 2024-03-01``, ``1.1.0 (2024-02-01)`` →
``1.1.1 (2024-03-01)``), and its list bullet. Never appended at the end of the file.

The mainline's entry for its next regular release (``add_unreleased``) goes in the
``Unreleased`` section instead (Keep a Changelog: ``## [Unreleased]`` then ``### Fixed``),
made above the newest release in that release's heading style when there is none; under a
``Fixed`` subsection when the project's sections have subsections, else as a plain item.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

HEADER = "# Changelog"
SHORT = 12
MARKDOWN, RST = "markdown", "rst"

_VERSION = re.compile(r"(?<![\d.])\d+\.\d+(?:\.\d+)?(?!\.?\d)")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ADORNMENT = re.compile(r"^([=\-~^\"'`#*+:.])\1{2,}\s*$")
_BULLET = re.compile(r"^([-*+])\s+\S")
_FENCE = re.compile(r"^\s*(```|~~~)")
_UNRELEASED = re.compile(r"(?i)\bunreleased\b")
FIXED = "Fixed"


@dataclass(frozen=True)
class NoteEntry:
    key: str  # "HF-3"
    subject: str  # the fix commit's subject
    source: str  # the original fix commit (full or abbreviated sha)

    def identity(self) -> str:
        return f"({self.key}, {self.source[:SHORT]})"

    def render(self, bullet: str = "-") -> str:
        return f"{bullet} {self.subject} {self.identity()}"


@dataclass(frozen=True)
class Heading:
    start: int  # first line of the title (the overline, if any)
    body: int  # first line after the title
    text: str
    style: tuple[str, int, bool]  # (format, level or underline char code, overlined)


def format_of(path: str, text: str) -> str:
    """``rst`` or ``markdown``: by the file's suffix, else by what its headings look like."""
    name = path.rsplit("/", 1)[-1].lower()
    if name.endswith((".rst", ".rest")):
        return RST
    if name.endswith((".md", ".markdown")):
        return MARKDOWN
    lines = text.splitlines()
    if any(h.style[0] == MARKDOWN for h in _md_headings(lines)):
        return MARKDOWN
    return RST if _rst_headings(lines) else MARKDOWN


def present(text: str, entry: NoteEntry) -> bool:
    return entry.identity() in text


def add_release(text: str, tag: str, day: str, title: str, entries: Iterable[NoteEntry],
                fmt: str = MARKDOWN) -> tuple[str, list[NoteEntry]]:
    """``text`` with the entries not yet listed added to ``tag``'s section; and those added."""
    fresh = _unique(e for e in entries if not present(text, e))
    if not fresh:
        return text, []
    version = _version_of(tag)
    lines = text.splitlines() if text.strip() else _empty(fmt)
    headings = _headings(lines, fmt)
    releases = [h for h in headings if _VERSION.search(h.text)]
    own = next((h for h in releases if _names(h.text, version)), None)
    template = releases[0] if releases else None
    bullet = _bullet(lines, template or own)
    rendered = [e.render(bullet) for e in fresh]
    if own is not None:
        at, block = _section_end(lines, own, headings), rendered
    else:
        at = template.start if template else _after_title(lines, headings)
        block = [*_title(template, fmt, tag, version, day, headings), "", title, "",
                 *rendered, ""]
        if at > 0 and lines[at - 1].strip():
            block.insert(0, "")
    lines[at:at] = block
    return "\n".join(lines).rstrip("\n") + "\n", fresh


def add_unreleased(text: str, entries: Iterable[NoteEntry],
                   fmt: str = MARKDOWN) -> tuple[str, list[NoteEntry]]:
    """``text`` with the entries not yet listed (anywhere in it) added to its Unreleased
    section, under ``Fixed`` when its sections have subsections; and those added."""
    fresh = _unique(e for e in entries if not present(text, e))
    if not fresh:
        return text, []
    lines = text.splitlines() if text.strip() else _empty(fmt)
    headings = _headings(lines, fmt)
    releases = [h for h in headings if _VERSION.search(h.text)]
    own = next((h for h in headings if _UNRELEASED.search(h.text)), None)
    template = own or (releases[0] if releases else None)
    rendered = [e.render(_bullet(lines, template)) for e in fresh]
    sub = _subsection_style(headings, template)
    if own is None:
        at, block = _new_unreleased(lines, headings, releases, fmt, sub, rendered)
    else:
        at, block = _fixed_place(lines, headings, own, sub, rendered)
    while block and not block[-1].strip():
        block.pop()
    if at < len(lines) and lines[at].strip():
        block.append("")
    lines[at:at] = block
    return "\n".join(lines).rstrip("\n") + "\n", fresh


def _new_unreleased(lines: list[str], headings: list[Heading], releases: list[Heading],
                    fmt: str, sub: tuple[str, int, bool] | None,
                    rendered: list[str]) -> tuple[int, list[str]]:
    """Where an Unreleased section goes (above the newest release, in its heading style,
    ``[Unreleased]`` when it is bracketed), and its lines."""
    newest = releases[0] if releases else None
    at = newest.start if newest else _after_title(lines, headings)
    style = newest.style if newest else _section_style(fmt, headings)
    name = "[Unreleased]" if newest and newest.text.startswith("[") else "Unreleased"
    block = [*_render_heading(name, style), ""]
    block += [*_render_heading(FIXED, sub), "", *rendered] if sub else rendered
    if at > 0 and lines[at - 1].strip():
        block.insert(0, "")
    return at, block


def _fixed_place(lines: list[str], headings: list[Heading], own: Heading,
                 sub: tuple[str, int, bool] | None,
                 rendered: list[str]) -> tuple[int, list[str]]:
    """Where the entries go in the Unreleased section ``own``, and the lines to insert:
    after the last item of its Fixed subsection, a new Fixed subsection at its end (before
    Security, as Keep a Changelog orders them), or after its last item."""
    end = _section_stop(headings, own, len(lines))
    inner = [h for h in headings if own.start < h.start < end]
    if sub is None or (not inner and _items(lines, own.body, end)):
        return _after_items(lines, own.body, end), rendered
    fixed = next((h for h in inner if h.text.strip().lower() == FIXED.lower()), None)
    if fixed is not None:
        stop = next((h.start for h in inner if h.start > fixed.start), end)
        return _after_items(lines, fixed.body, stop), rendered
    security = next((h for h in inner if h.text.strip().lower() == "security"), None)
    at = security.start if security is not None else _trimmed(lines, own.body, end)
    block = [*_render_heading(FIXED, sub), "", *rendered, ""]
    if at > 0 and lines[at - 1].strip():
        block.insert(0, "")
    return at, block


def _subsection_style(headings: list[Heading],
                      section: Heading | None) -> tuple[str, int, bool] | None:
    """The style of a subsection under ``section``, when the project's sections have any
    (Keep a Changelog's ``### Fixed``); None when entries go straight under the section."""
    if section is None:
        return None
    level = _level(headings, section)
    deeper = [h for h in headings if _level(headings, h) > level]
    if deeper:
        return deeper[0].style
    return None


def _level(headings: list[Heading], heading: Heading) -> int:
    """A heading's depth: ``#`` count in Markdown; order of first use in reStructuredText."""
    if heading.style[0] == MARKDOWN:
        return heading.style[1]
    order: list[tuple[str, int, bool]] = []
    for h in headings:
        if h.style not in order:
            order.append(h.style)
    return order.index(heading.style) + 1


def _section_stop(headings: list[Heading], own: Heading, default: int) -> int:
    level = _level(headings, own)
    return next((h.start for h in headings if h.start > own.start
                 and _level(headings, h) <= level), default)


def _items(lines: list[str], start: int, stop: int) -> bool:
    return any(_BULLET.match(line) for line in lines[start:stop])


def _after_items(lines: list[str], start: int, stop: int) -> int:
    """Just after the last list item between ``start`` and ``stop`` (else after the
    heading's first blank line)."""
    end = start
    for index in range(start, stop):
        if _BULLET.match(lines[index]):
            end = index + 1
    if end == start and end < len(lines) and not lines[end].strip():
        end += 1
    return end


def _trimmed(lines: list[str], start: int, stop: int) -> int:
    """``stop`` moved back over the blank lines that end a section."""
    while stop > start and not lines[stop - 1].strip():
        stop -= 1
    return stop


def _render_heading(text: str, style: tuple[str, int, bool]) -> list[str]:
    if style[0] == MARKDOWN:
        return [f"{'#' * style[1]} {text}"]
    rule = chr(style[1]) * len(text)
    return [rule, text, rule] if style[2] else [text, rule]


def _version_of(tag: str) -> str:
    match = _VERSION.search(tag)
    return match.group(0) if match else tag


def _names(text: str, version: str) -> bool:
    return any(m.group(0) == version for m in _VERSION.finditer(text))


def _empty(fmt: str) -> list[str]:
    return ["Changelog", "=========", ""] if fmt == RST else [HEADER, ""]


def _unique(entries: Iterable[NoteEntry]) -> list[NoteEntry]:
    seen: set[str] = set()
    out = []
    for entry in entries:
        if entry.identity() not in seen:
            seen.add(entry.identity())
            out.append(entry)
    return out


def _headings(lines: list[str], fmt: str) -> list[Heading]:
    return _rst_headings(lines) if fmt == RST else _md_headings(lines)


def _md_headings(lines: list[str]) -> list[Heading]:
    found: list[Heading] = []
    fenced = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        match = None if fenced else _MD_HEADING.match(line)
        if match:
            found.append(Heading(index, index + 1, match.group(2),
                                 (MARKDOWN, len(match.group(1)), False)))
    return found


def _rst_headings(lines: list[str]) -> list[Heading]:
    found: list[Heading] = []
    index = 0
    while index + 1 < len(lines):
        line, below = lines[index], lines[index + 1]
        over = _ADORNMENT.match(line)
        if over and index + 2 < len(lines) and lines[index + 2].rstrip() == line.rstrip() \
                and below.strip() and not _ADORNMENT.match(below):
            found.append(Heading(index, index + 3, below.strip(),
                                 (RST, ord(over.group(1)), True)))
            index += 3
            continue
        under = _ADORNMENT.match(below)
        if under and line.strip() and not line[0].isspace() and not _ADORNMENT.match(line) \
                and len(below.rstrip()) >= len(line.rstrip()) \
                and (index == 0 or not lines[index - 1].strip()):
            found.append(Heading(index, index + 2, line.strip(),
                                 (RST, ord(under.group(1)), False)))
            index += 2
            continue
        index += 1
    return found


def _bullet(lines: list[str], heading: Heading | None) -> str:
    """The list bullet the project uses under its newest release (``-`` by default)."""
    if heading is not None:
        for line in lines[heading.body:]:
            match = _BULLET.match(line)
            if match:
                return match.group(1)
    return "-"


def _title(template: Heading | None, fmt: str, tag: str, version: str, day: str,
           headings: list[Heading]) -> list[str]:
    """The new release's heading, in the style of the newest release's heading."""
    if template is None:
        text = f"{tag} — {day}" if fmt == MARKDOWN else f"{tag} ({day})"
        style = _section_style(fmt, headings)
    else:
        text = _VERSION.sub(version, template.text, count=1)
        text = _DAY.sub(day, text, count=1)
        style = template.style
    return _render_heading(text, style)


def _section_style(fmt: str, headings: list[Heading]) -> tuple[str, int, bool]:
    """A section one level below the document's title, when no release is listed yet."""
    if fmt == MARKDOWN:
        return MARKDOWN, 2, False
    used = {h.style for h in headings}
    for char in "-~^\"'":
        if (RST, ord(char), False) not in used:
            return RST, ord(char), False
    return RST, ord("+"), False


def _after_title(lines: list[str], headings: list[Heading]) -> int:
    """Where the first release goes when none is listed: under the document's title (and
    the paragraphs below it), before any other section; at the top when there is no title."""
    if not headings:
        return 0
    first = headings[0]
    titled = first.style[0] == RST or first.style[1] == 1
    if not titled:
        return first.start
    return headings[1].start if len(headings) > 1 else len(lines)


def _section_end(lines: list[str], own: Heading, headings: list[Heading]) -> int:
    """The index just after the last entry of ``own``'s section."""
    stop = next((h.start for h in headings if h.start > own.start), len(lines))
    end = own.body
    for index in range(own.body, stop):
        if _BULLET.match(lines[index]):
            end = index + 1
    return end
