"""Anchors read back from git: every record's newest checkpoint, in a fixed number of calls."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from hotfix.adapters.git import anchors, cmd


def _repo(root: Path) -> Path:
    root.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    return root


def _count_git_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    run, pipe = cmd.run, cmd.pipe

    def counted_run(args: Any, *a: Any, **k: Any) -> Any:
        calls.append(args[0])
        return run(args, *a, **k)

    def counted_pipe(first: Any, *a: Any, **k: Any) -> Any:
        calls.append(first[0])
        return pipe(first, *a, **k)

    monkeypatch.setattr(cmd, "run", counted_run)
    monkeypatch.setattr(cmd, "pipe", counted_pipe)
    return calls


def test_read_all_gives_each_records_newest_checkpoint_in_two_git_calls(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _repo(tmp_path / "r")
    want = {}
    for n in range(1, 13):
        key = f"HF-{n}"
        assert anchors.write(root, key, f"{key} seq 1 hash aaa\n", f"anchor {key}")
        if n % 3 == 0:  # a newer checkpoint on top of the first: only it is read back
            assert anchors.write(root, key, f"{key} seq 2 hash bbb — été\n", f"again {key}")
            want[key] = f"{key} seq 2 hash bbb — été\n"
        else:
            want[key] = f"{key} seq 1 hash aaa\n"
    # a ref under the prefix whose commit holds no `head` file is no checkpoint
    empty_tree = cmd.out(["mktree"], root)
    stray = cmd.run(["commit-tree", empty_tree, "-m", "stray"], root,
                    env=anchors._IDENTITY).stdout.strip()
    cmd.run(["update-ref", f"{anchors.PREFIX}HF-99", stray], root)

    calls = _count_git_calls(monkeypatch)
    found = anchors.read_all(root)
    made = list(calls)

    assert made == ["for-each-ref", "cat-file"]  # one batch, however many records
    assert found == want
    assert found == {key: anchors.read(root, key) for key in want}
    assert anchors.read(root, "HF-99") is None


def test_read_all_of_a_repository_without_anchors_is_empty(tmp_path: Path) -> None:
    assert anchors.read_all(_repo(tmp_path / "r")) == {}
