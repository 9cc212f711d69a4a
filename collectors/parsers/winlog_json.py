"""Windows event log records as JSON: Winlogbeat documents, NXLog `to_json()`, and EVTX records
rendered by the `evtx` package (`{"Event": {"System": ..., "EventData": ...}}`).

All three become the same event: `winlog.event_id` (int), `winlog.channel`, `winlog.provider_name`,
`winlog.computer_name`, `winlog.record_id`, `winlog.event_data.<Name>` (every data field),
`winlog.user_data.*`, `event.code`, `host.name`, plus the ECS fields Sigma's Windows rules and
analysts use for the common ids (logons, account and group changes, services, tasks, log
clearing, PowerShell script blocks, Sysmon process/network/file/DNS events).
The mapping is `collectors.winlog_ecs`, shared with the .evtx reader, so a record gives the
same event whichever way it arrives.
"""

from __future__ import annotations

from typing import Any

from soc.errors import ParseError
from soc.events import Event, from_nested

from collectors.winlog_ecs import audit_outcome, winlog_to_ecs

from .base import ParseContext, Parser, iso_to_ts, register
from .suricata import load_json_object, relayed_json, unwrap_json

_DATASETS = {"security": "windows.security", "system": "windows.system", "application": "windows.application",
             "microsoft-windows-sysmon/operational": "windows.sysmon_operational",
             "microsoft-windows-powershell/operational": "windows.powershell_operational",
             "windows powershell": "windows.powershell"}
_NXLOG_SYSTEM = frozenset({"EventTime", "EventReceivedTime", "Hostname", "EventID", "SourceName", "ProviderGuid",
                           "Channel", "RecordNumber", "Message", "Severity", "SeverityValue", "EventType", "Keywords",
                           "Task", "Opcode", "Version", "ProcessID", "ThreadID", "SourceModuleName",
                           "SourceModuleType", "Category", "Domain", "AccountName", "UserID", "AccountType",
                           "ActivityID", "OpcodeValue"})
_ECS_SECTIONS = ("user", "source", "destination", "process", "file", "group", "service", "registry", "dns")


def _text(value: Any) -> Any:
    """evtx renders `<Data Name=..>` with attributes as {"#text": v}; keep the value."""
    if isinstance(value, dict) and "#text" in value:
        return value["#text"]
    return value


def _to_int(value: Any) -> int | None:
    value = _text(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        v = value.strip()
        if v.isdigit():
            return int(v)
        if v.lower().startswith("0x"):
            try:
                return int(v, 16)
            except ValueError:
                return None
    return None


def build_event(line: str, ts: str, event_id: int, channel: str, provider: str, computer: str,
                record_id: int | None, data: dict[str, Any], user_data: dict[str, Any] | None) -> Event:
    """The common event of all three shapes, mapped by the one Windows mapping the evtx reader uses too."""
    try:
        ev = winlog_to_ecs(channel, event_id, provider, computer, record_id,
                           {k: _text(v) for k, v in data.items()}, ts)
    except ValueError as exc:
        raise ParseError(f"Windows event: {exc}") from exc
    ev["log.original"] = line
    if user_data:
        ev.update(from_nested({k: v for k, v in user_data.items() if k != "#attributes"}, "winlog.user_data"))
        for key in ("SubjectUserName", "SubjectDomainName"):
            if isinstance(user_data.get(key), str):
                ev.setdefault("user.name" if key == "SubjectUserName" else "user.domain", user_data[key])
    return ev


class WinlogJsonParser(Parser):
    name = "winlog_json"
    dataset = "windows.security"
    aliases = ("winlogbeat", "nxlog", "evtx_json", "windows")
    priority = 10

    def _parse(self, line: str, ctx: ParseContext) -> Event | None:
        line = line.strip()
        if not line:
            return None
        doc = load_json_object(unwrap_json(line), "Windows event JSON")
        if isinstance(doc.get("Event"), dict):
            return self._evtx(line, doc["Event"], ctx)
        if isinstance(doc.get("winlog"), dict):
            return self._winlogbeat(line, doc, ctx)
        if "EventID" in doc and ("EventTime" in doc or "Channel" in doc):
            return self._nxlog(line, doc, ctx)
        raise ParseError("Windows event JSON: neither an EVTX record, a Winlogbeat nor an NXLog document")

    @staticmethod
    def _evtx(line: str, event: dict[str, Any], ctx: ParseContext) -> Event:
        system = event.get("System")
        if not isinstance(system, dict):
            raise ParseError("EVTX record without System")
        event_id = _to_int(system.get("EventID"))
        created = system.get("TimeCreated")
        stamp = created.get("#attributes", {}).get("SystemTime") if isinstance(created, dict) else None
        if event_id is None or not isinstance(stamp, str):
            raise ParseError("EVTX record without EventID or TimeCreated")
        provider = system.get("Provider")
        provider_name = provider.get("#attributes", {}).get("Name", "") if isinstance(provider, dict) else ""
        data = event.get("EventData")
        if isinstance(data, dict) and isinstance(data.get("Data"), list):  # unnamed <Data> elements
            data = {f"param{i + 1}": _text(v) for i, v in enumerate(data["Data"])}
        keywords = system.get("Keywords")
        user_data = event.get("UserData")
        if isinstance(user_data, dict) and len(user_data) == 1:
            user_data = next(iter(user_data.values()))
        ev = build_event(line, iso_to_ts(stamp, ctx), event_id, str(system.get("Channel") or ""), provider_name,
                         str(system.get("Computer") or ""), _to_int(system.get("EventRecordID")),
                         data if isinstance(data, dict) else {},
                         user_data if isinstance(user_data, dict) else None)
        if "event.outcome" not in ev:
            _fallbacks(ev, audit_outcome(keywords), None)
        return ev

    @staticmethod
    def _winlogbeat(line: str, doc: dict[str, Any], ctx: ParseContext) -> Event:
        w = doc["winlog"]
        event_id = _to_int(w.get("event_id"))
        meta = doc.get("event") if isinstance(doc.get("event"), dict) else {}
        if event_id is None:  # a processor dropped winlog.event_id; Winlogbeat 8 keeps event.code
            event_id = _to_int(meta.get("code"))
        stamp = doc.get("@timestamp")
        if event_id is None or not isinstance(stamp, str):
            raise ParseError("Winlogbeat document without winlog.event_id or @timestamp")
        ev = build_event(line, iso_to_ts(stamp, ctx), event_id, str(w.get("channel") or ""),
                         str(w.get("provider_name") or ""), str(w.get("computer_name") or ""),
                         _to_int(w.get("record_id")), w.get("event_data") or {}, w.get("user_data"))
        if isinstance(doc.get("message"), str):
            ev["message"] = doc["message"]
        if "event.outcome" not in ev or "event.action" not in ev:
            _fallbacks(ev, meta.get("outcome") or audit_outcome(w.get("keywords")), meta.get("action") or w.get("task"))
        for section in _ECS_SECTIONS:  # a document read back from Elasticsearch: its pipeline's ECS fields
            value = doc.get(section)
            if isinstance(value, dict):
                for key, item in from_nested(value, section).items():
                    ev.setdefault(key, item)
        return ev

    @staticmethod
    def _nxlog(line: str, doc: dict[str, Any], ctx: ParseContext) -> Event:
        event_id = _to_int(doc.get("EventID"))
        stamp = doc.get("EventTime")
        if event_id is None or not isinstance(stamp, str):
            raise ParseError("NXLog document without EventID or EventTime")
        data = {k: v for k, v in doc.items() if k not in _NXLOG_SYSTEM}
        ev = build_event(line, iso_to_ts(stamp, ctx), event_id, str(doc.get("Channel") or ""),
                         str(doc.get("SourceName") or ""), str(doc.get("Hostname") or ""),
                         _to_int(doc.get("RecordNumber")), data, None)
        if isinstance(doc.get("Message"), str):
            ev["message"] = doc["Message"]
        if "event.outcome" not in ev or "event.action" not in ev:
            _fallbacks(ev, audit_outcome(doc.get("EventType")) or audit_outcome(doc.get("Keywords")), doc.get("Category"))
        return ev

    def detects(self, line: str) -> bool:
        head = line.lstrip()[:600]
        if not head.startswith("{"):
            body = relayed_json(line.strip())
            if body is None:
                return False
            head = body[:600]
        return head.startswith("{") and ('"winlog"' in head or '"EventID"' in head or '"Event"' in head)


def _fallbacks(ev: Event, outcome: Any, action: Any) -> None:
    """For ids the mapping does not know: the outcome the record's audit keywords give, the task as action."""
    if "event.outcome" not in ev and outcome in ("success", "failure"):
        ev["event.outcome"] = outcome
    if "event.action" not in ev and isinstance(action, str) and action.strip():
        ev["event.action"] = "-".join(action.lower().split())


register(WinlogJsonParser())
