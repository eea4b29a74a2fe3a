"""``hotfix verify`` against real HTTP servers on loopback: production, and an "other" one.

The other server stands for anything a check must never reach (an admin port, a cloud
metadata address): every test asserts it was never asked.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from hotfix.adapters.deploy.checks import http_check, on_production
from hotfix.config import render_toml_value
from hotfix.domain.rollout.bug_check import BugCheckOptions
from hotfix.errors import ConfigError, UsageError
from hotfix.ports.record import Records
from hotfix.services.context import Context
from hotfix.services.rollout.verify import verify
from hotfix.wiring import open_context
from tests.gitrepo import git_sandbox, init  # noqa: F401  (fixture)

BOSS = "lee@example.com"


class Server:
    """A real HTTP server on 127.0.0.1 that answers 200 ``ok <path>`` and notes each path."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                hits.append(self.path)
                body = f"ok {self.path}".encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers() -> Iterator[tuple[Server, Server]]:
    prod, other = Server(), Server()
    yield prod, other
    prod.close()
    other.close()


@contextmanager
def deployed(root: Path, prod: Server, toml: str = "",
             records_at: Callable[[Path], Records] | None = None
             ) -> Iterator[tuple[Context, str]]:
    """A context on ``root`` (hotfix.toml: production is ``prod``) and a deployed hotfix, on
    the context's record or the one ``records_at(root)`` opens (the CLI suite's fixture)."""
    (root / "hotfix.toml").write_text(
        f'[approvals]\napprovers = ["{BOSS}"]\n\n[verify]\nbase_url = "{prod.url}"\n'
        f'timeout = 5.0\n{toml}', encoding="utf-8")
    ctx = open_context(root, {})
    records = records_at(root) if records_at is not None else ctx.records
    key = records.open("checkout answers 500 for EU cards", "rey@example.com").key
    records.act(key, "release", BOSS, {"facts": {"tag": "v1.0.1", "base_tag": "v1.0.0"}},
                override="test set-up")
    records.act(key, "deploy", BOSS, {}, override="test set-up")
    records.act(key, "promote", BOSS, {}, override="test set-up")
    try:
        yield ctx, key
    finally:
        ctx.close()


@pytest.fixture
def repo(tmp_path: Path, git_sandbox: Path) -> Path:  # noqa: F811  (the fixture)
    return init(tmp_path / "repo").path


# -- SSRF: every request stays on production ----------------------------------------------

def bad_paths(other: Server) -> list[str]:
    hostport = f"127.0.0.1:{other.port}"
    return [f"@{hostport}/admin", f"//{hostport}/x", f"{other.url}/", f"http://{hostport}",
            f"\\\\{hostport}/x", "admin", "/a b"]


def test_a_bug_path_that_names_another_host_is_refused_and_never_sent(
        repo: Path, servers: tuple[Server, Server]) -> None:
    prod, other = servers
    with deployed(repo, prod) as (ctx, key):
        for path in bad_paths(other):
            with pytest.raises(UsageError) as info:
                verify(ctx, key, BOSS, bug=BugCheckOptions(path=path))
            assert "the bug check: the path" in str(info.value), path
            assert info.value.hint
            assert "/checkout" in info.value.hint
    assert other.hits == []


def test_the_check_itself_never_leaves_production(servers: tuple[Server, Server]) -> None:
    prod, other = servers
    for path in bad_paths(other):
        spec = {"method": "GET", "path": path, "status": 200, "match": ""}
        got = http_check(prod.url, spec, "smoke", 5.0)
        assert not got.passed, path
        assert got.detail.startswith("not sent: "), path
    assert other.hits == []
    assert prod.hits == []


def test_a_smoke_path_that_names_another_host_is_a_config_error(
        repo: Path, servers: tuple[Server, Server]) -> None:
    prod, other = servers
    smoke = f'smoke = [{{ path = "@127.0.0.1:{other.port}/admin" }}]\n'
    with deployed(repo, prod, smoke) as (ctx, key), pytest.raises(ConfigError) as info:
        verify(ctx, key, BOSS)
    assert "verify.smoke[0]: the path" in str(info.value)
    assert other.hits == []
    assert prod.hits == []


def test_paths_join_the_base_url_as_a_url(repo: Path, servers: tuple[Server, Server]) -> None:
    prod, other = servers
    assert str(on_production(prod.url + "/app/", "/health?x=1")) == f"{prod.url}/app/health?x=1"
    with deployed(repo, prod) as (ctx, key):
        done = verify(ctx, key, BOSS, bug=BugCheckOptions(path="/@127.0.0.1:1/checkout",
                                                          match="ok"))
    assert done.passed
    assert prod.hits == ["/health", "/@127.0.0.1:1/checkout"]
    assert other.hits == []


# -- nothing re-runs a command read from the database -------------------------------------

def touch(marker: Path) -> list[str]:
    """A command that leaves ``marker`` behind: proof that it ran."""
    return [sys.executable, "-c", f"import pathlib; pathlib.Path({str(marker)!r}).touch()"]


def test_a_command_given_at_the_command_line_runs_once_and_is_never_rerun_from_the_record(
        repo: Path, tmp_path: Path, servers: tuple[Server, Server]) -> None:
    prod, _ = servers
    marker = tmp_path / "ran"
    with deployed(repo, prod) as (ctx, key):
        first = verify(ctx, key, BOSS, bug_check={"command": touch(marker)})
        assert first.passed
        assert marker.exists()
        marker.unlink()

        again = verify(ctx, key, BOSS)

        assert not marker.exists()
        assert not again.passed
        bug = again.checks[-1]
        assert bug.detail.startswith("not run: a command read from the record is never run")
        assert f"hotfix verify {key} --bug-check" in bug.detail
        said = ctx.records.get(key).events[-1].payload["bug_check"]
        assert said == {"name": None, "from": "record", "command": touch(marker), "ran": False}


def test_a_command_written_into_the_shared_database_is_never_run(
        repo: Path, tmp_path: Path, servers: tuple[Server, Server]) -> None:
    prod, _ = servers
    marker = tmp_path / "pwned"
    with deployed(repo, prod) as (ctx, key):
        # whoever can write the database: a verify event whose facts carry a command
        ctx.records.act(key, "verify", BOSS, {"passed": False, "checks": [],
                                              "facts": {"bug_check": {"command": touch(marker)}}})
        done = verify(ctx, key, BOSS)
    assert not done.passed
    assert not marker.exists()


NAMED = """
[verify.bug_checks.eu-checkout]
command = {command}

[verify.bug_checks.eu-request]
method = "POST"
path = "/checkout"
json = {{ card_country = "DE" }}
match = "ok /checkout"
"""


def test_a_named_check_runs_from_the_configuration_every_time(
        repo: Path, tmp_path: Path, servers: tuple[Server, Server]) -> None:
    prod, other = servers
    marker, evil = tmp_path / "ran", tmp_path / "pwned"
    command = render_toml_value(touch(marker))
    with deployed(repo, prod, NAMED.format(command=command)) as (ctx, key):
        first = verify(ctx, key, BOSS, bug=BugCheckOptions(name="eu-checkout"))
        assert first.passed
        assert marker.exists()
        assert first.checks[-1].name.startswith("eu-checkout: ")
        assert ctx.records.get(key).facts["bug_check"] == {"name": "eu-checkout"}
        marker.unlink()
        # a command beside the name, in the database, is ignored: the name is looked up
        ctx.records.act(key, "verify", BOSS, {"passed": False, "checks": [], "facts": {
            "bug_check": {"name": "eu-checkout", "command": touch(evil)}}})

        again = verify(ctx, key, BOSS)

        assert again.passed
        assert marker.exists()
        assert not evil.exists()
        said = ctx.records.get(key).events[-1].payload["bug_check"]
        assert said == {"name": "eu-checkout", "from": "config", "command": touch(marker),
                        "ran": True}
        request = verify(ctx, key, BOSS, bug=BugCheckOptions(name="eu-request"))
        assert request.passed
        assert prod.hits[-1] == "/checkout"
        assert other.hits == []


def test_an_unknown_name_says_how_to_add_it(repo: Path, servers: tuple[Server, Server]) -> None:
    with deployed(repo, servers[0]) as (ctx, key), pytest.raises(ConfigError) as info:
        verify(ctx, key, BOSS, bug=BugCheckOptions(name="eu-chekout"))
    assert str(info.value) == "no bug check named 'eu-chekout' in verify.bug_checks " \
                              "(known: none yet)"
    assert "[verify.bug_checks.eu-checkout] command = [" in (info.value.hint or "")
