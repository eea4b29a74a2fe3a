"""The smaller parts of finishing a hotfix: hotfix run from its own worktree, hotfix.toml
after init, and exit codes that a closed stdout cannot change."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hotfix.services.context import Context
from hotfix.services.git.start import start
from tests.cli.conftest import Invoke
from tests.gitrepo import Repo
from tests.hotfix_flow import ENGINEER, approved


def test_hotfix_inside_its_own_worktree_uses_the_checkouts_records(
        shop: Repo, ctx: Context, hotfix: Invoke) -> None:
    key = approved(ctx)
    tree = start(ctx, key, ENGINEER).work.worktree
    inside = tree / "shop"  # a subfolder of the worktree, as after `cd` there
    shown = hotfix("status", key, "--json", cwd=inside)
    assert shown.code == 0, shown.err
    assert (shown.json()["id"], shown.json()["state"]) == (key, "in_progress")
    assert not (tree / ".hotfix").exists()  # no second, empty database in the worktree


def test_init_says_to_commit_hotfix_toml_or_excludes_it(shop: Repo, hotfix: Invoke) -> None:
    done = hotfix("init", "--json", cwd=shop.path).json()
    assert (done["tracked"], done["excluded"]) == (False, False)
    assert done["commit"] == (f"git -C {shop.path} add hotfix.toml && git -C {shop.path} "
                              "commit -m \"Configure hotfix\"")
    assert "commit it, so the team shares the settings" in hotfix("init", cwd=shop.path).out
    shop.git("add", "hotfix.toml")
    shop.git("commit", "-q", "-m", "Configure hotfix")
    assert hotfix("init", "--json", cwd=shop.path).json()["commit"] is None


def test_init_exclude_keeps_hotfix_toml_out_of_git(shop: Repo, hotfix: Invoke) -> None:
    done = hotfix("init", "--exclude", "--json", cwd=shop.path).json()
    assert (done["excluded"], done["commit"]) == (True, None)
    assert "/hotfix.toml" in (shop.path / ".git" / "info" / "exclude").read_text()
    assert "hotfix.toml" not in shop.status()


def test_a_closed_stdout_does_not_turn_success_into_failure(shop: Repo) -> None:
    def run(*args: str) -> int:
        with subprocess.Popen([sys.executable, "-m", "hotfix", *args], cwd=shop.path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
            assert proc.stdout is not None
            assert proc.stderr is not None
            proc.stdout.close()  # like `| head -0`: the reader is gone before any output
            error = proc.stderr.read()
            proc.wait()
        assert b"Traceback" not in error, error
        assert b"BrokenPipe" not in error, error
        return proc.returncode

    answers = ["-a", "significant=yes", "-a", "users=60%", "-a", "workaround=no"]
    assert run("open", "Checkout 500", *answers, "--as", "rey@example.com") == 0
    assert run("log", "HF-1", "--json") == 0
    assert run("approve", "HF-9", "--as", "lee@example.com") == 1  # a refusal stays one
    shown = subprocess.run([sys.executable, "-m", "hotfix", "status", "HF-1", "--json"],
                           cwd=shop.path, capture_output=True, text=True, check=True)
    assert '"state": "triaged"' in shown.stdout  # the action happened




def test_start_from_an_older_tag_of_the_line(shop: Repo, ctx: Context, hotfix: Invoke) -> None:
    shop.git("checkout", "-q", "-b", "release/1.1", "v1.1.0")
    shop.commit("1.1.1: a change production does not run yet", {"docs/1.1.md": "x\n"})
    shop.tag("v1.1.1")
    shop.checkout("main")
    key = approved(ctx)
    bad = hotfix("start", key, "--from", "v7.0.0", "--as", ENGINEER, cwd=shop.path)
    assert bad.code == 2
    assert "--from 'v7.0.0' is not a release tag of this repository" in bad.err
    clash = hotfix("start", key, "--line", "1.0", "--from", "v1.1.0", "--as", ENGINEER,
                   cwd=shop.path)
    assert clash.code == 2
    assert "is a release of line 1.1, not of --line 1.0" in clash.err
    done = hotfix("start", key, "--from", "v1.1.0", "--as", ENGINEER, "--json",
                  cwd=shop.path).json()
    assert (done["line"], done["base_tag"], done["version"], done["tag"]) == (
        "1.1", "v1.1.0", "1.1.2", "v1.1.2")  # the next free version, past v1.1.1
    tree = Repo(Path(done["worktree"]))
    assert tree.head() == shop.head("v1.1.0^{commit}")
