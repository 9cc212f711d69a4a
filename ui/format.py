"""How the console shows times: Asia/Ho_Chi_Minh, dd/mm/yyyy HH:MM."""

from __future__ import annotations

from datetime import datetime
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
