"""The one HTTP seam of the notifiers: POST a body, turn what comes back into success or a
``DeliveryFailed`` that says whether a retry can help and when (``Retry-After``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from hotfix.errors import ConfigError, DeliveryFailed

_RETRYABLE = {408, 425, 429}  # and every 5xx


def checked_url(url: str, where: str) -> str:
    """``url`` if it is an absolute http(s) URL, else a ``ConfigError`` naming ``where``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{where}: {url!r} is not an http(s) URL",
                          hint=f"set {where} to https://…")
    return url


def post(channel: str, url: str, body: bytes, headers: Mapping[str, str],
         timeout: float, method: str = "POST") -> httpx.Response:
    """POST (or ``method``) ``body``; the response when it is 2xx, else ``DeliveryFailed``."""
    try:
        response = httpx.request(method, url, content=body, headers=dict(headers),
                                 timeout=timeout, follow_redirects=False)
    except httpx.TimeoutException:
        raise DeliveryFailed(f"{channel}: no answer from {_host(url)} within {timeout:g}s",
                             hint="retried later") from None
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{channel}: cannot reach {_host(url)}: {exc}",
                             hint="retried later") from None
    if response.is_success:
        return response
    status = response.status_code
    retryable = status in _RETRYABLE or status >= 500
    raise DeliveryFailed(
        f"{channel}: {_host(url)} answered {status} {response.text[:200].strip()}".rstrip(),
        hint="retried later" if retryable else "the receiver refused it: fix the channel, "
        "then hotfix notify retry", permanent=not retryable,
        retry_after=retry_after(response.headers.get("retry-after")))


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds, or an HTTP date); None if absent."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _host(url: str) -> str:
    return urlsplit(url).netloc  # never the path: a Slack or webhook URL's path is a secret
