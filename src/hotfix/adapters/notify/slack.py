"""Slack incoming webhooks: one Block Kit message per notice — the record and its title,
severity, state, the next step, and a button to the dashboard. Every text people wrote is
escaped for ``mrkdwn`` and sent ``verbatim`` (no auto-links, no mentions parsed).
Slack's 429 carries ``Retry-After``; the dispatcher waits that long."""

from __future__ import annotations

import json
from typing import Any

from hotfix.adapters.notify import text
from hotfix.adapters.notify.http_post import checked_url, post
from hotfix.ports.notify import Notice


class SlackNotifier:
    def __init__(self, name: str, url: str, *, timeout: float) -> None:
        self.name = name
        self.url = checked_url(url, f"notify.channels.{name}.url")
        self.timeout = timeout

    def send(self, notice: Notice) -> None:
        body = json.dumps(message(notice), ensure_ascii=False).encode()
        post(self.name, self.url, body, {"content-type": "application/json"}, self.timeout)


def message(notice: Notice) -> dict[str, Any]:
    """The Block Kit payload for ``notice``."""
    fields = [("Severity", notice.severity or "not triaged"), ("State", notice.state),
              ("Event", notice.event), ("Next step", notice.next_step or "none")]
    blocks: list[dict[str, Any]] = [
        _section(f"*{notice.key}* {text.slack(notice.title)}"),
        {"type": "section", "fields": [_mrkdwn(f"*{label}*\n{_ours(value)}")
                                       for label, value in fields]},
    ]
    blocks.extend(_section(line) for line in _detail_lines(notice))
    if notice.link:
        blocks.append({"type": "actions", "elements": [{
            "type": "button", "text": {"type": "plain_text", "text": f"Open {notice.key}"},
            "url": notice.link}]})
    fallback = f"{notice.key} {notice.event}: {text.plain(notice.title)} ({notice.state})"
    return {"text": fallback, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


def _detail_lines(notice: Notice) -> list[str]:
    details = notice.details
    lines = []
    if "passed" in details:
        lines.append("Verification " + ("passed" if details["passed"] else "*FAILED*"))
        lines.extend(f"{'✅' if c.get('passed') else '❌'} {text.slack(str(c.get('name')))}: "
                     f"{text.slack(str(c.get('detail', '')))}"
                     for c in details.get("checks", []))
    if details.get("reason"):
        lines.append("Reason: " + text.slack(str(details["reason"])))
    return lines


def _ours(value: str) -> str:
    """hotfix's own text (states, next steps): only what Slack requires escaped."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(body: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(body[:3000])}


def _mrkdwn(body: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": body, "verbatim": True}
