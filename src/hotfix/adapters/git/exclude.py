"""``.hotfix/`` (state and worktrees) kept out of ``git status``, by one line in info/exclude.

The line goes to ``.git/info/exclude`` (local to the clone, never a tracked ``.gitignore``)
once: not when the file already has it (in any form an earlier hotfix wrote: ``/.hotfix/``
or ``.hotfix/``), nor when the user's own ignore rules already cover ``.hotfix/``.
"""

from __future__ import annotations

from pathlib import Path

from hotfix.adapters.git import cmd
from hotfix.adapters.git.repository import STATE_DIR, git_path

LINE = f"/{STATE_DIR}/"
COMMENT = "# hotfix: its worktrees and state"
_SAME = {LINE, f"{STATE_DIR}/", f"/{STATE_DIR}", STATE_DIR}  # what earlier versions wrote


def ensure_state_dir(root: Path) -> Path:
    """``<root>/.hotfix/``, created on first use and kept out of git."""
    state = root / STATE_DIR
    state.mkdir(exist_ok=True)
    ensure_excluded(root)
    return state


def ensure_excluded(root: Path) -> bool:
    """Add the exclude line unless ``.hotfix/`` is excluded already; True when it was added."""
    exclude = git_path(root, "info/exclude")
    text = exclude.read_text(encoding="utf-8") if exclude.is_file() else ""
    if has_line(text) or _ignored(root):
        return False
    exclude.parent.mkdir(parents=True, exist_ok=True)
    with exclude.open("a", encoding="utf-8") as handle:
        handle.write(("" if not text or text.endswith("\n") else "\n") + f"{COMMENT}\n{LINE}\n")
    return True


def has_line(text: str) -> bool:
    """Whether an exclude file's ``text`` already keeps ``.hotfix/`` out."""
    return any(line.strip() in _SAME for line in text.splitlines())


def _ignored(root: Path) -> bool:
    """The user's own rules (``.gitignore``, global excludes) already cover ``.hotfix/``."""
    probe = f"{STATE_DIR}/worktrees/x"
    return cmd.run(["check-ignore", "-q", probe], root, check=False).returncode == 0


def exclude_file(root: Path, name: str) -> bool:
    """Keep the repository-root file ``name`` out of git through ``.git/info/exclude`` (this
    clone only); True when the line was added."""
    exclude = git_path(root, "info/exclude")
    text = exclude.read_text(encoding="utf-8") if exclude.is_file() else ""
    if f"/{name}" in (line.strip() for line in text.splitlines()):
        return False
    exclude.parent.mkdir(parents=True, exist_ok=True)
    with exclude.open("a", encoding="utf-8") as handle:
        handle.write(("" if not text or text.endswith("\n") else "\n") +
                     f"# hotfix: its settings, kept in this clone only\n/{name}\n")
    return True


def is_tracked(root: Path, name: str) -> bool:
    return cmd.run(["ls-files", "--error-unmatch", "--", name], root,
                   check=False).returncode == 0
