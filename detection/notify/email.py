"""Announce an incident by e-mail over SMTP: plain text only, Vietnamese first, then English.

Log content is untrusted, so the mail is never HTML; entity values are flattened to one line
(`detection.notify.text.clean`) so they cannot add headers. STARTTLS and login are optional.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from detection.notify.text import details, summary
from soc.incidents import Incident

log = logging.getLogger("soc.notify")


def message(
    incident: Incident, kind: str, sender: str, recipients: tuple[str, ...], tz: str = "Asia/Ho_Chi_Minh",
    console_url: str | None = None,
) -> EmailMessage:
    """The mail for one announcement: subject 'vi / en', body the Vietnamese part then the English one."""
    msg = EmailMessage()
    msg["Subject"] = f"{summary(incident, kind, 'vi')} / {summary(incident, kind, 'en')}"
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain="soc.local")
    msg["X-SOC-Incident"] = incident.id
    body = details(incident, kind, "vi", tz, console_url) + ["", "-" * 40, ""]
    body += details(incident, kind, "en", tz, console_url)
    msg.set_content("\n".join(body) + "\n", subtype="plain", charset="utf-8")
    return msg


@dataclass(frozen=True)
class EmailNotifier:
    host: str
    sender: str
    recipients: tuple[str, ...]
    port: int = 25
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout_seconds: float = 10.0
    tz: str = "Asia/Ho_Chi_Minh"
    console_url: str | None = None
    name: str = "email"

    def send(self, incident: Incident, kind: str) -> None:
        msg = message(incident, kind, self.sender, self.recipients, self.tz, self.console_url)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username and self.password:
                smtp.login(self.username, self.password)
            refused = smtp.send_message(msg, from_addr=self.sender, to_addrs=list(self.recipients))
        if refused:  # some recipients took it: sending again would double it for them
            log.warning("mail for %s refused for %s", incident.id, ", ".join(sorted(refused)))
