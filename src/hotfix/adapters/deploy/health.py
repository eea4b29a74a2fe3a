"""HTTP health checks: an instance gets traffic only after its health path answers 2xx."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

# seconds between polls: 0.02 for the first 2 s (an instance started from a warm worktree
# is often up in 0.1-0.2 s, and a refused connection costs next to nothing), then 0.1
QUICK_PAUSE, QUICK_FOR, PAUSE = 0.02, 2.0, 0.1


def wait_healthy(url: str, timeout: float, running: Callable[[], bool]) -> str | None:
    """Poll ``url`` until it answers 2xx. None when healthy, else the last problem seen."""
    began = time.monotonic()
    deadline = began + timeout
    problem = "no answer"
    # plain http to an instance of this machine: no TLS, so no CA bundle to load
    with httpx.Client(timeout=1.0, trust_env=False, verify=False) as client:
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
            time.sleep(QUICK_PAUSE if time.monotonic() - began < QUICK_FOR else PAUSE)
    return f"not healthy after {timeout:g} s ({problem})"
