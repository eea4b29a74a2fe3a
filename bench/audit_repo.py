"""Generate the audit benchmark's repository with ``git fast-import``, and its ground truth.

main: ``n_main`` commits. Most are churn (one line appended to one of 2,000 files); one in
eight is a *fix* that touches its own untouched file, so a port of it has the same context.
Every third fix carries ``Hotfix-Id: HF-k``. Lines ``1.0``…: a branch ``release/1.k`` forked
from main (the fork points spread over the second half of history), ``per_line`` commits:

    35%  git cherry-pick -x of a main fix                       → in_mainline by trailer
     5%  same Hotfix-Id as a main fix, the diff adapted         → in_mainline by trailer
    20%  squash-style port: same diff, new subject, no trailer  → in_mainline by patch-id
    10%  port whose diff had to change, same subject or PR no.  → in_mainline by subject
    20%  release bookkeeping: VERSION + CHANGELOG, CI pin,
         pyproject version bump (tagged v1.k.n)                 → release_only
    10%  a fix made only on the line                            → missing

Phase 1 imports main and exports its marks (SHAs); phase 2 imports the lines, whose messages
name main SHAs. The truth is written next to the repository as JSON.
"""

from __future__ import annotations

import json
import random
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

CHURN_FILES = 2000
FIX_EVERY = 8
EMAIL = "bench <bench@example.com>"
MIX = (("trailer", 35), ("hotfix-id", 5), ("squash", 20), ("changed", 10),
       ("release", 20), ("missing", 10))


@dataclass
class Stream:
    """A fast-import stream under construction, with file contents tracked."""

    parts: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    mark: int = 0
    clock: int = 1_600_000_000

    def commit(self, ref: str, message: str, changes: dict[str, str],
               parent: int | None = None) -> int:
        self.mark += 1
        self.clock += 60
        body = message.encode()
        self.parts.append(f"commit {ref}\nmark :{self.mark}\n"
                          f"author {EMAIL} {self.clock} +0000\n"
                          f"committer {EMAIL} {self.clock} +0000\n"
                          f"data {len(body)}\n{message}\n")
        if parent is not None:
            self.parts.append(f"from :{parent}\n")
        for path, text in changes.items():
            data = text.encode()
            self.parts.append(f"M 100644 inline {path}\ndata {len(data)}\n{text}\n")
        self.parts.append("\n")
        return self.mark

    def tag(self, name: str, mark: int) -> None:
        self.parts.append(f"reset refs/tags/{name}\nfrom :{mark}\n\n")

    def feed(self, repo: Path, marks_in: Path | None, marks_out: Path) -> None:
        args = ["git", "fast-import", "--quiet", f"--export-marks={marks_out}"]
        args += [f"--import-marks={marks_in}"] if marks_in else []
        subprocess.run(args, cwd=repo, input="".join(self.parts).encode(), check=True)
        self.parts.clear()


def read_marks(path: Path) -> dict[int, str]:
    rows = (line.split() for line in path.read_text().splitlines() if line.strip())
    return {int(mark[1:]): sha for mark, sha in rows}


@dataclass
class Plan:
    n_main: int
    n_lines: int
    per_line: int
    seed: int = 7
    fixes: list[int] = field(default_factory=list)  # indexes of main fix commits
    subjects: dict[int, str] = field(default_factory=dict)
    fix_files: dict[int, str] = field(default_factory=dict)
    contents: dict[int, str] = field(default_factory=dict)


def build(repo: Path, n_main: int, n_lines: int, per_line: int) -> dict[str, object]:
    """Create the repository at ``repo``; return the ground truth (also saved as JSON)."""
    repo = repo.resolve()
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    plan = Plan(n_main, n_lines, per_line)
    rng = random.Random(plan.seed)
    stream = Stream()
    main_marks = _main(stream, plan, rng)
    stream.feed(repo, None, repo / ".git" / "marks-main")
    shas = read_marks(repo / ".git" / "marks-main")
    truth = _lines(stream, plan, rng, main_marks, shas)
    stream.feed(repo, repo / ".git" / "marks-main", repo / ".git" / "marks-all")
    shas = read_marks(repo / ".git" / "marks-all")
    for line in truth["lines"].values():  # type: ignore[attr-defined]
        line["commits"] = [{**c, "sha": shas[c.pop("mark")]} for c in line["commits"]]
    subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True)
    (repo.parent / f"{repo.name}.truth.json").write_text(json.dumps(truth))
    return truth


def _main(stream: Stream, plan: Plan, rng: random.Random) -> list[int]:
    initial = {f"src/m{i % 40:02d}/f{i:04d}.py": f"# module {i}\n" for i in range(CHURN_FILES)}
    initial.update({"VERSION": "1.0.0\n", "CHANGELOG.md": "# Changes\n",
                    ".github/workflows/ci.yml": "image: python:3.11\n",
                    "pyproject.toml": '[project]\nname = "bench"\nversion = "1.0.0"\n'})
    stream.files.update(initial)
    marks = [stream.commit("refs/heads/main", "Initial import", initial)]
    for i in range(1, plan.n_main):
        if i % FIX_EVERY == 0:
            marks.append(_main_fix(stream, plan, i, rng))
            continue
        idx = rng.randrange(CHURN_FILES)
        path = f"src/m{idx % 40:02d}/f{idx:04d}.py"
        stream.files[path] += f"value_{i} = {i}\n"
        marks.append(stream.commit("refs/heads/main", f"Refactor {path} step {i}",
                                   {path: stream.files[path]}))
    return marks


def _main_fix(stream: Stream, plan: Plan, i: int, rng: random.Random) -> int:
    path = f"src/fixes/fix{i:06d}.py"
    text = f"def fix_{i}():\n    return {rng.randrange(10**6)}\n"
    pr = f" (#{10000 + i})" if i % 3 == 1 else ""
    subject = f"Fix bug {i} in {path.rsplit('/', 1)[1]}{pr}"
    trailer = f"\n\nHotfix-Id: HF-{i}" if i % 3 == 0 else ""
    plan.fixes.append(i)
    plan.subjects[i], plan.fix_files[i], plan.contents[i] = subject, path, text
    return stream.commit("refs/heads/main", subject + trailer, {path: text})


def _lines(stream: Stream, plan: Plan, rng: random.Random, main_marks: list[int],
           shas: dict[int, str]) -> dict[str, object]:
    truth: dict[str, object] = {"n_main": plan.n_main, "n_lines": plan.n_lines,
                                "per_line": plan.per_line, "lines": {}}
    for k in range(plan.n_lines):
        fork = plan.n_main // 2 + (plan.n_main // 2 - plan.n_main // 20) * k // plan.n_lines
        name = f"1.{k}"
        stream.tag(f"v{name}.0", main_marks[fork])
        kinds = [kind for kind, share in MIX for _ in range(plan.per_line * share // 100)]
        rng.shuffle(kinds)
        later = [f for f in plan.fixes if f > fork]
        id_list = rng.sample([f for f in later if f % 3 == 0], kinds.count("hotfix-id"))
        ids = iter(id_list)
        sources = iter(rng.sample(sorted(set(later) - set(id_list)),
                                  sum(k_ in _PORTS for k_ in kinds)))
        state = _LineState(name, f"refs/heads/release/{name}", main_marks[fork])
        commits = [_line_commit(stream, plan, state, kind, kind_source(kind, sources, ids),
                                shas, main_marks) for kind in kinds]
        truth["lines"][name] = {"fork": shas[main_marks[fork]],  # type: ignore[index]
                                "commits": commits}
    return truth


_PORTS = ("trailer", "squash", "changed")


def kind_source(kind: str, sources: Iterator[int], ids: Iterator[int]) -> int | None:
    if kind in _PORTS:
        return next(sources)
    if kind == "hotfix-id":
        return next(ids)
    return None


@dataclass
class _LineState:
    name: str
    ref: str
    head: int
    n: int = 0
    release: int = 0
    files: dict[str, str] = field(default_factory=dict)


def _line_commit(stream: Stream, plan: Plan, line: _LineState, kind: str, src: int | None,
                 shas: dict[int, str], main_marks: list[int]) -> dict[str, object]:
    line.n += 1
    message, changes, expect = _line_change(plan, line, kind, src, shas, main_marks)
    line.head = stream.commit(line.ref, message, changes, parent=line.head)
    if kind == "release" and "VERSION" in changes:
        stream.tag(f"v{line.name}.{line.release}", line.head)
    return {"mark": line.head, "kind": kind, **expect}


def _line_change(plan: Plan, line: _LineState, kind: str, src: int | None,
                 shas: dict[int, str], main_marks: list[int]
                 ) -> tuple[str, dict[str, str], dict[str, object]]:
    if src is not None:
        message, changes = _port(plan, line, kind, src, shas[main_marks[src]])
        return message, changes, {"status": "in_mainline", "match": shas[main_marks[src]]}
    if kind == "release":
        return _release_change(line)
    path = f"src/line_{line.name.replace('.', '_')}/only{line.n:04d}.py"
    return (f"Fix an issue only seen on {line.name} (case {line.n})",
            {path: f"case = {line.n}\n"}, {"status": "missing", "match": None})


def _port(plan: Plan, line: _LineState, kind: str, src: int,
          main_sha: str) -> tuple[str, dict[str, str]]:
    subject, path, text = plan.subjects[src], plan.fix_files[src], plan.contents[src]
    changed = {path: text.replace("return", "return -1 if legacy else")}
    if kind == "trailer":
        return f"{subject}\n\n(cherry picked from commit {main_sha})", {path: text}
    if kind == "squash":
        return f"Port a fix to {line.name} (batch {line.n})", {path: text}
    if kind == "hotfix-id":
        return f"Adapt fix {src} for {line.name}\n\nHotfix-Id: HF-{src}", changed
    if "(#" in subject:
        pr = subject[subject.index("(#"):]
        return f"Backport for {line.name}: the fix, reworked {pr}", changed
    return f"[{line.name}] {subject}", changed


def _release_change(line: _LineState) -> tuple[str, dict[str, str], dict[str, object]]:
    expect: dict[str, object] = {"status": "release_only", "match": None}
    turn = line.n % 3
    if turn == 0:
        line.release += 1
        version = f"{line.name}.{line.release}"
        log = line.files.get("CHANGELOG.md", "# Changes\n") + f"## {version}\n"
        line.files["CHANGELOG.md"] = log
        return f"Release {version}", {"VERSION": f"{version}\n", "CHANGELOG.md": log}, expect
    if turn == 1:
        return (f"Pin the CI image ({line.n})",
                {".github/workflows/ci.yml": f"image: python:3.11.{line.n}\n"}, expect)
    text = f'[project]\nname = "bench"\nversion = "{line.name}.{line.release}.dev{line.n}"\n'
    return f"Bump the dev version ({line.n})", {"pyproject.toml": text}, expect
