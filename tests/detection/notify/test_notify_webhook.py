"""The webhook notifier against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from notifykit import raise_incident

from detection.notify.base import NotifyError
from detection.notify.webhook import SIGNATURE_HEADER, WebhookNotifier, payload


def test_the_posted_json_carries_the_documented_fields(webhook, sqlite_store):
    [inc] = raise_incident(sqlite_store, "183.62.140.253", [0, 1, 2, 3])
    WebhookNotifier(webhook.url, console_url="https://soc.example.gov.vn/").send(inc, "created")
    [got] = webhook.received
    assert got.path == "/hooks/soc"
    assert got.headers["content-type"] == "application/json; charset=utf-8"
    assert got.headers["x-soc-event"] == "incident.created"
    body = got.json
    assert body["id"] == inc.id and body["id"].startswith("INC-")
    assert body["title"] == "SSH brute force from one address"
    assert (body["severity"], body["status"], body["kind"]) == ("high", "new", "created")
    assert body["entity"] == {"source.ip": "183.62.140.253"}
    assert (body["first_seen"], body["last_seen"]) == ("2026-11-20T01:00:00.000Z", "2026-11-20T01:00:03.000Z")
    assert body["evidence_count"] == 4
    assert body["attack_techniques"] == ["T1110.001"]
    assert body["url"] == f"https://soc.example.gov.vn/incident?id={inc.id}"
    assert body["summary_vi"].startswith("[CAO] Sự cố mới: SSH brute force from one address")
    assert "4 sự kiện" in body["summary_vi"] and "183.62.140.253" in body["summary_vi"]
    assert body["summary_en"].startswith("[HIGH] New incident: SSH brute force from one address")
    assert body["text"].splitlines() == [body["summary_vi"], body["summary_en"], body["url"]]
    assert SIGNATURE_HEADER.lower() not in got.headers  # no secret, no signature


def test_the_signature_is_the_hmac_of_the_exact_body(webhook, sqlite_store):
    [inc] = raise_incident(sqlite_store, "203.0.113.7", [0, 5])
    WebhookNotifier(webhook.url, secret="s3cret-chia-se").send(inc, "escalated")
    [got] = webhook.received
    expected = "sha256=" + hmac.new(b"s3cret-chia-se", got.body, hashlib.sha256).hexdigest()
    assert got.headers[SIGNATURE_HEADER.lower()] == expected
    forged = "sha256=" + hmac.new(b"wrong", got.body, hashlib.sha256).hexdigest()
    assert got.headers[SIGNATURE_HEADER.lower()] != forged
    assert got.json["event"] == "incident.escalated"


def test_no_console_link_without_a_console_address(sqlite_store):
    [inc] = raise_incident(sqlite_store, "203.0.113.7", [0])
    body = payload(inc, "reopened")
    assert body["url"] is None
    assert body["summary_en"].startswith("[HIGH] Incident reopened:")
    assert body["summary_vi"].startswith("[CAO] Sự cố mở lại:")


def test_log_content_in_the_entity_stays_text(sqlite_store):
    # an attacker-chosen user name reaches the entity: chat markup and line breaks must not pass
    [inc] = raise_incident(sqlite_store, "203.0.113.7", [0], rule_id="ssh_enum", title="SSH user enumeration")
    inc.entity = {"user.name": "<!channel> <https://evil.example|click>\nBcc: x@evil.example"}
    body = payload(inc, "created")
    assert "<" not in body["text"] and ">" not in body["text"]
    assert "&lt;!channel&gt;" in body["text"]
    assert len(body["text"].splitlines()) == 2  # vi + en, the newline in the value is flattened
    assert body["entity"]["user.name"].startswith("<!channel>")  # the JSON field keeps the value as it was


def test_an_error_status_and_a_closed_port_raise_with_the_reason(webhook, closed_url, sqlite_store):
    [inc] = raise_incident(sqlite_store, "203.0.113.7", [0])
    webhook.statuses.append(500)
    with pytest.raises(NotifyError, match="HTTP 500"):
        WebhookNotifier(webhook.url).send(inc, "created")
    with pytest.raises(NotifyError, match="unreachable.*refused"):
        WebhookNotifier(closed_url, timeout_seconds=2).send(inc, "created")
