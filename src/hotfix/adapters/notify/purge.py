"""A CDN purge as a notification channel: after a content record's ``publish``, ``revert``
or ``expire`` (routed by ``notify.routes`` like any notice), one request to the CDN's purge
API for the zone the event names, so the site's cached copy of ``/content/v1/zones/ZONE``
is dropped at once instead of after its max-age.

It rides the outbox: queued with the event in its transaction, retried with backoff, dead
letters listed, never in the way of the publish itself. A notice that names no zone (any
other record's event) has nothing to purge and is done. The URL may hold ``{zone}``
(``https://api.fastly.com/service/S/purge/content-{zone}``); the token comes from the
environment into one configured header and never appears in the record or a log."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from hotfix.adapters.notify.http_post import checked_url, post
from hotfix.errors import ConfigError
from hotfix.ports.notify import Notice

METHODS = ("POST", "PURGE", "DELETE", "GET")


class PurgeNotifier:
    """Purges a zone's cached content at a CDN after it changed."""

    def __init__(self, name: str, url: str, method: str, headers: Mapping[str, str], *,
                 timeout: float) -> None:
        self.name = name
        where = f"notify.channels.{name}"
        checked_url(url.replace("{zone}", "zone"), f"{where}.url")
        self.url = url
        if method not in METHODS:
            raise ConfigError(f"{where}.method {method!r} is not one of {', '.join(METHODS)}",
                              hint=f'[{where}] method = "POST"')
        self.method, self.headers, self.timeout = method, dict(headers), timeout

    def send(self, notice: Notice) -> None:
        zone = notice.details.get("zone")
        if not isinstance(zone, str) or not zone:
            return  # not a content change: nothing cached to drop
        post(self.name, self.url.replace("{zone}", quote(zone, safe="")), b"", self.headers,
             self.timeout, method=self.method)
