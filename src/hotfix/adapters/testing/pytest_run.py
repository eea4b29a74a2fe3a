"""Run the project's test command (pytest by default) and read back what happened.

hotfix adds to a pytest command only what changes what it prints, never what a test sees:
``-v`` (progress comes from its lines, ``tests/x.py::test_y PASSED [ 50%]``) and
``--junitxml`` (results come from the JUnit XML, ``junit_family=xunit1``, which carries each
test's file). A command with ``{junitxml}`` or ``{tests}`` in it (the project's own, such
as ``tox -e py -- --junitxml={junitxml} {tests}``) gets those filled in and nothing added.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from hotfix.adapters.testing import junit
from hotfix.adapters.testing.process import run_streaming
from hotfix.domain.checks.testrun import Progress, RunResult
from hotfix.errors import UsageError

_RESULT = re.compile(r"^(?P<id>\S+::.+?) (?P<outcome>PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b")
_COLLECTED = re.compile(r"collected (\d+) items?")
TESTS, JUNIT = "{tests}", "{junitxml}"
_MISSING = re.compile(r"No module named '?(pytest|coverage)'?")


def is_pytest(command: Sequence[str]) -> bool:
    return any("pytest" in part for part in command)


def targets(command: Sequence[str]) -> bool:
    """Whether the command can run a chosen list of tests (pytest, or ``{tests}``)."""
    return is_pytest(command) or any(TESTS in part for part in command)


def command_for(command: Sequence[str], python: str | None, tests: Sequence[str] | None,
                junit_path: Path) -> list[str]:
    """The configured command with ``python`` pointing at the check environment's, and
    what hotfix adds (or fills in) to run ``tests`` and write JUnit XML."""
    args = [python if i == 0 and python and part in ("python", "python3") else part
            for i, part in enumerate(command)]
    if any(TESTS in a or JUNIT in a for a in args):
        return [filled for part in args for filled in _fill(part, tests or [], junit_path)]
    if is_pytest(args):
        args += ["-v", f"--junitxml={junit_path}", "-o", "junit_family=xunit1", *(tests or [])]
    return args


def _fill(part: str, tests: Sequence[str], junit_path: Path) -> list[str]:
    if part == TESTS:
        return list(tests)
    return [part.replace(JUNIT, str(junit_path)).replace(TESTS, " ".join(tests))]


def run_tests(*, command: Sequence[str], python: str | None, cwd: Path,
              env: Mapping[str, str], tests: Sequence[str] | None, stage: str, timeout: float,
              junit_path: Path, on_progress: Callable[[Progress], None]) -> RunResult:
    """Run ``tests`` (None: the whole suite) and return the parsed result."""
    args = command_for(command, python, tests, junit_path)
    junit_path.parent.mkdir(parents=True, exist_ok=True)
    junit_path.unlink(missing_ok=True)
    state = {"done": 0, "total": len(tests) if tests else None}

    def line(text: str) -> None:
        if (found := _COLLECTED.search(text)) and not tests:
            state["total"] = int(found.group(1))
        elif match := _RESULT.match(text):
            state["done"] = (state["done"] or 0) + 1
            on_progress(Progress(stage, test=match["id"], outcome=match["outcome"].lower(),
                                 done=state["done"] or 0, total=state["total"]))

    finished = run_streaming(args, cwd, env, timeout, line)
    missing_tool(finished.exit_code, finished.tail, python or args[0])
    return RunResult(stage, tuple(args), finished.exit_code, finished.seconds,
                     tuple(junit.parse_file(junit_path)), timed_out=finished.timed_out,
                     output_tail=finished.tail[-6000:], requested=len(tests or ()))


def missing_tool(code: int | None, tail: str, python: str) -> None:
    found = _MISSING.search(tail)
    if code not in (0, None) and found and len(tail.splitlines()) < 15:
        tool = found.group(1)
        raise UsageError(
            f"{tool} is not installed in the check environment ({python})",
            hint=f"declare {tool} in your project's test dependencies (requirements-dev.txt or "
                 "[project.optional-dependencies] test), or set check.test_command",
        )
