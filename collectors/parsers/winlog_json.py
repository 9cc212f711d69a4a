"""Windows event log records as JSON: Winlogbeat documents, NXLog `to_json()`, and EVTX records
rendered by the `evtx` package (`{"Event": {"System": ..., "EventData": ...}}`).

All three become the same event: `winlog.event_id` (int), `winlog.channel`, `winlog.provider_name`,
`winlog.computer_name`, `winlog.record_id`, `winlog.event_data.<Name>` (every data field),
`winlog.user_data.*`, `event.code`, `host.name`, plus the ECS fields Sigma's Windows rules and
analysts use for the common ids (logons, account and group changes, services, tasks, log
clearing, PowerShell script blocks, Sysmon process/network/file/DNS events).
Datasets: windows.security, windows.system, windows.sysmon_operational,
windows.powershell_operational, windows.powershell, windows.<channel>.
"""

from __future__ import annotations

import re
from typing import Any

from soc.errors import ParseError
from soc.events import Event, from_nested

from .base import ParseContext, Parser, iso_to_ts, register
from .suricata import load_json_object

_DATASETS = {"security": "windows.security", "system": "windows.system", "application": "windows.application",
             "microsoft-windows-sysmon/operational": "windows.sysmon_operational",
             "microsoft-windows-powershell/operational": "windows.powershell_operational",
             "windows powershell": "windows.powershell"}
_NXLOG_SYSTEM = frozenset({"EventTime", "EventReceivedTime", "Hostname", "EventID", "SourceName", "ProviderGuid",
                           "Channel", "RecordNumber", "Message", "Severity", "SeverityValue", "EventType", "Keywords",
                           "Task", "Opcode", "Version", "ProcessID", "ThreadID", "SourceModuleName",
                           "SourceModuleType", "Category", "Domain", "AccountName", "UserID", "AccountType",
                           "ActivityID", "OpcodeValue"})
_SAFE_NAME = re.compile(r"[^a-z0-9_]+")

# event id -> (action, category, type, outcome); Winlogbeat's action names
_SECURITY = {
    4624: ("logged-in", "authentication", "start", "success"),
    4625: ("logon-failed", "authentication", "start", "failure"),
    4634: ("logged-out", "authentication", "end", "success"),
    4647: ("logged-out", "authentication", "end", "success"),
    4648: ("logged-in-explicit", "authentication", "start", "success"),
    4672: ("logged-in-special", "iam", "admin", "success"),
    4720: ("added-user-account", "iam", "creation", "success"),
    4722: ("enabled-user-account", "iam", "change", "success"),
    4724: ("reset-password", "iam", "change", "success"),
    4726: ("deleted-user-account", "iam", "deletion", "success"),
    4728: ("added-member-to-group", "iam", "change", "success"),
    4732: ("added-member-to-group", "iam", "change", "success"),
    4756: ("added-member-to-group", "iam", "change", "success"),
    4740: ("locked-out-user-account", "iam", "change", "success"),
    4768: ("kerberos-authentication-ticket-requested", "authentication", "start", None),
    4769: ("kerberos-service-ticket-requested", "authentication", "start", None),
    4771: ("kerberos-preauth-failed", "authentication", "start", "failure"),
    4776: ("credential-validated", "authentication", "start", None),
    4688: ("created-process", "process", "start", "success"),
    4698: ("scheduled-task-created", "configuration", "creation", "success"),
    4699: ("scheduled-task-deleted", "configuration", "deletion", "success"),
    1102: ("audit-log-cleared", "iam", "admin", "success"),
}
_SYSTEM = {7045: ("service-installed", "configuration", "creation", "success"),
           7036: ("service-state-changed", "process", "change", "success"),
           104: ("cleared-eventlog", "iam", "admin", "success")}
_SYSMON = {1: ("process-created", "process", "start"), 3: ("network-connection", "network", "connection"),
           8: ("create-remote-thread", "process", "change"), 10: ("process-access", "process", "access"),
           11: ("file-created", "file", "creation"), 13: ("registry-value-set", "configuration", "change"),
           22: ("dns-query", "network", "protocol")}
_POWERSHELL = {4103: ("execute-pipeline", "process", "info"), 4104: ("execute-script-block", "process", "info")}

# event_data name -> ECS field, applied whatever the id (values "-" and "" are skipped)
_DATA_ECS = {"TargetUserName": "user.name", "TargetDomainName": "user.domain", "IpAddress": "source.ip",
             "WorkstationName": "source.domain", "ServiceName": "service.name", "TaskName": "winlog.task_name",
             "ScriptBlockText": "powershell.file.script_block_text", "Image": "process.executable",
             "CommandLine": "process.command_line", "ParentImage": "process.parent.executable",
             "ParentCommandLine": "process.parent.command_line", "NewProcessName": "process.executable",
             "TargetFilename": "file.path", "QueryName": "dns.question.name", "SourceIp": "source.ip",
             "DestinationIp": "destination.ip", "DestinationHostname": "destination.domain",
             "TargetImage": "winlog.event_data.TargetImage", "LogonType": "winlog.logon.type",
             "TargetObject": "registry.path"}
_DATA_INT = {"IpPort": "source.port", "SourcePort": "source.port", "DestinationPort": "destination.port",
             "ProcessId": "process.pid", "NewProcessId": "process.pid", "ParentProcessId": "process.parent.pid"}


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


def _dataset(channel: str) -> str:
    key = channel.lower()
    return _DATASETS.get(key) or "windows." + _SAFE_NAME.sub("_", key).strip("_")


def build_event(line: str, ts: str, event_id: int, channel: str, provider: str, computer: str,
                record_id: int | None, data: dict[str, Any], user_data: dict[str, Any] | None) -> Event:
    """The common event of all three shapes."""
    ev: Event = {"@timestamp": ts, "log.original": line, "event.dataset": _dataset(channel), "event.kind": "event",
                 "event.code": str(event_id), "winlog.event_id": event_id, "winlog.channel": channel}
    if provider:
        ev["winlog.provider_name"] = provider
        ev["event.provider"] = provider
    if computer:
        ev["winlog.computer_name"] = computer
        ev["host.name"] = computer
    if record_id is not None:
        ev["winlog.record_id"] = record_id
    for name, value in data.items():
        value = _text(value)
        if value is None:
            continue
        if isinstance(value, (int, float, bool)):  # Winlogbeat keeps every data value as text
            value = str(value)
        ev[f"winlog.event_data.{name}"] = value
        if value in ("-", ""):
            continue
        ecs = _DATA_ECS.get(name)
        if ecs is not None:
            ev[ecs] = value if isinstance(value, str) else str(value)
        elif name in _DATA_INT:
            number = _to_int(value)
            if number is not None:
                ev[_DATA_INT[name]] = number
    if user_data:
        ev.update(from_nested({k: v for k, v in user_data.items() if k != "#attributes"}, "winlog.user_data"))
        for key in ("SubjectUserName", "SubjectDomainName"):
            if isinstance(user_data.get(key), str):
                ev.setdefault("user.name" if key == "SubjectUserName" else "user.domain", user_data[key])
    _classify(ev, event_id, channel.lower(), data)
    return ev


def _classify(ev: Event, event_id: int, channel: str, data: dict[str, Any]) -> None:
    spec: tuple | None = None
    if channel == "security":
        spec = _SECURITY.get(event_id)
    elif channel == "system":
        spec = _SYSTEM.get(event_id)
    elif channel == "microsoft-windows-sysmon/operational":
        s = _SYSMON.get(event_id)
        spec = (*s, None) if s else None
    elif "powershell" in channel:
        s = _POWERSHELL.get(event_id)
        spec = (*s, None) if s else None
    if spec is None:
        return
    action, category, etype, outcome = spec
    ev["event.action"] = action
    ev["event.category"] = [category]
    ev["event.type"] = [etype]
    if event_id == 4776:
        outcome = "success" if str(_text(data.get("Status", ""))).lower() in ("0x0", "0") else "failure"
    if outcome:
        ev["event.outcome"] = outcome
    if event_id in (4624, 4625, 4648) and ev.get("source.ip") in ("::1", "127.0.0.1"):
        ev["winlog.logon.local"] = True
    if channel == "microsoft-windows-sysmon/operational" and "User" in data:
        ev.setdefault("user.name", str(_text(data["User"])))


class WinlogJsonParser(Parser):
    name = "winlog_json"
    dataset = "windows.security"
    aliases = ("winlogbeat", "nxlog", "evtx_json", "windows")
    priority = 10

    def _parse(self, line: str, ctx: ParseContext) -> Event | None:
        line = line.strip()
        if not line:
            return None
        doc = load_json_object(line, "Windows event JSON")
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
        user_data = event.get("UserData")
        if isinstance(user_data, dict) and len(user_data) == 1:
            user_data = next(iter(user_data.values()))
        return build_event(line, iso_to_ts(stamp, ctx), event_id, str(system.get("Channel") or ""), provider_name,
                           str(system.get("Computer") or ""), _to_int(system.get("EventRecordID")),
                           data if isinstance(data, dict) else {},
                           user_data if isinstance(user_data, dict) else None)

    @staticmethod
    def _winlogbeat(line: str, doc: dict[str, Any], ctx: ParseContext) -> Event:
        w = doc["winlog"]
        event_id = _to_int(w.get("event_id"))
        stamp = doc.get("@timestamp")
        if event_id is None or not isinstance(stamp, str):
            raise ParseError("Winlogbeat document without winlog.event_id or @timestamp")
        ev = build_event(line, iso_to_ts(stamp, ctx), event_id, str(w.get("channel") or ""),
                         str(w.get("provider_name") or ""), str(w.get("computer_name") or ""),
                         _to_int(w.get("record_id")), w.get("event_data") or {}, w.get("user_data"))
        if isinstance(doc.get("message"), str):
            ev["message"] = doc["message"]
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
        return ev

    def detects(self, line: str) -> bool:
        head = line.lstrip()[:600]
        return head.startswith("{") and ('"winlog"' in head or '"EventID"' in head or '"Event"' in head)


register(WinlogJsonParser())
