"""Run ``hotfix`` in-process, exactly as the console script does."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hotfix.cli.main import run


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Invoke = Callable[..., Result]


def _invoker(monkeypatch: pytest.MonkeyPatch, capfd: Any, repo: Path) -> Invoke:
    monkeypatch.setenv("COLUMNS", "200")

    def invoke(*args: str, cwd: Path | None = None) -> Result:
        monkeypatch.chdir(cwd or repo)
        monkeypatch.setattr(sys, "argv", ["hotfix", *args])
        capfd.readouterr()
        try:
            run()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capfd.readouterr()
        return Result(code, out, err)

    return invoke


@pytest.fixture
def hotfix(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
           repo: Path) -> Invoke:
    return _invoker(monkeypatch, capsys, repo)


@pytest.fixture(scope="module")
def hotfix_module(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The CLI for a module's worth of tests sharing one expensive run (e.g. the demo)."""
    from tests.conftest import make_repo

    class Capture:
        def readouterr(self) -> tuple[str, str]:
            out, err = self.out.getvalue(), self.err.getvalue()
            self.out.seek(0), self.out.truncate(), self.err.seek(0), self.err.truncate()
            return out, err

        def __init__(self) -> None:
            import io

            self.out, self.err = io.StringIO(), io.StringIO()

    capture = Capture()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "stdout", capture.out)
        mp.setattr(sys, "stderr", capture.err)
        yield _invoker(mp, capture, make_repo(tmp_path_factory.mktemp("repo") / "r"))
