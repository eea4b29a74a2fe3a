"""``hotfix db backup`` / ``restore`` end to end: real repo, real SQLite, in-process CLI."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Invoke

ANSWERS = ["-a", "significant=yes", "-a", "users=60%", "-a", "workaround=no"]


def _open(hotfix: Invoke, title: str) -> None:
    assert hotfix("open", title, *ANSWERS, "--as", "dana@example.com").code == 0


def test_backup_then_restore(hotfix: Invoke, repo: Path) -> None:
    _open(hotfix, "Checkout returns 500")
    made = hotfix("db", "backup", "--json")
    assert made.code == 0, made.err
    saved = made.json()
    assert (saved["records"], saved["events"]) == (1, 2)
    assert Path(saved["path"]).parent == repo / ".hotfix" / "backups"
    _open(hotfix, "Another one")

    refused = hotfix("db", "restore", saved["path"])
    assert refused.code == 1
    assert "--yes" in refused.err
    assert len(hotfix("list", "--json").json()) == 2

    restored = hotfix("db", "restore", saved["path"], "--yes", "--json")
    assert restored.code == 0, restored.err
    assert restored.json()["records"] == 1
    assert Path(restored.json()["kept"]).is_file()
    assert [h["id"] for h in hotfix("list", "--json").json()] == ["HF-1"]


def test_backup_to_a_path_and_a_damaged_restore(hotfix: Invoke, repo: Path, tmp_path: Path
                                                ) -> None:
    _open(hotfix, "Checkout returns 500")
    out = hotfix("db", "backup", str(tmp_path / "copy.db"))
    assert out.code == 0, out.err
    assert f"backed up to {tmp_path / 'copy.db'} (1 records, 2 events)" in out.out
    (tmp_path / "bad.db").write_bytes(b"not a database at all" * 40)
    bad = hotfix("db", "restore", str(tmp_path / "bad.db"), "--yes")
    assert bad.code == 1
    assert "not a SQLite database" in bad.err
    assert len(hotfix("list", "--json").json()) == 1
