"""The GitHub Actions stand-in answers as GitHub's published OpenAPI description says GitHub
does (npm ``@octokit/openapi``): every answer it gave while the adapter ran a green, a red
and a cancelled run (dispatch, list runs, a run, its artifacts, the artifact's zip redirect)
is validated against its operation's response (status, headers, JSON body by its schema),
and every request hotfix sent against the operation's parameters and request body."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import pytest
from openapi_core.testing import MockRequest, MockResponse

from tests.adapters.ci.standins import Behaviour, Exchange
from tests.adapters.ci.test_ci_pipelines import SHA, pipeline

pytestmark = pytest.mark.slow
GITHUB = "https://api.github.com"
USED = {  # the endpoints hotfix uses (hotfix.adapters.ci.github), as GitHub names them
    "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
    "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs",
    "GET /repos/{owner}/{repo}/actions/runs/{run_id}",
    "GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts",
    "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}",
}


def request_of(e: Exchange) -> MockRequest:
    args = dict(parse_qsl(e.query))
    if "created" in args:
        # the description gives `created` the format date-time, yet documents (and GitHub
        # takes) the search syntax hotfix sends, ">=" and a date-time: the date-time is checked
        assert args["created"].startswith(">="), args
        args["created"] = args["created"].removeprefix(">=")
    return MockRequest(GITHUB, e.method.lower(), e.path, args=args,
                       data=e.request_body or None, content_type="application/json")


def response_of(e: Exchange) -> MockResponse:
    ctype = e.headers.get("content-type", "application/json").split(";")[0]
    return MockResponse(e.body, status_code=e.status, headers=e.headers, content_type=ctype)


def answers(conclusion: str) -> list[Exchange]:
    b = Behaviour(conclusion=conclusion)
    with pipeline("github-actions", b) as ci:
        result = ci.run("hotfix/1.1.1", SHA, lambda _: None)
    assert result.conclusion == conclusion
    return b.exchanges


def test_every_answer_the_stand_in_gives_is_valid_for_github(github_openapi: Any) -> None:
    exchanges = [e for c in ("success", "failure", "cancelled") for e in answers(c)]
    operations = set()
    for e in exchanges:
        found = github_openapi.request_validator.path_finder.find(
            e.method.lower(), f"{GITHUB}{e.path}")
        operations.add(f"{e.method} {found.path.parts[-1]}")
        github_openapi.validate_request(request_of(e))
        github_openapi.validate_response(request_of(e), response_of(e))
    assert operations == USED
    statuses = {(e.method, e.status) for e in exchanges}
    assert statuses == {("POST", 204), ("GET", 200), ("GET", 302)}


def test_the_validation_catches_a_run_github_would_never_send(github_openapi: Any) -> None:
    from openapi_core.validation.response.exceptions import InvalidData

    runs = next(e for e in answers("success") if e.path.endswith("/runs"))
    body = json.loads(runs.body)
    del body["workflow_runs"][0]["head_sha"]
    body["workflow_runs"][0]["status"] = "finished"
    broken = Exchange(runs.method, runs.path, runs.query, b"", 200, runs.headers,
                      json.dumps(body).encode())
    with pytest.raises(InvalidData):
        github_openapi.validate_response(request_of(broken), response_of(broken))


def test_the_artifact_download_is_followed_without_the_token() -> None:
    b = Behaviour(conclusion="failure")
    with pipeline("github-actions", b) as ci:
        result = ci.run("hotfix/1.1.1", SHA, lambda _: None)
    assert [c.outcome for c in result.cases] == ["passed", "failed"]  # read from the blob
    fetched = [auth for call, auth in zip(b.calls, b.seen_auth, strict=True)
               if call.startswith("GET /_blobs/")]
    assert fetched == [""]  # the redirect leads to another origin: the token stays home
