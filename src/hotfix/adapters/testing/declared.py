"""What a project declares for its tests: requirements, pins from its lock file, its build.

- ``pyproject.toml``: ``[project] dependencies``, the optional-dependency extras and
  dependency groups named by ``check.extras``, Poetry's ``[tool.poetry]`` dependencies
  (and the groups named by ``check.extras``), and whether it builds (``[build-system]``).
- Requirement files found by ``check.requirements`` (``-e .`` lines dropped: the project
  itself is installed per check, not into the cached environment).
- A lock file: ``Pipfile.lock`` lists the whole environment (its ``default`` and
  ``develop`` sections become the requirements, with their markers); ``uv.lock``,
  ``poetry.lock`` and ``pdm.lock`` become constraints (``name==version`` for every
  package from an index), so every declared package and its dependencies install at the
  locked versions.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LOCKS = ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock")
_SELF = re.compile(r"^\s*(-e\s+)?(\.|file:\.?)(\[.*\])?\s*$")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class Declared:
    requirements: tuple[str, ...]
    files: tuple[Path, ...]  # requirement files, as found in the worktree
    pins: tuple[str, ...] = ()  # constraints from a lock file
    lock: str | None = None  # the lock file used
    builds: bool = False  # setup.py, setup.cfg or a [build-system]: pip can install it
    inputs: dict[str, bytes] = field(default_factory=dict)  # what the environment hashes

    def names(self) -> set[str]:
        """The names of every requirement declared, in pyproject or a requirement file."""
        lines = [x for f in self.files
                 for x in f.read_text(encoding="utf-8", errors="replace").splitlines()]
        return {norm(m[1]) for r in [*self.requirements, *lines]
                if not r.lstrip().startswith(("-", "#")) and (m := _NAME.match(r))}


def declared(worktree: Path, extras: list[str], globs: list[str]) -> Declared:
    data: dict[str, Any] = {}
    pyproject = worktree / "pyproject.toml"
    if pyproject.is_file():
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    reqs = [*_pep621(data, extras), *_poetry(data, extras)]
    files = tuple(sorted({p for g in globs for p in worktree.glob(g) if p.is_file()}))
    lock = next((worktree / n for n in LOCKS if (worktree / n).is_file()), None)
    pins: list[str] = []
    if lock is not None and lock.name == "Pipfile.lock":
        reqs += _pipfile_lock(lock)
    elif lock is not None:
        pins = _toml_lock(lock, own=norm(str(data.get("project", {}).get("name", ""))))
    inputs = {p.relative_to(worktree).as_posix(): p.read_bytes()
              for p in [*files, *([lock] if lock else [])]}
    builds = ("build-system" in data or (worktree / "setup.py").is_file()
              or (worktree / "setup.cfg").is_file())
    return Declared(tuple(reqs), files, tuple(pins), lock.name if lock else None, builds,
                    inputs)


def _pep621(data: dict[str, Any], extras: list[str]) -> list[str]:
    project = data.get("project", {})
    own = norm(str(project.get("name", "")))
    reqs = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    groups = data.get("dependency-groups", {})
    for extra in extras:
        reqs += list(optional.get(extra, []))
        reqs += [g for g in groups.get(extra, []) if isinstance(g, str)]
    return [r for r in reqs if _name(r) != own]


def _poetry(data: dict[str, Any], extras: list[str]) -> list[str]:
    poetry = data.get("tool", {}).get("poetry", {})
    tables = [poetry.get("dependencies", {}), poetry.get("dev-dependencies", {})]
    tables += [poetry.get("group", {}).get(g, {}).get("dependencies", {}) for g in extras]
    return [name for table in tables for name in table if name.lower() != "python"]


def _pipfile_lock(lock: Path) -> list[str]:
    data = json.loads(lock.read_text(encoding="utf-8"))
    out = []
    for section in ("default", "develop"):
        for name, spec in sorted(data.get(section, {}).items()):
            if not isinstance(spec, dict) or not str(spec.get("version", "")).startswith("=="):
                continue  # a path, git or editable entry: not from an index
            marker = f"; {spec['markers']}" if spec.get("markers") else ""
            out.append(f"{name}{spec['version']}{marker}")
    return out


def _toml_lock(lock: Path, own: str) -> list[str]:
    packages = tomllib.loads(lock.read_text(encoding="utf-8")).get("package", [])
    pins = {}
    for pkg in packages:
        name = norm(str(pkg.get("name", "")))
        if name and name != own and pkg.get("version") and _from_index(pkg):
            pins[name] = f"{name}=={pkg['version']}"
    return sorted(pins.values())


def _from_index(pkg: dict[str, Any]) -> bool:
    """Whether a locked package comes from an index (not a path, a git URL, the project)."""
    local = {"editable", "virtual", "directory", "path", "git", "url"}
    source = pkg.get("source", {})
    if isinstance(source, dict) and "type" in source:  # poetry
        return source["type"] not in ("directory", "git", "file", "url")
    keys = set(source) if isinstance(source, dict) else set()
    return not (local & keys or local & {k for k, v in pkg.items() if v})


def filtered(file: Path, into: Path) -> Path:
    """A copy of a requirements file without the project itself (``-e .``), with the files
    it includes (``-r``, ``-c``) made absolute."""
    lines = []
    for raw in file.read_text(encoding="utf-8").splitlines():
        if _SELF.match(raw):
            continue
        parts = raw.split(maxsplit=1)
        if len(parts) == 2 and parts[0] in ("-r", "-c", "--requirement", "--constraint"):
            raw = f"{parts[0]} {(file.parent / parts[1]).resolve()}"  # noqa: PLW2901
        lines.append(raw)
    out = into / "requirements" / file.name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", "utf-8")
    return out


def _name(requirement: str) -> str:
    return norm(re.split(r"[\s\[<>=!~;@]", requirement, maxsplit=1)[0])


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
