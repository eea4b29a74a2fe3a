"""Real git repositories for tests, built fast in ``tmp_path``.

``git_sandbox`` (a fixture: import it into a conftest) gives every test its own ``$HOME``
and global git config with an identity, so no test reads or writes the user's.
``shop_project`` builds a small released project: tags v1.0.0 and v1.1.0, main moved on,
a fix on branch ``fix/eu-cards``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

IDENTITY = {"GIT_AUTHOR_NAME": "Ada Dev", "GIT_AUTHOR_EMAIL": "ada@example.com",
            "GIT_COMMITTER_NAME": "Ada Dev", "GIT_COMMITTER_EMAIL": "ada@example.com"}


class Repo:
    def __init__(self, path: Path) -> None:
        self.path = path

    def git(self, *args: str, check: bool = True, input: str | None = None) -> str:
        proc = subprocess.run(["git", *args], cwd=self.path, capture_output=True, text=True,
                              check=False, input=input)
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
        return proc.stdout.strip()

    def write(self, path: str, text: str) -> None:
        file = self.path / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")

    def read(self, path: str) -> str:
        return (self.path / path).read_text(encoding="utf-8")

    def commit(self, message: str, files: dict[str, str] | None = None) -> str:
        for path, text in (files or {}).items():
            self.write(path, text)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.head()

    def head(self, rev: str = "HEAD") -> str:
        return self.git("rev-parse", rev)

    def tag(self, name: str, rev: str = "HEAD") -> None:
        self.git("tag", "-a", name, "-m", f"Release {name}", rev)

    def branch(self, name: str, rev: str = "HEAD") -> None:
        self.git("branch", name, rev)

    def checkout(self, rev: str) -> None:
        self.git("checkout", "-q", rev)

    def tags(self) -> list[str]:
        return self.git("tag", "--list").split()

    def status(self) -> str:
        return self.git("status", "--porcelain")


def init(path: Path) -> Repo:
    path.mkdir(parents=True, exist_ok=True)
    repo = Repo(path)
    repo.git("init", "-q", "-b", "main")
    return repo


def bare_remote(repo: Repo, path: Path, name: str = "origin") -> Repo:
    """A bare clone at ``path`` registered as remote ``name`` of ``repo``."""
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
    repo.git("remote", "add", name, str(path))
    repo.git("push", "-q", name, "--all")
    repo.git("push", "-q", name, "--tags")
    return Repo(path)


APP_V1 = '''"""The shop's checkout."""

EU = ("DE", "FR", "IT", "ES", "NL")


def checkout(card_country: str) -> int:
    if card_country in EU:
        return 500
    return 200
'''
APP_FIXED = APP_V1.replace("        return 500\n", "        return 200\n")


def shop_project(root: Path) -> Repo:
    """tags v1.0.0, v1.1.0 (checkout bug); main moved on; fix on branch fix/eu-cards."""
    repo = init(root)
    repo.commit("Initial shop", {
        "pyproject.toml": '[project]\nname = "shop"\nversion = "1.0.0"\n',
        "shop/__init__.py": '"""The shop."""\n\n__version__ = "1.0.0"\n',
        "shop/app.py": APP_V1.replace('"IT", ', ""),
        "CHANGELOG.md": "# Changelog\n\n## v1.0.0 — 2024-01-01\n\n- First release\n",
        "README.md": "shop\n",
    })
    repo.tag("v1.0.0")
    repo.commit("Sell in Italy", {"shop/app.py": APP_V1,
                                  "pyproject.toml": '[project]\nname = "shop"\nversion = "1.1.0"\n',
                                  "shop/__init__.py": '"""The shop."""\n\n__version__ = "1.1.0"\n'})
    repo.tag("v1.1.0")
    repo.commit("Main moves on: docs", {"README.md": "shop\n\nA small shop.\n"})
    repo.commit("Main moves on: stock", {"shop/stock.py": "STOCK = {}\n"})
    repo.git("checkout", "-q", "-b", "fix/eu-cards")
    repo.commit("Fix checkout for EU cards", {"shop/app.py": APP_FIXED})
    repo.checkout("main")
    return repo


@pytest.fixture
def git_sandbox(tmp_path_factory: pytest.TempPathFactory,
                monkeypatch: pytest.MonkeyPatch) -> Path:
    """An own $HOME and global git config (identity, no signing) for each test."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Ada Dev\n\temail = ada@example.com\n"
        "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)
    return home


@pytest.fixture
def shop(tmp_path: Path, git_sandbox: Path) -> Repo:
    return shop_project(tmp_path / "shop")
