"""Real receivers on loopback for the notifiers' tests: an HTTP server that verifies the
Standard Webhooks signature with the library's own verifier and de-duplicates by id, a
stand-in for Slack's incoming-webhook endpoint, and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

# (request number from 1, headers, body) → (status, extra headers, body) to answer
Answer = Callable[[int, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


def ok(_n: int, _headers: dict[str, str], _body: bytes) -> tuple[int, dict[str, str], bytes]:
    return 200, {}, b"ok"


def down_for(attempts: int, status: int = 503) -> Answer:
    """Answer ``status`` to the first ``attempts`` requests, then 200."""
    def answer(n: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str],
                                                                       bytes]:
        return (status, {}, b"down") if n <= attempts else ok(n, headers, body)
    return answer


def hang_first(seconds: float) -> Answer:
    """Hold the first request ``seconds`` before answering; answer the rest at once."""
    def answer(n: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str],
                                                                       bytes]:
        if n == 1:
            time.sleep(seconds)
        return ok(n, headers, body)
    return answer


class Receiver:
    """An HTTP server on 127.0.0.1 that records every request it is sent."""

    def __init__(self, answer: Answer = ok) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.lines: list[tuple[str, str]] = []  # (method, path) of each request
        self.answer = answer
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.lines.append((self.command, self.path))
                receiver.requests.append((headers, body))
                status, extra, reply = receiver.answer(len(receiver.requests), headers, body)
                receiver.seen(status, headers, body)
                try:
                    self.send_response(status)
                    for key, value in extra.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the hanging receiver's test)

            do_PURGE = do_DELETE = do_POST  # a CDN's purge verbs

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def seen(self, status: int, headers: dict[str, str], body: bytes) -> None:
        """Called after each answer; receivers that keep state override it."""

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class WebhookReceiver(Receiver):
    """Verifies each request with ``standardwebhooks.Webhook.verify`` and keeps each
    verified message once by its ``webhook-id``, as a receiver that de-duplicates does."""

    def __init__(self, answer: Answer = ok, secret: str = SECRET) -> None:
        self.verifier = Webhook(secret)
        self.by_id: dict[str, Any] = {}
        self.rejected: list[str] = []
        super().__init__(answer)

    def seen(self, status: int, headers: dict[str, str], body: bytes) -> None:
        if status != 200:
            return
        try:
            payload = self.verifier.verify(body, headers)
        except WebhookVerificationError as exc:
            self.rejected.append(str(exc))
            return
        self.by_id.setdefault(headers["webhook-id"], payload)


def slack_standin(*, limited: int = 1, retry_after: str = "1") -> Receiver:
    """Slack's incoming-webhook endpoint as it behaves: 429 with ``Retry-After`` for the
    first ``limited`` requests, then ``ok``; a body that is not JSON with ``text`` → 400."""
    def answer(n: int, _headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str],
                                                                        bytes]:
        if n <= limited:
            return 429, {"Retry-After": retry_after}, b"rate_limited"
        try:
            message = json.loads(body)
        except ValueError:
            return 400, {}, b"invalid_payload"
        return (200, {}, b"ok") if message.get("text") else (400, {}, b"no_text")
    return Receiver(answer)


class _Inbox:
    def __init__(self, refuse: int | None) -> None:
        self.mails: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse = refuse

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        if self.refuse:
            return f"{self.refuse} mailbox unavailable"
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        self.mails.append(mail)
        return "250 OK"


class SmtpServer:
    """aiosmtpd on loopback; ``refuse``: answer DATA with that code (e.g. 550)."""

    def __init__(self, refuse: int | None = None) -> None:
        self.inbox = _Inbox(refuse)
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def mails(self) -> list[EmailMessage]:
        return self.inbox.mails

    def close(self) -> None:
        self.controller.stop()


def free_port() -> int:
    """A loopback port nothing listens on (aiosmtpd's controller needs one named)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
