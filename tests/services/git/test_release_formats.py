"""A release writes the project's own formats: an RST changelog, towncrier fragments compiled
by towncrier, lock files bumped with their manifests, and the release hooks' changes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hotfix.errors import PolicyViolation
from hotfix.services.context import Context
from hotfix.services.git.pick import pick
from hotfix.services.git.release import release
from hotfix.services.git.start import start
from hotfix.wiring import open_context
from tests.gitrepo import APP_FIXED, APP_V1, Repo, init
from tests.hotfix_flow import ENGINEER, approved, checked

RST_CHANGES = """Changelog
=========

.. note:: Dates are UTC.

1.1.0 (2024-02-01)
------------------

* Sell in Italy

1.0.0 (2024-01-01)
------------------

* First release
""" + "".join(f"\n0.{n}.0 (2023-01-01)\n------------------\n\n* Old work {n}\n"
              for n in range(9, 0, -1))

UV_LOCK = """version = 1
revision = 2
requires-python = ">=3.11"

[[package]]
name = "idna"
version = "1.1.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.pythonhosted.org/idna-1.1.0.tar.gz", hash = "sha256:00" }

[[package]]
name = "shop"
version = "1.1.0"
source = { editable = "." }
dependencies = [
    { name = "idna" },
]

[package.metadata]
requires-dist = [{ name = "idna" }]
"""


# the sandbox's $HOME hides rustup's toolchains: name them where this machine keeps them
RUST = {k: str(Path.home() / d) for k, d in (("RUSTUP_HOME", ".rustup"), ("CARGO_HOME", ".cargo"))
        if k not in os.environ}


def project(root: Path, files: dict[str, str]) -> Repo:
    """v1.1.0 of a shop with ``files``; the fix on fix/eu-cards; main moved on."""
    repo = init(root)
    repo.commit("Shop 1.1.0", {"pyproject.toml": '[project]\nname = "shop"\nversion = "1.1.0"\n',
                               "shop/__init__.py": '__version__ = "1.1.0"\n',
                               "shop/app.py": APP_V1, **files})
    repo.tag("v1.1.0")
    repo.commit("Main moves on", {"README.md": "shop\n"})
    repo.git("checkout", "-q", "-b", "fix/eu-cards", "v1.1.0")
    repo.commit("Fix checkout for EU cards", {"shop/app.py": APP_FIXED})
    repo.checkout("main")
    return repo


Make = Callable[..., tuple[Repo, Context]]


@pytest.fixture
def make(tmp_path: Path, git_sandbox: Path) -> Iterator[Make]:
    """make(files, settings=None, prepare=None): the project, and a context on it."""
    opened: list[Context] = []

    def made(files: dict[str, str], settings: dict[str, object] | None = None,
             prepare: Callable[[Repo], None] | None = None) -> tuple[Repo, Context]:
        repo = project(tmp_path / f"p{len(opened)}", files)
        if prepare is not None:
            prepare(repo)
        ctx = open_context(repo.path, {}, dict(settings or {}))
        opened.append(ctx)
        return repo, ctx

    yield made
    for ctx in opened:
        ctx.close()


def released(repo: Repo, ctx: Context) -> tuple[str, Repo]:
    key = approved(ctx)
    tree = Repo(start(ctx, key, ENGINEER).work.worktree)
    pick(ctx, key, ENGINEER, ["fix/eu-cards"])
    checked(ctx, key, tree.head())
    release(ctx, key, ENGINEER)
    return key, tree


def test_an_rst_changelog_gets_an_rst_entry_where_its_newest_release_is(
        make: Make) -> None:
    repo, ctx = make({"CHANGES.rst": RST_CHANGES})
    key, _ = released(repo, ctx)
    fix = repo.head("fix/eu-cards")
    text = repo.git("show", "v1.1.1:CHANGES.rst") + "\n"
    assert "CHANGELOG.md" not in repo.git("ls-tree", "--name-only", "v1.1.1").split()
    entry = (f"1.1.1 ({ctx.now().date().isoformat()})\n------------------\n\n"
             f"{key}: Checkout returns 500 for EU cards\n\n"
             f"* Fix checkout for EU cards ({key}, {fix[:12]})\n\n1.1.0 (2024-02-01)\n")
    assert text == RST_CHANGES.replace("1.1.0 (2024-02-01)\n", entry, 1)
    assert "## " not in text


def test_a_towncrier_project_gets_a_fragment_compiled_by_towncrier(
        make: Make) -> None:
    config = ('[project]\nname = "shop"\nversion = "1.1.0"\n\n[tool.towncrier]\n'
              'directory = "changes"\nfilename = "NEWS.rst"\nname = "shop"\n')
    news = "Release notes\n=============\n\n.. towncrier release notes start\n"
    repo, ctx = make({"pyproject.toml": config, "NEWS.rst": news,
                              "changes/.gitignore": "!.gitignore\n"})
    key, tree = released(repo, ctx)
    fix = repo.head("fix/eu-cards")
    compiled = repo.git("show", "v1.1.1:NEWS.rst")
    assert "shop 1.1.1 (" in compiled  # towncrier's own template wrote the heading
    assert f"Fix checkout for EU cards ({key}, {fix[:12]})" in compiled
    assert compiled.index(".. towncrier release notes start") < compiled.index("1.1.1")
    assert repo.git("ls-tree", "-r", "--name-only", "v1.1.1", "changes") == "changes/.gitignore"
    assert tree.status() == ""
    assert 'version = "1.1.1"' in repo.git("show", "v1.1.1:pyproject.toml")


def test_lock_files_are_bumped_with_their_manifests(make: Make,
                                                    tmp_path: Path) -> None:
    if shutil.which("npm") is None or shutil.which("cargo") is None:
        pytest.fail("npm and cargo make the real lock files of this test")

    def locks(repo: Repo) -> None:  # real package-lock.json and Cargo.lock, made by the tools
        repo.git("checkout", "-q", "v1.1.0")
        repo.write("web/package.json", json.dumps({"name": "shop-web", "version": "1.1.0"}))
        subprocess.run(["npm", "install", "--package-lock-only", "--offline", "--silent"],
                       cwd=repo.path / "web", check=True, capture_output=True)
        repo.write("crate/Cargo.toml", '[package]\nname = "shop-core"\nversion = "1.1.0"\n'
                   'edition = "2021"\n\n[dependencies]\n')
        repo.write("crate/src/lib.rs", "")
        subprocess.run(["cargo", "generate-lockfile", "--offline"], cwd=repo.path / "crate",
                       check=True, capture_output=True, env={**os.environ, **RUST})
        repo.write("uv.lock", UV_LOCK)
        repo.git("add", "-A")
        repo.git("commit", "-q", "-m", "Lock files")
        repo.git("tag", "-d", "v1.1.0")
        repo.tag("v1.1.0")
        repo.git("rebase", "-q", "--onto", "v1.1.0", "v1.1.0~1", "fix/eu-cards")
        repo.checkout("main")

    repo, ctx = make({}, {"lines.version_files": [
        "pyproject.toml", "web/package.json", "crate/Cargo.toml"]}, locks)
    key, _ = released(repo, ctx)
    done = ctx.records.get(key).last("release")
    assert done is not None
    assert done["bumped"] == dict.fromkeys((
        "pyproject.toml", "uv.lock", "web/package.json", "web/package-lock.json",
        "crate/Cargo.toml", "crate/Cargo.lock"), "1.1.0")
    uv = repo.git("show", "v1.1.1:uv.lock")
    assert 'name = "shop"\nversion = "1.1.1"\nsource = { editable = "." }' in uv
    assert 'name = "idna"\nversion = "1.1.0"' in uv  # a dependency's version is not ours
    lock = json.loads(repo.git("show", "v1.1.1:web/package-lock.json"))
    assert (lock["version"], lock["packages"][""]["version"]) == ("1.1.1", "1.1.1")
    assert 'name = "shop-core"\nversion = "1.1.1"' in repo.git("show", "v1.1.1:crate/Cargo.lock")
    changed = repo.git("diff", "--name-only", "v1.1.1~1", "v1.1.1").split()
    assert "uv.lock" in changed


def test_release_commands_run_before_the_release_commit(make: Make) -> None:
    stamp = "import pathlib, sys; pathlib.Path('BUILD').write_text(sys.argv[1] + '\\n')"
    repo, ctx = make({"BUILD": "1.1.0\n"}, {
        "release.commands": [["{python}", "-c", stamp, "{version}"]]})
    released(repo, ctx)
    assert repo.git("show", "v1.1.1:BUILD") == "1.1.1"
    assert "BUILD" in repo.git("diff", "--name-only", "v1.1.1~1", "v1.1.1").split()


def test_a_failing_release_command_commits_nothing(make: Make) -> None:
    repo, ctx = make({}, {"release.commands": [
        "python3 -c 'import sys; sys.exit(\"lock is stale\")'"]})
    key = approved(ctx)
    tree = Repo(start(ctx, key, ENGINEER).work.worktree)
    pick(ctx, key, ENGINEER, ["fix/eu-cards"])
    checked(ctx, key, tree.head())
    with pytest.raises(PolicyViolation, match="lock is stale") as exc:
        release(ctx, key, ENGINEER)
    assert f"hotfix resume {key}" in str(exc.value.hint)
    assert "v1.1.1" not in repo.tags()
    assert tree.git("log", "-1", "--format=%s") == "Fix checkout for EU cards"
