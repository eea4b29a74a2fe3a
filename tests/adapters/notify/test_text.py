"""People's text is inert in every channel: no ping, no link, no formatting."""

from __future__ import annotations

import pytest

from hotfix.adapters.notify import text

HOSTILE = ("<!channel> @here <@U123|boss> *bold* _it_ ~x~ `code` "
           "<https://evil.example|click> [link](http://evil.example) <b>html</b> #general")


def test_slack_text_neither_pings_links_nor_formats() -> None:
    out = text.slack(HOSTILE)
    for live in ("<!channel>", "<@U123", "<https://", "@here", "*bold*", "_it_", "`code`",
                 "](http", "http://", "evil.example", "<b>", "#general"):
        assert live not in out, live
    assert "&lt;!" in out
    assert "&gt;" in out
    assert out.replace(text.ZWSP, "").replace("&lt;", "<").replace("&gt;", ">") == HOSTILE


@pytest.mark.parametrize("escape", [text.plain, text.html_text])
def test_mail_text_neither_links_nor_pings(escape: object) -> None:
    assert callable(escape)
    out = escape(HOSTILE)
    for live in ("http://", "https://", "evil.example", "@here", "*bold*"):
        assert live not in out, live


def test_html_part_has_no_markup_of_the_reporter() -> None:
    out = text.html_text('<img src=x onerror="alert(1)"> & <b>')
    assert "<" not in out
    assert ">" not in out
    assert '"' not in out


def test_a_header_is_one_line() -> None:
    assert text.header("Bug\r\nBcc: everyone@example.com") == "Bug Bcc: everyone@example.com"
