"""HTTP health checks: an instance gets traffic only after its health path answers 2xx."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

FIRST_PAUSE, MAX_PAUSE = 0.01, 0.1  # seconds between polls: soon at first, then every 0.1 s


def wait_healthy(url: str, timeout: float, running: Callable[[], bool]) -> str | None:
    """Poll ``url`` until it answers 2xx. None when healthy, else the last problem seen.

    The first polls come quickly (an instance that was started a moment ago, from a warm
    worktree, is often up within 0.1–0.2 s); the pause doubles up to 0.1 s."""
    deadline = time.monotonic() + timeout
    problem = "no answer"
    pause = FIRST_PAUSE
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
            time.sleep(pause)
            pause = min(pause * 2, MAX_PAUSE)
    return f"not healthy after {timeout:g} s ({problem})"
