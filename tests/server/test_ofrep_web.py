"""hotfix's flags read by the OpenFeature *web* SDK with its OFREP provider, from npm, run
under Node (tests/server/ofrep_web/read_flags.cjs): bulk evaluation, ETag revalidation
(If-None-Match → 304 while nothing changed), and a kill seen on the next poll."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hotfix.services.flags import changes
from tests.server.flag_clients import BOOL, ENGINEER, client_key, close_clients, remote, serve
from tests.server.live import LiveServer, live_server

HERE = Path(__file__).with_name("ofrep_web")


@pytest.fixture(scope="module")
def node_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pinned npm packages, installed through npm (its cache keeps later runs offline)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("needs Node and npm on PATH")
    where = tmp_path_factory.mktemp("ofrep-web")
    shutil.copy(HERE / "package.json", where / "package.json")
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefer-offline",
                    "--loglevel=error"], cwd=where, check=True, timeout=300)
    shutil.copy(HERE / "read_flags.cjs", where / "read_flags.cjs")
    return where


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path / "server", f"sqlite:///{tmp_path / 'server.db'}") as live:
        yield live
        close_clients()


def line(proc: subprocess.Popen[str]) -> dict[str, Any]:
    assert proc.stdout is not None
    text = proc.stdout.readline()
    assert text, proc.stderr.read() if proc.stderr else "node printed nothing"
    return dict(json.loads(text))


def test_the_web_provider_bulk_evaluates_revalidates_with_etag_and_sees_a_kill(
        server: LiveServer, node_modules: Path) -> None:
    serve(server, "new-checkout", BOOL, default="on", off="off")
    serve(server, "button-colour", {"type": "string", "variants": {"blue": "#00f",
                                                                   "green": "#0f0"},
                                    "default": "blue"},
          rules=[{"attribute": "plan", "op": "equals", "value": "pro", "variant": "green"}])
    serve(server, "limits", {"type": "object", "variants": {"std": {"cart": 20}},
                             "default": "std"})
    with subprocess.Popen(["node", "read_flags.cjs", server.url, client_key(server, "web")],
                          cwd=node_modules, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as proc:
        try:
            read(proc, server)
        finally:
            proc.kill()


def read(proc: subprocess.Popen[str], server: LiveServer) -> None:
    """What node prints: the first values and requests, then those after a kill."""
    first = line(proc)
    assert first["values"] == {"new-checkout": True, "button-colour": "#0f0",
                               "button-colour-reason": "TARGETING_MATCH",
                               "limits": {"cart": 20}, "missing": "FLAG_NOT_FOUND"}
    sent = first["requests"]
    assert all(r["url"].endswith("/ofrep/v1/evaluate/flags") for r in sent)  # bulk only
    assert sent[0]["status"] == 200
    assert sent[0]["ifNoneMatch"] is None
    assert sent[0]["etag"]
    revalidated = [r for r in sent if r["status"] == 304]
    assert len(revalidated) >= 2
    assert {r["ifNoneMatch"] for r in revalidated} == {sent[0]["etag"]}
    changes.kill(remote(server, "engineer"), ENGINEER, "new-checkout", "checkout errors")
    second = line(proc)
    assert second["values"]["new-checkout"] is False
    assert second["requests"][-1]["status"] == 200
    assert second["requests"][-1]["ifNoneMatch"] == sent[0]["etag"]
    assert proc.wait(timeout=30) == 0
