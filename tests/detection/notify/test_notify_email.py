"""The e-mail notifier against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

from email import message_from_bytes
from email.header import decode_header, make_header
from email.policy import default

import pytest
from notifykit import audit, raise_incident

from detection.notify.base import Dispatch
from detection.notify.email import EmailNotifier

TO = ("soc-truc@stttt.example.gov.vn", "lanhdao@stttt.example.gov.vn")


def received(box, n: int = 0):
    env = box.envelopes[n]
    return env, message_from_bytes(env.content, policy=default)


def test_the_mail_reaches_every_recipient_in_vietnamese_then_english(smtp_server, sqlite_store):
    host, port, box = smtp_server
    [inc] = raise_incident(sqlite_store, "183.62.140.253", [0, 1, 2, 3, 4])
    EmailNotifier(host, "soc@stttt.example.gov.vn", TO, port=port, console_url="https://soc.example.gov.vn").send(
        inc, "created")
    env, msg = received(box)
    assert env.mail_from == "soc@stttt.example.gov.vn"
    assert env.rcpt_tos == list(TO)
    subject = str(make_header(decode_header(msg["Subject"])))
    vi, en = subject.split(" / ")
    assert vi.startswith("[CAO] Sự cố mới: SSH brute force from one address (source.ip=183.62.140.253), 5 sự kiện")
    assert en.startswith("[HIGH] New incident: SSH brute force from one address")
    assert msg["X-SOC-Incident"] == inc.id
    assert msg.get_content_type() == "text/plain" and not msg.is_multipart()  # never HTML
    body = msg.get_content()
    assert body.index("Mức độ: cao") < body.index("Severity: high")  # Vietnamese first
    # times in the data center's zone (UTC+7): 01:00:00Z is 08:00:00 local
    assert "Lần đầu: 2026-11-20 08:00:00 +07" in body and "First seen: 2026-11-20 08:00:00 +07" in body
    assert "Kỹ thuật ATT&CK: T1110.001" in body and "Số sự kiện: 5" in body
    assert f"Open in the console: https://soc.example.gov.vn/incident?id={inc.id}" in body


def test_a_hostile_entity_value_cannot_add_headers(smtp_server, sqlite_store):
    host, port, box = smtp_server
    [inc] = raise_incident(sqlite_store, "203.0.113.7", [0])
    inc.entity = {"user.name": "admin\r\nBcc: thief@evil.example\r\n\r\n<script>x</script>"}
    EmailNotifier(host, "soc@stttt.example.gov.vn", TO[:1], port=port).send(inc, "created")
    env, msg = received(box)
    assert env.rcpt_tos == [TO[0]]
    assert msg["Bcc"] is None
    assert msg.get_content_type() == "text/plain"
    assert "user.name=admin Bcc: thief@evil.example <script>x</script>" in msg.get_content()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_is_used_when_configured(sqlite_store):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult
    from notifykit import Mailbox, free_port

    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"mat-khau", handled=False)

    box = Mailbox()
    ctl = Controller(box, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                     auth_require_tls=False, auth_required=True, auth_exclude_mechanism=["LOGIN"], ready_timeout=10)
    ctl.start()
    try:
        [inc] = raise_incident(sqlite_store, "203.0.113.7", [0])
        EmailNotifier("127.0.0.1", "soc@x.example", TO, port=ctl.port, username="soc", password="mat-khau").send(
            inc, "reopened")
        notify = Dispatch(sqlite_store, [EmailNotifier("127.0.0.1", "soc@x.example", TO, port=ctl.port,
                                                       username="soc", password="wrong", timeout_seconds=5)],
                          attempts=2, backoff_seconds=0.01)
        notify([inc])
    finally:
        ctl.stop()
    assert logins == [(b"soc", b"mat-khau")] + [(b"soc", b"wrong")] * 2
    assert len(box.envelopes) == 1
    [(_, action, detail)] = audit(sqlite_store, inc.id)
    assert action == "notify.failed" and detail["notifier"] == "email" and "535" in detail["error"]


def test_webhook_and_mail_are_remembered_separately(smtp_server, webhook, closed_url, sqlite_store):
    from detection.notify.webhook import WebhookNotifier

    host, port, box = smtp_server
    mail = EmailNotifier(host, "soc@x.example", TO, port=port)
    [inc] = raise_incident(sqlite_store, "203.0.113.7", [0])
    Dispatch(sqlite_store, [WebhookNotifier(closed_url, timeout_seconds=2), mail], backoff_seconds=0.01)([inc])
    assert len(box.envelopes) == 1
    # the webhook comes back: only it is sent now, the mail is not repeated
    Dispatch(sqlite_store, [WebhookNotifier(webhook.url), mail], backoff_seconds=0.01)([inc])
    assert len(box.envelopes) == 1 and len(webhook.received) == 1
    actions = [(d["notifier"], a) for _, a, d in audit(sqlite_store, inc.id)]
    assert actions == [("webhook", "notify.failed"), ("email", "notify.sent"), ("webhook", "notify.sent")]
