"""CircleCI: a pipeline through the v2 API, its workflows and jobs, and their tests.

``POST /project/SLUG/pipeline`` (``branch``, and the parameter ``hotfix_sha``) answers the
pipeline's id; ``GET /pipeline/ID`` gives its state and ``vcs.revision`` (the commit it
runs); ``GET /pipeline/ID/workflow`` its workflows (success, failed, error, canceled, …);
``GET /workflow/ID/job`` their jobs and ``GET /project/SLUG/JOB/tests`` each job's tests.
Auth: ``Circle-Token``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from hotfix.adapters.ci.http import Api, CIError, poll
from hotfix.domain.checks.testrun import Case
from hotfix.ports.ci import CIResult

DONE = {"success": "success", "failed": "failure", "error": "failure", "failing": None,
        "canceled": "cancelled", "unauthorized": "failure", "not_run": "cancelled"}
RESULT = {"success": "passed", "failure": "failed", "skipped": "skipped"}


class CircleCI:
    system = "circleci"

    def __init__(self, api: Api, project: str, *, poll_seconds: float = 10.0,
                 timeout: float = 3600.0, start_timeout: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.api, self.project = api, project
        self.poll_seconds, self.timeout, self.start_timeout = poll_seconds, timeout, start_timeout
        self.clock = clock

    def close(self) -> None:
        self.api.close()

    def run(self, branch: str, sha: str, on_progress: Callable[[str], None]) -> CIResult:
        began = self.clock()
        created = self.api.json("POST", f"/project/{self.project}/pipeline",
                                json={"branch": branch, "parameters": {"hotfix_sha": sha}})
        pipeline = str(created.get("id", ""))
        if not pipeline:
            raise CIError(f"CircleCI did not create a pipeline: {created}",
                          hint="check ci.circleci.project (e.g. gh/ORG/REPO)")
        url = f"https://app.circleci.com/pipelines/{self.project}/{created.get('number', '')}"
        on_progress(f"pipeline {created.get('number')}: {url}")
        workflows = poll(lambda: self._workflows(pipeline), every=self.poll_seconds,
                         timeout=self.start_timeout, sleep=self.api.sleep, clock=self.clock)
        if workflows is None:
            return CIResult(self.system, url, "never_started", "", self.clock() - began,
                            detail=f"no workflow started within {self.start_timeout:.0f} s")
        done = poll(lambda: self._finished(pipeline), every=self.poll_seconds,
                    timeout=self.timeout, sleep=self.api.sleep, clock=self.clock)
        if done is None:
            return CIResult(self.system, url, "timed_out", sha, self.clock() - began,
                            detail=f"the pipeline did not finish within {self.timeout:.0f} s")
        statuses = [str(w.get("status")) for w in done]
        conclusion = ("success" if all(s == "success" for s in statuses) else
                      "cancelled" if any(DONE.get(s) == "cancelled" for s in statuses)
                      else "failure")
        revision = str(self.api.json("GET", f"/pipeline/{pipeline}").get("vcs", {})
                       .get("revision", ""))
        return CIResult(self.system, url, conclusion, revision, self.clock() - began,
                        tuple(self._cases(done)), detail="workflows " + ", ".join(statuses))

    def _workflows(self, pipeline: str) -> list[dict[str, Any]] | None:
        items = self.api.json("GET", f"/pipeline/{pipeline}/workflow").get("items", [])
        return items or None

    def _finished(self, pipeline: str) -> list[dict[str, Any]] | None:
        items = self._workflows(pipeline) or []
        done = [w for w in items if DONE.get(str(w.get("status"))) is not None]
        return items if items and len(done) == len(items) else None

    def _cases(self, workflows: list[dict[str, Any]]) -> list[Case]:
        cases = []
        for workflow in workflows:
            jobs = self.api.json("GET", f"/workflow/{workflow['id']}/job").get("items", [])
            for job in jobs:
                if job.get("job_number") is None:
                    continue
                tests = self.api.json("GET", f"/project/{self.project}/{job['job_number']}"
                                             "/tests").get("items", [])
                cases += [Case(f"{t.get('file') or t.get('classname', '')}::{t.get('name')}",
                               RESULT.get(str(t.get("result")), "failed"),
                               float(t.get("run_time") or 0.0), str(t.get("message") or "")[:2000])
                          for t in tests]
        return cases
