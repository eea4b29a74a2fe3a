"""People's text is inert in every channel: no ping, no link, no formatting."""

from __future__ import annotations

import pytest

from hotfix.adapters.notify import slack, text
from hotfix.adapters.notify.mail import compose
from hotfix.ports.notify import Notice

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


# text from a bug report in every part of every channel's message: the title, a reason, a
# check's name and detail (``<!channel>``, ``@here``, Markdown, HTML, links)
REPORTED = ("<!channel> @here **bold** _it_ [link](http://evil.example) <b>html</b> "
            "<script>alert(1)</script> <https://evil.example|click>")
LIVE = ("<!channel>", "@here", "**bold**", "_it_", "](http", "http://", "https://evil",
        "evil.example", "<b>", "<script>", "<https://")


def hostile_notice() -> Notice:
    return Notice(id="HF-1.7.abcdef012345.oncall", event="rollback", key="HF-1", title=REPORTED,
                  state="deploying", severity="SEV1", next_step="hotfix status HF-1",
                  link="https://hotfix.example/hotfixes/HF-1", at="2026-05-01T12:00:00+00:00",
                  details={"reason": REPORTED, "passed": False, "checks": [
                      {"name": REPORTED, "kind": "bug", "passed": False, "detail": REPORTED}]})


def test_reported_text_is_inert_in_every_slack_text() -> None:
    message = slack.message(hostile_notice())
    texts = [message["text"]] + [b["text"]["text"] for b in message["blocks"] if "text" in b
                                 and b["type"] == "section"]
    texts += [f["text"] for b in message["blocks"] for f in b.get("fields", [])]
    assert len(texts) >= 5  # the fallback, the title, the verification, its check, the reason
    for part in texts:
        for live in LIVE:
            assert live not in part, (live, part)
    shown = [t.replace(text.ZWSP, "").replace("&lt;", "<").replace("&gt;", ">") for t in texts]
    assert f"Reason: {REPORTED}" in shown  # the words are all still there, to read


def test_reported_text_is_inert_in_every_part_of_a_mail() -> None:
    mail = compose(hostile_notice(), "hotfix@example.com", ["lead@example.com"])
    plain_part, html_part = (mail.get_body((kind,)) for kind in ("plain", "html"))
    assert plain_part is not None
    assert html_part is not None
    plain, page = plain_part.get_content(), html_part.get_content()
    body = plain.replace("https://hotfix.example/hotfixes/HF-1", "")
    for part in (str(mail["Subject"]), body, page.replace("https://hotfix.example", "")):
        for live in LIVE:
            assert live not in part, (live, part)
    assert plain.count("Reason: ") == 1
    assert "&lt;script" in page  # shown as text, not run
