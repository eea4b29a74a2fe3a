"""Files read from git in one batch, byte-exact whatever their line endings or encoding."""

from __future__ import annotations

from pathlib import Path

from hotfix.adapters.git.repo import Git
from tests.services.checks import repo_builder as rb


def _repo(root: Path, files: dict[str, bytes]) -> Path:
    root.mkdir()
    rb.git(root, "init", "-q", "-b", "main")
    rb.git(root, "config", "core.autocrlf", "false")
    for name, body in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(body)
    rb.git(root, "add", "-A")
    rb.git(root, "commit", "-q", "-m", "files")
    return root


FILES = {"a_crlf.py": b"def a():\r\n    return 1\r\n\r\n",
         "b.py": b"def b():\n    return '\xc3\xa9t\xc3\xa9'\n",
         "c_crlf.py": b"X = 1\r\nY = 2\r\n",
         "d.py": b"def d():\n    return 4\n",
         "latin1.py": b"S = '\xe9'\n",
         "binary.py": b"\x00\x01\x02\n"}


def test_a_batch_with_crlf_files_reads_every_file_exactly(tmp_path: Path) -> None:
    repo = Git(_repo(tmp_path / "r", FILES))
    order = ["a_crlf.py", "b.py", "missing.py", "c_crlf.py", "d.py", "latin1.py",
             "binary.py"]
    texts = repo.read_files("HEAD", order)
    assert texts["a_crlf.py"] == "def a():\r\n    return 1\r\n\r\n"
    assert texts["b.py"] == FILES["b.py"].decode("utf-8")
    assert texts["c_crlf.py"] == "X = 1\r\nY = 2\r\n"
    assert texts["d.py"] == "def d():\n    return 4\n"
    assert texts["missing.py"] is None
    assert texts["latin1.py"] is None  # not UTF-8
    assert texts["binary.py"] is None


def test_python_files_gives_blob_ids_that_read_back(tmp_path: Path) -> None:
    repo = Git(_repo(tmp_path / "r", {**FILES, "pkg/e.py": b"E = 5\r\n", "notes.txt": b"x"}))
    blobs = repo.python_files("HEAD")
    assert sorted(blobs) == sorted([*FILES, "pkg/e.py"])
    assert rb.git(repo.home(), "rev-parse", "HEAD:pkg/e.py") == blobs["pkg/e.py"]
    paths = sorted(blobs)
    texts = repo.read_blobs([blobs[p] for p in paths])
    assert dict(zip(paths, texts, strict=True)) == repo.read_files("HEAD", paths)


def test_blob_ids_of_paths_at_commits_in_one_batch(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r", {"a b.py": b"1\n", "c.py": b"2\n"})
    rb.git(root, "rm", "-q", "c.py")
    rb.git(root, "commit", "-q", "-m", "rm")
    repo = Git(root)
    found = repo.blob_ids(["HEAD~1:a b.py", "HEAD~1:c.py", "HEAD:c.py", "HEAD:", "HEAD:nope"])
    assert found == [rb.git(root, "rev-parse", "HEAD:a b.py"),
                     rb.git(root, "rev-parse", "HEAD~1:c.py"), None, None, None]
