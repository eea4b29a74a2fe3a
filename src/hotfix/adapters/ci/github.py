"""GitHub Actions: ``workflow_dispatch`` on the hotfix branch, then the run and its JUnit.

The dispatch call returns no run id, so the run is found among the workflow's
``workflow_dispatch`` runs on the branch created since the dispatch (a minute of clock skew
allowed) whose ``head_sha`` is the checked commit; a run on another commit is never taken.
Tests come from the run's artifact (``ci.github.artifact``, default ``junit``): a zip of
JUnit XML files. REST API v3 (api.github.com, or GitHub Enterprise's ``/api/v3``).
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from hotfix.adapters.ci.http import Api, CIError, poll
from hotfix.adapters.testing.junit import parse_text
from hotfix.domain.checks.testrun import Case
from hotfix.ports.ci import CIResult

CONCLUSION = {"success": "success", "failure": "failure", "cancelled": "cancelled",
              "timed_out": "timed_out", "startup_failure": "failure",
              "action_required": "failure", "neutral": "failure", "skipped": "cancelled",
              "stale": "cancelled"}


class GitHubActions:
    system = "github-actions"

    def __init__(self, api: Api, repo: str, workflow: str, artifact: str = "junit", *,
                 poll_seconds: float = 10.0, timeout: float = 3600.0,
                 start_timeout: float = 300.0, clock: Callable[[], float] = time.monotonic,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.api, self.repo, self.workflow, self.artifact = api, repo, workflow, artifact
        self.poll_seconds, self.timeout, self.start_timeout = poll_seconds, timeout, start_timeout
        self.clock, self.now = clock, now

    def close(self) -> None:
        self.api.close()

    def run(self, branch: str, sha: str, on_progress: Callable[[str], None]) -> CIResult:
        began, since = self.clock(), self.now() - timedelta(minutes=1)
        base = f"/repos/{self.repo}/actions"
        response = self.api.request("POST", f"{base}/workflows/{self.workflow}/dispatches",
                                    json={"ref": branch})
        if response.status_code != 204:
            raise CIError(f"GitHub refused to dispatch {self.workflow} on {branch}: "
                          f"{response.status_code} {response.text[:300]}",
                          hint="the workflow needs `on: workflow_dispatch`, and the branch must "
                               "be pushed")
        on_progress(f"dispatched {self.workflow} on {branch}; waiting for its run")
        found = poll(lambda: self._find(base, branch, sha, since), every=self.poll_seconds,
                     timeout=self.start_timeout, sleep=self.api.sleep, clock=self.clock)
        if found is None:
            return CIResult(self.system, f"https://github.com/{self.repo}/actions", "never_started",
                            "", self.clock() - began,
                            detail=f"no run of {self.workflow} for {sha[:12]} started within "
                                   f"{self.start_timeout:.0f} s")
        url = str(found.get("html_url", ""))
        on_progress(f"run {found['id']}: {url}")
        done = poll(lambda: self._completed(base, found["id"]), every=self.poll_seconds,
                    timeout=self.timeout, sleep=self.api.sleep, clock=self.clock)
        if done is None:
            return CIResult(self.system, url, "timed_out", sha, self.clock() - began,
                            detail=f"the run did not finish within {self.timeout:.0f} s")
        conclusion = CONCLUSION.get(str(done.get("conclusion")), "failure")
        cases = self._cases(base, found["id"]) if conclusion in ("success", "failure") else ()
        return CIResult(self.system, url, conclusion, str(done["head_sha"]),
                        self.clock() - began, tuple(cases),
                        detail=f"conclusion {done.get('conclusion')}")

    def _find(self, base: str, branch: str, sha: str, since: datetime) -> dict[str, Any] | None:
        runs = self.api.json("GET", f"{base}/workflows/{self.workflow}/runs", params={
            "event": "workflow_dispatch", "branch": branch, "head_sha": sha,
            "created": f">={since.strftime('%Y-%m-%dT%H:%M:%SZ')}", "per_page": 20})
        matching = [r for r in runs.get("workflow_runs", []) if r.get("head_sha") == sha]
        return max(matching, key=lambda r: str(r.get("created_at", ""))) if matching else None

    def _completed(self, base: str, run_id: int) -> dict[str, Any] | None:
        run = self.api.json("GET", f"{base}/runs/{run_id}")
        return run if run.get("status") == "completed" else None

    def _cases(self, base: str, run_id: int) -> list[Case]:
        listing = self.api.json("GET", f"{base}/runs/{run_id}/artifacts")
        wanted = [a for a in listing.get("artifacts", []) if a.get("name") == self.artifact
                  and not a.get("expired")]
        if not wanted:
            return []
        archive = self.api.request("GET", f"{base}/artifacts/{wanted[0]['id']}/zip")
        if archive.status_code != 200:
            return []
        cases: list[Case] = []
        with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
            for name in zipped.namelist():
                if name.endswith(".xml"):
                    cases.extend(parse_text(zipped.read(name)))
        return cases
