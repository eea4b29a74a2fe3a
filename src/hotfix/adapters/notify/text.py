"""Text from a bug report, made inert for each channel: a title with ``<!channel>``,
``@here``, Markdown, HTML or a URL can neither ping, link nor format anything.

Zero-width spaces break what a channel would parse (``@here``, ``*bold*``, ``://``)
without changing what a reader sees."""

from __future__ import annotations

import html
import re

ZWSP = "\u200b"
_MENTION = re.compile(r"([@!#])(?=\w)")  # @here, @channel, @user; <!channel> after escaping
_FORMAT = re.compile(r"([*_~`>|\[\]()])")  # Slack mrkdwn and Markdown formatting characters
_SCHEME = re.compile(r":(?=//)")  # http://… autolinks in chat and mail clients
_DOT = re.compile(r"\.(?=[A-Za-z0-9])")  # example.com autolinks too


def slack(text: str) -> str:
    """For Slack ``mrkdwn``: ``&``, ``<`` and ``>`` escaped as Slack asks (so no ``<!here>``,
    ``<@U…>`` or ``<url|label>`` survives), mentions, formatting and links broken."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _inert(escaped)


def plain(text: str) -> str:
    """For plain text (a mail body, Slack's notification fallback): nothing links or pings."""
    return _inert(text)


def html_text(text: str) -> str:
    """For an HTML mail part: escaped, and nothing autolinks."""
    return html.escape(_inert(text), quote=True)


def header(text: str) -> str:
    """For a mail header: one line, so no header can be injected."""
    return " ".join(text.split())


def _inert(text: str) -> str:
    text = _FORMAT.sub(lambda m: ZWSP + m.group(1) + ZWSP, text)
    text = _MENTION.sub(lambda m: m.group(1) + ZWSP, text)
    text = _SCHEME.sub(":" + ZWSP, text)
    return _DOT.sub("." + ZWSP, text)
