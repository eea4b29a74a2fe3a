"""On a terminal, ``hotfix open`` asks the triage questions (driven through a real pty)."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")


def read_until(fd: int, needle: str, deadline: float) -> str:
    seen = ""
    while needle not in seen:
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {needle!r}; got {seen!r}")
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            seen += os.read(fd, 4096).decode(errors="replace")
    return seen


def test_questions_are_asked_on_a_terminal(repo: Path) -> None:
    main, replica = pty.openpty()
    env = {**os.environ, "PYTHONPATH": SRC, "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hotfix", "open", "Search is slow", "--as", "a@example.com"],
        cwd=repo, stdin=replica, stdout=replica, stderr=replica, env=env)
    os.close(replica)
    deadline = time.monotonic() + 60
    answers = {"significant": "y", "Share of users": "0.8", "workaround": "n"}
    try:
        for prompt, reply in answers.items():
            read_until(main, prompt, deadline)
            os.write(main, (reply + "\n").encode())
        for _ in range(10):  # the optional questions: take every default
            read_until(main, "?", deadline)
            os.write(main, b"\n")
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
        os.close(main)
    shown = subprocess.run([sys.executable, "-m", "hotfix", "status", "HF-1", "--json"],
                           cwd=repo, env=env, capture_output=True, text=True, check=True)
    data = json.loads(shown.stdout)
    assert (data["severity"], data["route"]) == ("SEV2", "hotfix")
    assert data["triage"]["answers"]["users_affected"] == 0.8
