"""Jenkins: a parameterised build through the remote-access API, its queue item, the build,
and its test report.

``POST /job/NAME/buildWithParameters`` (parameters ``BRANCH`` and ``SHA``) answers 201 with
the queue item in ``Location``; the queue item names the build once it starts
(``executable.url``); the build is done when ``building`` is false, and its ``result`` is
SUCCESS, UNSTABLE (tests failed), FAILURE or ABORTED; the commit it built is its git
plugin's ``lastBuiltRevision.SHA1``; tests come from ``testReport/api/json``. Auth: a user
and an API token (HTTP basic).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from hotfix.adapters.ci.http import Api, CIError, poll
from hotfix.domain.checks.testrun import Case
from hotfix.ports.ci import CIResult

RESULT = {"SUCCESS": "success", "UNSTABLE": "failure", "FAILURE": "failure",
          "ABORTED": "cancelled", "NOT_BUILT": "cancelled"}
STATUS = {"PASSED": "passed", "FIXED": "passed", "FAILED": "failed", "REGRESSION": "failed",
          "SKIPPED": "skipped"}


class Jenkins:
    system = "jenkins"

    def __init__(self, api: Api, job: str, *, poll_seconds: float = 10.0,
                 timeout: float = 3600.0, start_timeout: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.api, self.job = api, job
        self.poll_seconds, self.timeout, self.start_timeout = poll_seconds, timeout, start_timeout
        self.clock = clock

    def close(self) -> None:
        self.api.close()

    def run(self, branch: str, sha: str, on_progress: Callable[[str], None]) -> CIResult:
        began = self.clock()
        job = "/".join(f"job/{part}" for part in self.job.split("/"))
        response = self.api.request("POST", f"/{job}/buildWithParameters",
                                    params={"BRANCH": branch, "SHA": sha})
        queue = response.headers.get("location", "")
        if response.status_code != 201 or not queue:
            raise CIError(f"Jenkins did not queue {self.job}: {response.status_code} "
                          f"{response.text[:300]}",
                          hint="the job must be parameterised with BRANCH and SHA")
        on_progress(f"queued {self.job} ({queue})")
        build = poll(lambda: self._started(queue), every=self.poll_seconds,
                     timeout=self.start_timeout, sleep=self.api.sleep, clock=self.clock)
        if build is None:
            return CIResult(self.system, queue, "never_started", "", self.clock() - began,
                            detail=f"the build did not leave the queue within "
                                   f"{self.start_timeout:.0f} s")
        on_progress(f"build {build}")
        done = poll(lambda: self._finished(build), every=self.poll_seconds,
                    timeout=self.timeout, sleep=self.api.sleep, clock=self.clock)
        if done is None:
            return CIResult(self.system, build, "timed_out", sha, self.clock() - began,
                            detail=f"the build did not finish within {self.timeout:.0f} s")
        conclusion = RESULT.get(str(done.get("result")), "failure")
        return CIResult(self.system, build, conclusion, _built_sha(done) or "",
                        self.clock() - began, tuple(self._cases(build)),
                        detail=f"result {done.get('result')}")

    def _started(self, queue: str) -> str | None:
        item = self.api.json("GET", f"{queue.rstrip('/')}/api/json")
        if item.get("cancelled"):
            raise CIError("the Jenkins queue item was cancelled before it started",
                          hint="see the job's queue in Jenkins")
        executable = item.get("executable") or {}
        return str(executable["url"]) if executable.get("url") else None

    def _finished(self, build: str) -> dict[str, Any] | None:
        data = self.api.json("GET", f"{build.rstrip('/')}/api/json")
        return None if data.get("building", True) else data

    def _cases(self, build: str) -> list[Case]:
        response = self.api.request("GET", f"{build.rstrip('/')}/testReport/api/json")
        if response.status_code != 200:
            return []
        cases = []
        for suite in response.json().get("suites", []):
            for case in suite.get("cases", []):
                name = f"{case.get('className', '')}::{case.get('name', '')}"
                cases.append(Case(name, STATUS.get(str(case.get("status")), "failed"),
                                  float(case.get("duration") or 0.0),
                                  str(case.get("errorDetails") or "")[:2000]))
        return cases


def _built_sha(build: dict[str, Any]) -> str | None:
    for action in build.get("actions", []) or []:
        revision = (action or {}).get("lastBuiltRevision") or {}
        if revision.get("SHA1"):
            return str(revision["SHA1"])
    return None
