"""Outbound webhooks per the Standard Webhooks specification (the ``standardwebhooks``
library signs): ``webhook-id`` (the notice's id, the same on every retry),
``webhook-timestamp`` and ``webhook-signature``, so a receiver verifies with off-the-shelf
code and de-duplicates by id. The body is JSON: ``{"type": "hotfix.<event>", "timestamp",
"data": the notice}``; JSON carries people's text as data, escaped by its own rules."""

from __future__ import annotations

import binascii
import json
from collections.abc import Callable
from datetime import UTC, datetime

from standardwebhooks.webhooks import EmptyWebhookSecretError, Webhook

from hotfix.adapters.notify.http_post import checked_url, post
from hotfix.errors import ConfigError
from hotfix.ports.notify import Notice


def signer(secret: str, where: str) -> Webhook:
    """The signer for ``secret`` (``whsec_`` + base64), or a ``ConfigError`` naming it."""
    try:
        return Webhook(secret)
    except (EmptyWebhookSecretError, binascii.Error, ValueError):
        raise ConfigError(f"{where} is not a Standard Webhooks secret (whsec_ + base64)",
                          hint="generate one: python -c \"import base64,os; print('whsec_' + "
                          "base64.b64encode(os.urandom(24)).decode())\"") from None


class WebhookNotifier:
    """POSTs each notice, signed, to one URL."""

    def __init__(self, name: str, url: str, secret: str, *, timeout: float,
                 secret_source: str = "the secret",
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.name = name
        self.url = checked_url(url, f"notify.channels.{name}.url")
        self.webhook = signer(secret, secret_source)
        self.timeout = timeout
        self.now = now

    def send(self, notice: Notice) -> None:
        sent = self.now()
        body = json.dumps({"type": f"hotfix.{notice.event}", "timestamp": sent.isoformat(),
                           "data": notice.to_dict()}, ensure_ascii=False, sort_keys=True)
        headers = {"content-type": "application/json", "webhook-id": notice.id,
                   "webhook-timestamp": str(int(sent.timestamp())),
                   "webhook-signature": self.webhook.sign(notice.id, sent, body)}
        post(self.name, self.url, body.encode(), headers, self.timeout)
