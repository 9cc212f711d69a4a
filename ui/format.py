"""How the console shows times: Asia/Ho_Chi_Minh, dd/mm/yyyy HH:MM."""

from __future__ import annotations

from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from soc.events import parse_ts

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TIME_FORMAT = "%d/%m/%Y %H:%M"
SECONDS_FORMAT = "%d/%m/%Y %H:%M:%S"  # evidence and audit rows, where seconds tell events apart


def local_time(value: str | datetime | None, seconds: bool = False) -> str:
    """A stored UTC timestamp as local time text; empty values show as '', unreadable ones as they are."""
    if value in (None, ""):
        return ""
    try:
        dt = parse_ts(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    return dt.astimezone(LOCAL_TZ).strftime(SECONDS_FORMAT if seconds else TIME_FORMAT)


def entity_text(entity: dict) -> str:
    """The grouping entity as one line, e.g. 'source.ip=1.2.3.4'."""
    return ", ".join(f"{k}={v}" for k, v in sorted(entity.items()))


def duration_text(seconds: float | None, tr: Callable[..., str]) -> str:
    """A span as its two largest units, e.g. '2 giờ 5 phút' / '2 h 5 min' (seconds only under a
    minute); '' when unknown."""
    if seconds is None:
        return ""
    left = int(max(0, round(seconds)))
    if left < 60:
        return tr("unit.seconds", n=left)
    parts = []
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if left >= size:
            parts.append(tr(f"unit.{unit}", n=left // size))
            left %= size
    return " ".join(parts[:2])
