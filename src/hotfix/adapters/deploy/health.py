"""HTTP health checks: an instance gets traffic only after its health path answers 2xx."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx


def wait_healthy(url: str, timeout: float, running: Callable[[], bool]) -> str | None:
    """Poll ``url`` until it answers 2xx. None when healthy, else the last problem seen."""
    deadline = time.monotonic() + timeout
    problem = "no answer"
    with httpx.Client(timeout=1.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            if not running():
                return f"the process exited before it was healthy ({problem})"
            try:
                status = client.get(url).status_code
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if 200 <= status < 300:
                    return None
                problem = f"GET {url} answered {status}"
            time.sleep(0.1)
    return f"not healthy after {timeout:g} s ({problem})"
