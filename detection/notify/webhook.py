"""Announce an incident with a JSON POST to a webhook (chat bridge, ticketing, SOAR).

The body (documented in docs/notify.md) carries the incident's fields, a one-line summary in
Vietnamese and in English, and a `text` field that Slack and Microsoft Teams incoming webhooks
show as the message. With a shared secret, the header `X-SOC-Signature-256` is
`sha256=<hex HMAC-SHA256 of the exact body bytes>`, so the receiver can check who sent it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from detection.notify.base import NotifyError
from detection.notify.text import clean, incident_link, summary
from soc.incidents import Incident

SIGNATURE_HEADER = "X-SOC-Signature-256"
EVENT_HEADER = "X-SOC-Event"
USER_AGENT = "soc-notify/1"


def payload(incident: Incident, kind: str, console_url: str | None = None) -> dict[str, Any]:
    """The JSON document posted for one announcement."""
    vi, en = summary(incident, kind, "vi"), summary(incident, kind, "en")
    link = incident_link(console_url, incident.id)
    return {
        "event": f"incident.{kind}",
        "kind": kind,
        "id": incident.id,
        "title": incident.rule_title,
        "rule_id": incident.rule_id,
        "severity": incident.severity.value,
        "status": incident.status.value,
        "entity": incident.entity,
        "first_seen": incident.first_seen,
        "last_seen": incident.last_seen,
        "evidence_count": incident.evidence_count,
        "attack_techniques": list(incident.attack_techniques),
        "attack_tactics": list(incident.attack_tactics),
        "url": link,
        "summary_vi": vi,
        "summary_en": en,
        "text": _chat_text(vi, en, link),
    }


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the body with the shared secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _chat_text(vi: str, en: str, link: str | None) -> str:
    # chat apps read <, > and & as markup (Slack links, mentions): log content must stay text
    esc = [s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for s in (vi, en)]
    return "\n".join(esc + ([clean(link, 500)] if link else []))


@dataclass(frozen=True)
class WebhookNotifier:
    url: str
    secret: str | None = None
    console_url: str | None = None
    timeout_seconds: float = 10.0
    name: str = "webhook"

    def send(self, incident: Incident, kind: str) -> None:
        body = json.dumps(payload(incident, kind, self.console_url), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
                   EVENT_HEADER: f"incident.{kind}"}
        if self.secret:
            headers[SIGNATURE_HEADER] = signature(self.secret, body)
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:
                response.read(65536)
        except urllib.error.HTTPError as exc:
            raise NotifyError(f"webhook answered HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise NotifyError(f"webhook {self.url} unreachable: {reason}") from None
