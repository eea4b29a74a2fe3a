"""Email over SMTP (``smtplib``): a plain-text body and an HTML alternative, people's text
escaped for each and the subject kept to one line. STARTTLS and login are optional."""

from __future__ import annotations

import html
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from hotfix.adapters.notify import text
from hotfix.errors import DeliveryFailed
from hotfix.ports.notify import Notice


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    starttls: bool
    sender: str
    username: str = ""
    password: str = ""
    timeout: float = 10.0


class EmailNotifier:
    def __init__(self, name: str, smtp: Smtp, to: Sequence[str]) -> None:
        self.name = name
        self.smtp = smtp
        self.to = tuple(to)

    def send(self, notice: Notice) -> None:
        mail = compose(notice, self.smtp.sender, self.to)
        try:
            with smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=self.smtp.timeout) as s:
                if self.smtp.starttls:
                    s.starttls(context=ssl.create_default_context())
                if self.smtp.username:
                    s.login(self.smtp.username, self.smtp.password)
                s.send_message(mail)
        except smtplib.SMTPResponseException as exc:
            raise self._refused(exc.smtp_code, exc.smtp_error) from None
        except smtplib.SMTPNotSupportedError:
            raise DeliveryFailed(f"{self.name}: {self.smtp.host} does not offer STARTTLS",
                                 hint="set notify.smtp.starttls = false (a trusted network "
                                 "only), or name a server that offers it; then hotfix notify "
                                 "retry", permanent=True) from None
        except smtplib.SMTPRecipientsRefused as exc:
            code, why = next(iter(exc.recipients.values()))
            raise self._refused(code, why) from None
        except (OSError, smtplib.SMTPException) as exc:  # refused, unreachable, timed out
            where = f"{self.smtp.host}:{self.smtp.port}"
            kind = ("timed out" if isinstance(exc, TimeoutError)
                    else str(exc) or type(exc).__name__)
            raise DeliveryFailed(f"{self.name}: SMTP {where}: {kind}",
                                 hint="retried later") from None

    def _refused(self, code: int, why: bytes | str) -> DeliveryFailed:
        reason = why.decode(errors="replace") if isinstance(why, bytes) else why
        permanent = 500 <= code < 600
        return DeliveryFailed(f"{self.name}: the SMTP server refused: {code} {reason}",
                              hint="check notify.smtp.* and the channel's addresses, then "
                              "hotfix notify retry" if permanent else "retried later",
                              permanent=permanent)


def compose(notice: Notice, sender: str, to: Sequence[str]) -> EmailMessage:
    mail = EmailMessage()
    severity = f"[{notice.severity}] " if notice.severity else ""
    mail["Subject"] = text.header(f"{severity}{notice.key} {notice.event}: "
                                  f"{text.plain(notice.title)}")
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail["Message-ID"] = f"<{notice.id.replace('@', '.')}@hotfix>"
    lines = _lines(notice)
    mail.set_content("\n".join(text.plain(v) if user else v for v, user in lines) + "\n")
    mail.add_alternative("<html><body>" + "".join(
        f"<p>{text.html_text(v) if user else _html_fixed(v)}</p>" for v, user in lines)
        + "</body></html>", subtype="html")
    return mail


def _lines(notice: Notice) -> list[tuple[str, bool]]:
    """(line, whether it holds text people wrote) of the body."""
    out = [(f"{notice.key}: {notice.title}", True),
           (f"Severity: {notice.severity or 'not triaged'} · State: {notice.state} · "
            f"Event: {notice.event}", False),
           (f"Next step: {notice.next_step or 'none'}", False)]
    details = notice.details
    if "passed" in details:
        out.append((f"Verification {'passed' if details['passed'] else 'FAILED'}", False))
        out.extend((f"{'PASS' if c.get('passed') else 'FAIL'} {c.get('name')}: "
                    f"{c.get('detail', '')}", True) for c in details.get("checks", []))
    if details.get("reason"):
        out.append((f"Reason: {details['reason']}", True))
    if notice.link:
        out.append((f"Open it: {notice.link}", False))
    return out


def _html_fixed(line: str) -> str:
    return html.escape(line, quote=True)
