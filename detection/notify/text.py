"""The words of an announcement, in Vietnamese and English. Pure: no I/O.

Entity values come from logs and are untrusted: they are flattened to one line of printable
text and shortened here, so no notifier can be made to break a header or forge a line.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from soc.events import parse_ts
from soc.incidents import Incident

SEVERITY = {
    "vi": {"informational": "thông tin", "low": "thấp", "medium": "trung bình", "high": "cao",
           "critical": "nghiêm trọng"},
    "en": {"informational": "informational", "low": "low", "medium": "medium", "high": "high",
           "critical": "critical"},
}
KIND = {
    "vi": {"created": "Sự cố mới", "reopened": "Sự cố mở lại", "escalated": "Sự cố tăng mức độ"},
    "en": {"created": "New incident", "reopened": "Incident reopened", "escalated": "Incident escalated"},
}
LABELS = {
    "vi": {"severity": "Mức độ", "status": "Trạng thái", "entity": "Đối tượng", "first": "Lần đầu",
           "last": "Lần cuối", "evidence": "Số sự kiện", "attack": "Kỹ thuật ATT&CK", "link": "Xem trên console",
           "rule": "Luật", "events": "sự kiện"},
    "en": {"severity": "Severity", "status": "Status", "entity": "Entity", "first": "First seen",
           "last": "Last seen", "evidence": "Events", "attack": "ATT&CK techniques", "link": "Open in the console",
           "rule": "Rule", "events": "events"},
}
STATUS = {
    "vi": {"new": "mới", "in_progress": "đang xử lý", "resolved": "đã xử lý", "false_positive": "cảnh báo nhầm"},
    "en": {"new": "new", "in_progress": "in progress", "resolved": "resolved", "false_positive": "false positive"},
}
_MAX = 200


def clean(value: Any, limit: int = _MAX) -> str:
    """One line of printable text, at most `limit` characters."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(value))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def entity_text(incident: Incident) -> str:
    return clean(", ".join(f"{k}={v}" for k, v in sorted(incident.entity.items())) or "-")


def local_time(ts: str, tz: str) -> str:
    """An ISO UTC timestamp as local wall time, e.g. '2026-11-20 08:00:00 +07'."""
    try:
        t: datetime = parse_ts(ts).astimezone(ZoneInfo(tz))
    except (ValueError, KeyError):
        return clean(ts)
    return t.strftime("%Y-%m-%d %H:%M:%S ") + t.strftime("%z")[:3]


def incident_link(console_url: str | None, incident_id: str) -> str | None:
    """The incident's page in the console (`/incident?id=`), when the console's address is known."""
    if not console_url:
        return None
    return f"{console_url.rstrip('/')}/incident?id={quote(incident_id)}"


def summary(incident: Incident, kind: str, lang: str) -> str:
    """One line: '[CAO] Sự cố mới: <rule title> (source.ip=1.2.3.4), 867 sự kiện [INC-...]'."""
    sev = SEVERITY[lang][incident.severity.value].upper()
    return (f"[{sev}] {KIND[lang][kind]}: {clean(incident.rule_title, 120)} ({entity_text(incident)}), "
            f"{incident.evidence_count} {LABELS[lang]['events']} [{incident.id}]")


def details(incident: Incident, kind: str, lang: str, tz: str, console_url: str | None) -> list[str]:
    """The lines of a plain-text message in one language."""
    words = LABELS[lang]
    lines = [
        summary(incident, kind, lang),
        "",
        f"{words['rule']}: {clean(incident.rule_title, 300)}",
        f"{words['severity']}: {SEVERITY[lang][incident.severity.value]}",
        f"{words['status']}: {STATUS[lang].get(incident.status.value, incident.status.value)}",
        f"{words['entity']}: {entity_text(incident)}",
        f"{words['first']}: {local_time(incident.first_seen, tz)}",
        f"{words['last']}: {local_time(incident.last_seen, tz)}",
        f"{words['evidence']}: {incident.evidence_count}",
    ]
    if incident.attack_techniques:
        lines.append(f"{words['attack']}: {clean(', '.join(incident.attack_techniques))}")
    link = incident_link(console_url, incident.id)
    if link:
        lines.append(f"{words['link']}: {link}")
    return lines
