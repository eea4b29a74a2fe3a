"""Cherry-picks with our trailers, conflicts named, and the commit made by ``git commit``.

A pick is ``git cherry-pick --no-commit`` followed by ``git commit -F``: the message keeps the
original, adds ``(cherry picked from commit …)`` (what ``-x`` writes) and our trailers
(``Hotfix-Id: HF-N``, ``Backport-Of: …``), and the team's commit hooks run as for any commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from hotfix.adapters.git import cmd
from hotfix.adapters.git.status import has_staged, unmerged
from hotfix.errors import GitError, UsageError
from hotfix.ports import Applied

PICKED_FROM = "(cherry picked from commit {sha})"


def message_for(root: Path, source: str, trailers: Mapping[str, str],
                original: str | None = None) -> str:
    """The original message of ``source`` with the ``-x`` line and our trailers."""
    if original is None:
        original = cmd.out(["log", "-1", "--format=%B", "--end-of-options", source, "--"], root)
    return with_trailers(original, source, trailers)


_TRAILER = re.compile(r"^([A-Za-z0-9-]+: .*|\(cherry picked from commit [0-9a-f]+\))$")


def with_trailers(original: str, source: str, trailers: Mapping[str, str]) -> str:
    """What ``git cherry-pick -x`` writes, plus our trailers (each once) in the same block."""
    lines = original.rstrip().splitlines()
    paragraphs = original.rstrip().split("\n\n")
    last = paragraphs[-1].splitlines() if len(paragraphs) > 1 else []
    in_block = bool(last) and all(_TRAILER.match(line) for line in last)
    wanted = [PICKED_FROM.format(sha=source), *(f"{k}: {v}" for k, v in trailers.items())]
    added = [line for line in wanted if line not in (last if in_block else [])]
    return "\n".join([*lines, *([] if in_block else [""]), *added]) + "\n"


def apply(tree: Path, source: str, mainline: int | None = None) -> Applied:
    """Apply ``source``'s change to the index and work tree of ``tree`` without committing."""
    args = ["cherry-pick", "--no-commit", "--allow-empty"]
    args += ["-m", str(mainline)] if mainline else []
    proc = cmd.run([*args, source], tree, check=False)
    if proc.returncode != 0:
        files = unmerged(tree)
        if files:
            return Applied("conflict", tuple(files))
        raise GitError(f"`git cherry-pick {source[:12]}` failed: {proc.stderr.strip()}",
                       hint=f"look at the state in {tree} (git status) and retry")
    return Applied("applied" if has_staged(tree) else "empty")


def keep_ours(tree: Path, paths: Iterable[str]) -> None:
    """Drop the pick's change to ``paths``: they keep the target's content (resolved)."""
    wanted = list(paths)
    if not wanted:
        return
    cmd.run(["reset", "-q", "--", *wanted], tree, check=False)
    known = [p for p in wanted if _in_head(tree, p)]
    if known:
        cmd.run(["checkout", "HEAD", "--", *known], tree)
    for path in set(wanted) - set(known):
        cmd.run(["rm", "-q", "--cached", "--force", "--ignore-unmatch", "--", path], tree)
        (tree / path).unlink(missing_ok=True)


def _in_head(tree: Path, path: str) -> bool:
    return cmd.run(["cat-file", "-e", f"HEAD:{path}"], tree, check=False).returncode == 0


def commit(tree: Path, message: str, *, what: str, retry: str,
           author_of: str | None = None) -> str:
    """``git commit -F -`` (hooks run); a hook's refusal becomes a clear error.

    ``author_of``: the commit whose author (name, email, date) the new commit keeps, as
    ``git cherry-pick`` does; the committer is whoever runs hotfix."""
    proc = cmd.run(["commit", "-q", "--allow-empty", "-F", "-"], tree, check=False,
                   input=message, env=author_env(tree, author_of) if author_of else None)
    if proc.returncode != 0:
        output = (proc.stderr.strip() or proc.stdout.strip())[-1500:]
        raise GitError(
            f"git refused to commit {what} in {tree} (a commit hook rejected it, or git "
            f"could not write the commit):\n{output}",
            hint=f"fix what is reported above in {tree} (the change is staged, nothing is "
                 f"lost), then run: {retry}",
        )
    return cmd.out(["rev-parse", "HEAD"], tree)


def author_env(root: Path, source: str) -> dict[str, str]:
    """``GIT_AUTHOR_*`` of ``source``: its author's name, email and date (raw, with zone)."""
    name, email, date = cmd.out(["log", "-1", "--date=raw", "--format=%an%x00%ae%x00%ad",
                                 "--end-of-options", source, "--"], root).split("\0")
    return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": date}


def abort(tree: Path) -> None:
    """Undo an unfinished pick: the index and work tree go back to HEAD."""
    cmd.run(["reset", "-q", "--merge"], tree)
    cmd.run(["checkout", "-q", "--", "."], tree, check=False)


def require_resolved(tree: Path, retry: str) -> None:
    files = unmerged(tree)
    if files:
        raise UsageError(
            f"still unresolved in {tree}: {', '.join(files)}",
            hint=f"edit them, `git -C {tree} add <file>` each, then run: {retry}",
        )


def conflict_markers(root: Path, base: str, head: str) -> list[str]:
    """``file:line`` of every conflict marker the commits ``base..head`` add."""
    return added_markers(_diff(root, [base, head]))


def staged_markers(tree: Path) -> list[str]:
    """Conflict markers in the staged change or work tree of ``tree`` (vs HEAD)."""
    return added_markers(_diff(tree, ["HEAD"]))


def _diff(cwd: Path, revs: list[str]) -> str:
    return cmd.run(["diff", "-U0", "--no-color", "--no-ext-diff", "--no-renames", *revs, "--"],
                   cwd).stdout


def added_markers(diff: str) -> list[str]:
    """Markers on added lines of a unified diff. A bare ``=======`` (an RST ruler, say)
    counts only in a file that also gains a ``<<<<<<<`` or ``>>>>>>>`` line."""
    found: dict[str, list[tuple[int, bool]]] = {}
    path, number = "", 0
    for line in diff.splitlines():
        if line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else ""
        elif line.startswith("@@"):
            number = int(line.split("+", 1)[1].split(" ", 1)[0].split(",", 1)[0])
        elif line.startswith("+") and path:
            strong = _marker(line[1:])
            if strong is not None:
                found.setdefault(path, []).append((number, strong))
            number += 1
    return [f"{p}:{n}" for p, hits in found.items() if any(s for _, s in hits)
            for n, _ in hits]


def _marker(text: str) -> bool | None:
    """True for ``<<<<<<<``/``>>>>>>>`` lines, False for a bare ``=======``, else None."""
    for sign in ("<<<<<<<", ">>>>>>>"):
        if text == sign or text.startswith(sign + " "):
            return True
    return False if text.rstrip() == "=======" else None
