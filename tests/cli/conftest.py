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


@pytest.fixture
def hotfix(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
           repo: Path) -> Invoke:
    monkeypatch.setenv("COLUMNS", "200")

    def invoke(*args: str, cwd: Path | None = None) -> Result:
        monkeypatch.chdir(cwd or repo)
        monkeypatch.setattr(sys, "argv", ["hotfix", *args])
        capsys.readouterr()
        try:
            run()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return invoke
