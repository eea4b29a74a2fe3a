"""Local stand-ins for GitHub Actions, Jenkins and CircleCI, served by uvicorn on loopback.

Each implements the endpoints hotfix calls, with the response shapes of the vendors' public
API documentation:
- GitHub: https://docs.github.com/en/rest/actions/workflows#create-a-workflow-dispatch-event
  https://docs.github.com/en/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow
  https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run
  https://docs.github.com/en/rest/actions/artifacts#list-workflow-run-artifacts
  https://docs.github.com/en/rest/actions/artifacts#download-an-artifact
  Its runs and artifacts are GitHub's own examples (github_examples.json), and every answer
  is validated against GitHub's published OpenAPI description, npm ``@octokit/openapi``
  (test_github_openapi.py).
- Jenkins (it publishes no OpenAPI description, and npm packages none):
  https://www.jenkins.io/doc/book/using/remote-access-api/ (buildWithParameters → the
  queue item's Location; the queue item's executable.url; the build's api/json;
  testReport/api/json)
- CircleCI: https://circleci.com/docs/api/v2/index.html (#operation/triggerPipeline,
  #operation/getPipelineById, #operation/listWorkflowsByPipelineId,
  #operation/listWorkflowJobs, #operation/getTests). CircleCI publishes an OpenAPI
  description on its site, but none is packaged on npm (npm's ``circleci-api`` is a
  hand-written client), so these shapes are kept from the documentation.

``behaviour`` steers the next run: its conclusion, the commit it claims to have tested,
whether it starts at all, and how many 429s come first.
"""

from __future__ import annotations

import copy
import io
import json
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from tests.server.live import free_socket

TOKEN = "ci-secret-token-123"
JUNIT = b"""<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="tests.test_app" name="test_eu" file="tests/test_app.py" time="0.01"/>
<testcase classname="tests.test_app" name="test_us" file="tests/test_app.py"
 time="0.01">%s</testcase>
</testsuite></testsuites>"""


@dataclass
class Behaviour:
    conclusion: str = "success"  # success | failure | cancelled
    tested_sha: str | None = None  # None: the commit asked for
    starts: bool = True
    throttle: int = 0  # 429s before the first real answer
    polls_until_done: int = 2
    seen_auth: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)  # GitHub's answers, kept


def _junit(failed: bool) -> bytes:
    return JUNIT % (b'<failure message="assert 500 == 200"/>' if failed else b"")


EXAMPLES = json.loads((Path(__file__).parent / "github_examples.json").read_text())


@dataclass
class Exchange:
    """One answer a stand-in gave: what tests/adapters/ci/test_github_openapi.py validates."""

    method: str
    path: str
    query: str
    request_body: bytes
    status: int
    headers: dict[str, str]
    body: bytes


def _workflow_run(owner: str, repo: str, wf: str, number: int, sha: str, branch: str
                  ) -> dict[str, Any]:
    """GitHub's own example of a run (github_examples.json), made this run."""
    run = copy.deepcopy(EXAMPLES["workflow-run"])
    api = f"https://api.github.com/repos/{owner}/{repo}/actions/runs/{number}"
    run.update({"id": number, "run_number": number - 1000, "head_sha": sha,
                "head_branch": branch, "event": "workflow_dispatch", "status": "queued",
                "conclusion": None, "path": f".github/workflows/{wf}",
                "display_title": "hotfix check", "created_at": "2099-01-01T00:00:00Z",
                "updated_at": "2099-01-01T00:00:00Z", "run_started_at": "2099-01-01T00:00:00Z",
                "url": api, "jobs_url": f"{api}/jobs", "logs_url": f"{api}/logs",
                "artifacts_url": f"{api}/artifacts", "cancel_url": f"{api}/cancel",
                "rerun_url": f"{api}/rerun", "previous_attempt_url": None,
                "html_url": f"https://github.com/{owner}/{repo}/actions/runs/{number}"})
    run["head_commit"] = {**run["head_commit"], "id": sha, "tree_id": sha}
    return run


def github_app(b: Behaviour, resolve: Callable[[str], str] | None = None) -> FastAPI:
    """``resolve``: a branch → the commit it names on the "remote" (what GitHub runs).

    The artifact's zip answers 302 to a download URL on another origin (``localhost``
    rather than 127.0.0.1, as GitHub's point to its blob storage), which needs no token.
    Every answer is kept in ``b.exchanges``."""
    resolve = resolve or SHAS.__getitem__
    app = FastAPI()
    runs: list[dict[str, Any]] = []
    polls: dict[int, int] = {}

    @app.middleware("http")
    async def gate(request: Request, call_next: Any) -> Response:
        b.calls.append(f"{request.method} {request.url.path}")
        b.seen_auth.append(request.headers.get("authorization", ""))
        sent = await request.body()
        if request.url.path.startswith("/_blobs/"):
            return await call_next(request)  # a signed download URL: no token there
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            answer: Response = JSONResponse({"message": "Bad credentials"}, status_code=401)
        elif b.throttle > 0:
            b.throttle -= 1
            answer = JSONResponse({"message": "rate limited"}, status_code=429,
                                  headers={"Retry-After": "1"})
        else:
            answer = await call_next(request)
        body = bytes(answer.body) if not hasattr(answer, "body_iterator") else \
            b"".join([chunk async for chunk in answer.body_iterator])
        b.exchanges.append(Exchange(request.method, request.url.path, request.url.query, sent,
                                    answer.status_code, dict(answer.headers), body))
        return Response(body, status_code=answer.status_code, headers=dict(answer.headers))

    @app.post("/repos/{owner}/{repo}/actions/workflows/{wf}/dispatches")
    async def dispatch(owner: str, repo: str, wf: str, request: Request) -> Response:
        body = await request.json()
        if b.starts:
            runs.append(_workflow_run(owner, repo, wf, 1000 + len(runs) + 1,
                                      b.tested_sha or resolve(body["ref"]), body["ref"]))
        return Response(status_code=204)

    @app.get("/repos/{owner}/{repo}/actions/workflows/{wf}/runs")
    def list_runs(owner: str, repo: str, wf: str, head_sha: str = "",
                  branch: str = "") -> dict[str, Any]:
        found = [r for r in runs if r["head_branch"] == branch]
        return {"total_count": len(found), "workflow_runs": found}

    @app.get("/repos/{owner}/{repo}/actions/runs/{run_id}")
    def get_run(owner: str, repo: str, run_id: int) -> dict[str, Any]:
        run = next(r for r in runs if r["id"] == run_id)
        polls[run_id] = polls.get(run_id, 0) + 1
        if polls[run_id] >= b.polls_until_done:
            run["status"], run["conclusion"] = "completed", b.conclusion
        else:
            run["status"] = "in_progress"
        return run

    @app.get("/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts")
    def artifacts(owner: str, repo: str, run_id: int) -> dict[str, Any]:
        run = next(r for r in runs if r["id"] == run_id)
        artifact = copy.deepcopy(EXAMPLES["artifact"])
        api = f"https://api.github.com/repos/{owner}/{repo}/actions/artifacts/77"
        artifact.update({"id": 77, "name": "junit", "url": api,
                         "archive_download_url": f"{api}/zip",
                         "workflow_run": {**artifact["workflow_run"], "id": run_id,
                                          "head_branch": run["head_branch"],
                                          "head_sha": run["head_sha"]}})
        return {"total_count": 1, "artifacts": [artifact]}

    @app.get("/repos/{owner}/{repo}/actions/artifacts/{aid}/zip")
    def download(owner: str, repo: str, aid: int, request: Request) -> Response:
        blob = f"http://localhost:{request.url.port}/_blobs/{aid}.zip?sig=signed"
        return Response(status_code=302, headers={"Location": blob})

    @app.get("/_blobs/{aid}.zip")
    def blob(aid: int) -> Response:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("junit.xml", _junit(b.conclusion == "failure"))
        return Response(buf.getvalue(), media_type="application/zip")

    return app


def jenkins_app(b: Behaviour, base: list[str]) -> FastAPI:
    app = FastAPI()
    builds: dict[int, dict[str, Any]] = {}

    @app.middleware("http")
    async def gate(request: Request, call_next: Any) -> Response:
        b.calls.append(f"{request.method} {request.url.path}")
        auth = request.headers.get("authorization", "")
        b.seen_auth.append(auth)
        import base64

        if auth != "Basic " + base64.b64encode(f"ada:{TOKEN}".encode()).decode():
            return Response("Unauthorized", status_code=401)
        return await call_next(request)

    @app.post("/job/{folder}/job/{name}/buildWithParameters")
    def build(folder: str, name: str, BRANCH: str, SHA: str) -> Response:
        number = len(builds) + 1
        builds[number] = {"sha": b.tested_sha or SHA, "polls": 0, "queued": 0}
        return Response(status_code=201, headers={"Location": f"{base[0]}/queue/item/{number}/"})

    @app.get("/queue/item/{number}/api/json")
    def queue(number: int) -> dict[str, Any]:
        item = builds[number]
        item["queued"] += 1
        if not b.starts or item["queued"] < 2:
            return {"id": number, "why": "Waiting for next available executor"}
        return {"id": number, "executable": {"number": number,
                                             "url": f"{base[0]}/job/f/job/app/{number}/"}}

    @app.get("/job/f/job/app/{number}/api/json")
    def status(number: int) -> dict[str, Any]:
        item = builds[number]
        item["polls"] += 1
        done = item["polls"] >= b.polls_until_done
        result = {"success": "SUCCESS", "failure": "UNSTABLE", "cancelled": "ABORTED"}
        return {"building": not done, "result": result[b.conclusion] if done else None,
                "actions": [{}, {"lastBuiltRevision": {"SHA1": item["sha"]}}]}

    @app.get("/job/f/job/app/{number}/testReport/api/json")
    def tests(number: int) -> dict[str, Any]:
        failed = b.conclusion == "failure"
        return {"suites": [{"cases": [
            {"className": "tests.test_app", "name": "test_eu", "status": "PASSED",
             "duration": 0.01},
            {"className": "tests.test_app", "name": "test_us",
             "status": "FAILED" if failed else "PASSED", "duration": 0.01,
             "errorDetails": "assert 500 == 200" if failed else None}]}]}

    return app


def circleci_app(b: Behaviour) -> FastAPI:
    app = FastAPI()
    pipelines: dict[str, dict[str, Any]] = {}

    @app.middleware("http")
    async def gate(request: Request, call_next: Any) -> Response:
        b.calls.append(f"{request.method} {request.url.path}")
        b.seen_auth.append(request.headers.get("circle-token", ""))
        if request.headers.get("circle-token") != TOKEN:
            return JSONResponse({"message": "Invalid token provided."}, status_code=401)
        return await call_next(request)

    @app.post("/project/{vcs}/{org}/{repo}/pipeline")
    async def trigger(vcs: str, org: str, repo: str, request: Request) -> dict[str, Any]:
        body = await request.json()
        pid = f"p-{len(pipelines) + 1}"
        pipelines[pid] = {"sha": b.tested_sha or body["parameters"]["hotfix_sha"], "polls": 0}
        return {"id": pid, "number": len(pipelines), "state": "created"}

    @app.get("/pipeline/{pid}")
    def pipeline(pid: str) -> dict[str, Any]:
        return {"id": pid, "state": "created", "vcs": {"revision": pipelines[pid]["sha"]}}

    @app.get("/pipeline/{pid}/workflow")
    def workflows(pid: str) -> dict[str, Any]:
        item = pipelines[pid]
        if not b.starts:
            return {"items": []}
        item["polls"] += 1
        done = item["polls"] >= b.polls_until_done
        status = {"success": "success", "failure": "failed", "cancelled": "canceled"}
        return {"items": [{"id": f"w-{pid}", "name": "test",
                           "status": status[b.conclusion] if done else "running"}]}

    @app.get("/workflow/{wid}/job")
    def jobs(wid: str) -> dict[str, Any]:
        return {"items": [{"job_number": 42, "name": "pytest"}]}

    @app.get("/project/{vcs}/{org}/{repo}/{job}/tests")
    def tests(vcs: str, org: str, repo: str, job: int) -> dict[str, Any]:
        failed = b.conclusion == "failure"
        return {"items": [
            {"name": "test_eu", "classname": "tests.test_app", "file": "tests/test_app.py",
             "result": "success", "run_time": 0.01},
            {"name": "test_us", "classname": "tests.test_app", "file": "tests/test_app.py",
             "result": "failure" if failed else "success", "run_time": 0.01,
             "message": "assert 500 == 200" if failed else ""}]}

    return app


SHAS: dict[str, str] = {}  # branch → the sha hotfix pushed there (GitHub's runs need it)


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    sock = free_socket()
    host, port = sock.getsockname()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()

