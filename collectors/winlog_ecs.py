"""Windows event fields -> one flat ECS event, shared by the .evtx reader and the Winlogbeat/NXLog JSON parser.

`winlog_to_ecs` takes what every Windows record carries (channel, EventID, provider, computer,
record id, the named EventData/UserData fields, SystemTime) and returns the flat event:
`winlog.*` as Winlogbeat names it (`winlog.event_data.<Name>` keeps the Windows field names,
values as strings) plus the ECS fields Winlogbeat's modules derive (user, source, process,
service, PowerShell script block) and `event.action/category/type/outcome` per event id.
Detection rules can then use either the Sigma Windows field names (through `winlog.event_data`)
or ECS names. The caller adds provenance (`log.original`, `log.file.path`, `event.id`).
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from functools import lru_cache
from typing import Any, Mapping

from soc.events import Event, format_ts, parse_ts

_DATASETS = {
    "security": "windows.security",
    "system": "windows.system",
    "microsoft-windows-powershell/operational": "windows.powershell",
    "windows powershell": "windows.powershell",
    "microsoft-windows-sysmon/operational": "windows.sysmon",
}

_SYSMON_CHANNEL = "microsoft-windows-sysmon/operational"
_POWERSHELL_DATASET = "windows.powershell"

# (dataset, event id) -> (event.action, event.category, event.type, event.outcome or None, message)
_Meta = tuple[str, list[str], list[str], "str | None", str]
_EVENTS: dict[tuple[str, int], _Meta] = {
    ("windows.security", 1102): ("audit-log-cleared", ["iam"], ["admin", "change"], "success",
                                 "The audit log was cleared"),
    ("windows.security", 4624): ("logged-in", ["authentication"], ["start"], "success",
                                 "An account was successfully logged on"),
    ("windows.security", 4625): ("logon-failed", ["authentication"], ["start"], "failure",
                                 "An account failed to log on"),
    ("windows.security", 4634): ("logged-out", ["authentication"], ["end"], "success", "An account was logged off"),
    ("windows.security", 4647): ("logged-out", ["authentication"], ["end"], "success",
                                 "User initiated logoff"),
    ("windows.security", 4648): ("logged-in-explicit", ["authentication"], ["start"], "success",
                                 "A logon was attempted using explicit credentials"),
    ("windows.security", 4672): ("logged-in-special", ["iam"], ["admin"], "success",
                                 "Special privileges assigned to new logon"),
    ("windows.security", 4673): ("privileged-service-called", ["iam"], ["admin"], None,
                                 "A privileged service was called"),
    ("windows.security", 4688): ("created-process", ["process"], ["start"], "success",
                                 "A new process has been created"),
    ("windows.security", 4689): ("exited-process", ["process"], ["end"], "success", "A process has exited"),
    ("windows.security", 4697): ("service-installed", ["configuration"], ["creation"], "success",
                                 "A service was installed in the system"),
    ("windows.security", 4698): ("scheduled-task-created", ["configuration"], ["creation"], "success",
                                 "A scheduled task was created"),
    ("windows.security", 4699): ("scheduled-task-deleted", ["configuration"], ["deletion"], "success",
                                 "A scheduled task was deleted"),
    ("windows.security", 4702): ("scheduled-task-updated", ["configuration"], ["change"], "success",
                                 "A scheduled task was updated"),
    ("windows.security", 4717): ("system-security-access-granted", ["iam"], ["admin", "change"], "success",
                                 "System security access was granted to an account"),
    ("windows.security", 4718): ("system-security-access-removed", ["iam"], ["admin", "deletion"], "success",
                                 "System security access was removed from an account"),
    ("windows.security", 4720): ("user-account-created", ["iam"], ["user", "creation"], "success",
                                 "A user account was created"),
    ("windows.security", 4722): ("user-account-enabled", ["iam"], ["user", "change"], "success",
                                 "A user account was enabled"),
    ("windows.security", 4723): ("password-change-attempted", ["iam"], ["user", "change"], None,
                                 "An attempt was made to change an account's password"),
    ("windows.security", 4724): ("password-reset-attempted", ["iam"], ["user", "change"], None,
                                 "An attempt was made to reset an account's password"),
    ("windows.security", 4725): ("user-account-disabled", ["iam"], ["user", "change"], "success",
                                 "A user account was disabled"),
    ("windows.security", 4726): ("user-account-deleted", ["iam"], ["user", "deletion"], "success",
                                 "A user account was deleted"),
    ("windows.security", 4728): ("added-member-to-group", ["iam"], ["group", "change"], "success",
                                 "A member was added to a security-enabled global group"),
    ("windows.security", 4729): ("removed-member-from-group", ["iam"], ["group", "change"], "success",
                                 "A member was removed from a security-enabled global group"),
    ("windows.security", 4732): ("added-member-to-group", ["iam"], ["group", "change"], "success",
                                 "A member was added to a security-enabled local group"),
    ("windows.security", 4733): ("removed-member-from-group", ["iam"], ["group", "change"], "success",
                                 "A member was removed from a security-enabled local group"),
    ("windows.security", 4738): ("user-account-changed", ["iam"], ["user", "change"], "success",
                                 "A user account was changed"),
    ("windows.security", 4740): ("user-account-locked-out", ["iam"], ["user", "change"], "success",
                                 "A user account was locked out"),
    ("windows.security", 4756): ("added-member-to-group", ["iam"], ["group", "change"], "success",
                                 "A member was added to a security-enabled universal group"),
    ("windows.security", 4768): ("kerberos-authentication-ticket-requested", ["authentication"], ["start"], None,
                                 "A Kerberos authentication ticket (TGT) was requested"),
    ("windows.security", 4769): ("kerberos-service-ticket-requested", ["authentication"], ["start"], None,
                                 "A Kerberos service ticket was requested"),
    ("windows.security", 4771): ("kerberos-preauth-failed", ["authentication"], ["start"], "failure",
                                 "Kerberos pre-authentication failed"),
    ("windows.security", 4776): ("credential-validated", ["authentication"], ["start"], None,
                                 "The computer attempted to validate the credentials for an account"),
    ("windows.security", 5140): ("network-share-object-accessed", ["network", "file"], ["access"], "success",
                                 "A network share object was accessed"),
    ("windows.security", 5145): ("network-share-object-access-checked", ["network", "file"], ["access"], None,
                                 "A network share object was checked to see whether client can be granted desired access"),
    ("windows.security", 5152): ("network-packet-dropped", ["network"], ["connection", "denied"], "failure",
                                 "The Windows Filtering Platform blocked a packet"),
    ("windows.security", 5156): ("network-connection-allowed", ["network"], ["connection", "allowed"], "success",
                                 "The Windows Filtering Platform has permitted a connection"),
    ("windows.security", 5157): ("network-connection-blocked", ["network"], ["connection", "denied"], "failure",
                                 "The Windows Filtering Platform has blocked a connection"),
    ("windows.system", 104): ("audit-log-cleared", ["iam"], ["admin", "change"], "success",
                              "The event log was cleared"),
    ("windows.system", 7036): ("service-state-changed", ["process"], ["change"], "success",
                               "A service entered a new state"),
    ("windows.system", 7040): ("service-start-type-changed", ["configuration"], ["change"], "success",
                               "The start type of a service was changed"),
    ("windows.system", 7045): ("service-installed", ["configuration"], ["creation"], "success",
                               "A service was installed in the system"),
    ("windows.powershell", 4103): ("execute-pipeline", ["process"], ["info"], None, "PowerShell module logging"),
    ("windows.powershell", 4104): ("execute-script-block", ["process"], ["info"], None,
                                   "PowerShell script block logging"),
    ("windows.sysmon", 1): ("process-created", ["process"], ["start"], "success", "Process Create"),
    ("windows.sysmon", 2): ("file-creation-time-changed", ["file"], ["change"], "success",
                            "File creation time changed"),
    ("windows.sysmon", 3): ("network-connection", ["network"], ["connection", "start"], "success",
                            "Network connection detected"),
    ("windows.sysmon", 5): ("process-terminated", ["process"], ["end"], "success", "Process terminated"),
    ("windows.sysmon", 6): ("driver-loaded", ["driver"], ["start"], "success", "Driver loaded"),
    ("windows.sysmon", 7): ("image-loaded", ["process"], ["change"], "success", "Image loaded"),
    ("windows.sysmon", 8): ("create-remote-thread", ["process"], ["change"], "success", "CreateRemoteThread detected"),
    ("windows.sysmon", 10): ("process-accessed", ["process"], ["access"], "success", "Process accessed"),
    ("windows.sysmon", 11): ("file-created", ["file"], ["creation"], "success", "File created"),
    ("windows.sysmon", 12): ("registry-object-added-or-deleted", ["registry"], ["change"], "success",
                             "Registry object added or deleted"),
    ("windows.sysmon", 13): ("registry-value-set", ["registry"], ["change"], "success", "Registry value set"),
    ("windows.sysmon", 22): ("dns-query", ["network"], ["protocol", "info"], None, "DNS query"),
    ("windows.sysmon", 23): ("file-deleted", ["file"], ["deletion"], "success", "File delete archived"),
    ("windows.sysmon", 27): ("file-block-executable", ["file"], ["denied"], "failure", "File block executable"),
}

# Where Winlogbeat takes user.name from TargetUserName: the account that logs on.
_TARGET_USER_EVENTS = {4624, 4625, 4634, 4647, 4648, 4768, 4769, 4771, 4776}
_KERBEROS_EVENTS = {4768, 4769, 4771}
_WFP_EVENTS = {5152, 5156, 5157}
# System/Keywords bits of the Security log: audit success / audit failure.
_AUDIT_SUCCESS, _AUDIT_FAILURE = 0x0020000000000000, 0x0010000000000000
_USER_ACCOUNT_EVENTS = {4720, 4722, 4723, 4724, 4725, 4726, 4738, 4740}
_GROUP_EVENTS = {4728, 4729, 4732, 4733, 4756}
_LOGON_TYPES = {
    "2": "Interactive", "3": "Network", "4": "Batch", "5": "Service", "7": "Unlock",
    "8": "NetworkCleartext", "9": "NewCredentials", "10": "RemoteInteractive", "11": "CachedInteractive",
}
_FAST_TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.(\d+))?Z\Z")
_EMPTY = ("", "-")
_CONTEXT_USER = re.compile(r"^[ \t]*User = ([^\r\n]+?)[ \t]*\r?$", re.M)
_CONTEXT_COMMAND = re.compile(r"^[ \t]*Command Name = ([^\r\n]+?)[ \t]*\r?$", re.M)
_DATA_KEYS: dict[str, str] = {}  # EventData name -> flat key, built once per name
_IP_CACHE: dict[str, str | None] = {}  # the same few addresses repeat across a brute force


@lru_cache(maxsize=256)
def dataset_for(channel: str) -> str:
    """`event.dataset` of a channel: windows.security/system/powershell/sysmon, else windows.<channel>."""
    key = channel.lower()
    known = _DATASETS.get(key)
    if known:
        return known
    return "windows." + (re.sub(r"[^a-z0-9]+", "_", key).strip("_") or "unknown")


def winlog_to_ecs(
    channel: str,
    event_id: int,
    provider: str,
    computer: str,
    record_id: int | None,
    event_data: Mapping[str, Any],
    system_time: str | datetime,
) -> Event:
    """One Windows record -> a flat ECS event (see the module doc). `event_data` values may be any JSON type."""
    dataset = dataset_for(channel)
    data: dict[str, str] = {}
    for name, value in event_data.items():
        if value is not None:
            data[name] = value if type(value) is str else _text(value)
    ev: Event = {
        "@timestamp": _timestamp(system_time),
        "event.kind": "event",
        "event.dataset": dataset,
        "event.module": "windows",
        "event.code": str(event_id),
        "event.provider": provider,
        "winlog.event_id": event_id,
        "winlog.channel": channel,
        "winlog.provider_name": provider,
        "winlog.computer_name": computer,
        "host.name": computer,
    }
    if record_id is not None:
        ev["winlog.record_id"] = record_id
    keys = _DATA_KEYS
    for name, value in data.items():
        key = keys.get(name)
        if key is None:
            key = "winlog.event_data." + name
            if len(keys) < 10_000:
                keys[name] = key
        ev[key] = value
    meta = _EVENTS.get((dataset, event_id))
    if meta:
        action, category, etype, outcome, message = meta
        ev["event.action"] = action
        ev["event.category"] = list(category)
        ev["event.type"] = list(etype)
        if outcome:
            ev["event.outcome"] = outcome
        ev["message"] = message
    if dataset == "windows.sysmon":
        _sysmon(ev, event_id, data)
    elif dataset == _POWERSHELL_DATASET:
        _powershell(ev, event_id, data)
    else:
        _windows(ev, dataset, event_id, data)
    return ev


def _windows(ev: Event, dataset: str, eid: int, d: dict[str, str]) -> None:
    """Security and System events (and any other channel using the same field names)."""
    if eid in _KERBEROS_EVENTS and "@" in (d.get("TargetUserName") or ""):
        name, _, realm = d["TargetUserName"].partition("@")  # 4769 names the account as user@REALM
        _user(ev, "user", name, d.get("TargetDomainName") or realm)
    elif eid in _TARGET_USER_EVENTS:
        _user(ev, "user", d.get("TargetUserName"), d.get("TargetDomainName"))
        if eid == 4648:
            _user(ev, "user.effective", d.get("SubjectUserName"), d.get("SubjectDomainName"))
    else:
        _user(ev, "user", d.get("SubjectUserName"), d.get("SubjectDomainName"))
        if eid in _USER_ACCOUNT_EVENTS:
            _user(ev, "user.target", d.get("TargetUserName"), d.get("TargetDomainName"))
        elif eid in _GROUP_EVENTS:
            _user(ev, "group", d.get("TargetUserName"), d.get("TargetDomainName"))
            _set(ev, "user.target.name", d.get("MemberName"))
            _set(ev, "user.target.id", d.get("MemberSid"))
    if eid == 4648:  # its network address is the server the credentials were used against
        _destination(ev, d.get("IpAddress"), d.get("IpPort"))
    elif eid in _WFP_EVENTS:
        _wfp(ev, d)
    else:
        _source(ev, d.get("IpAddress"), d.get("IpPort"))
    _set(ev, "source.domain", d.get("WorkstationName") or d.get("Workstation"))
    logon_type = d.get("LogonType")
    if logon_type and logon_type in _LOGON_TYPES:
        ev["winlog.logon.type"] = _LOGON_TYPES[logon_type]
    if eid in (4771, 4776, 4768, 4769) and "Status" in d:
        ev["event.outcome"] = "success" if d["Status"] in ("0x0", "0") else "failure"
    if eid == 4688:
        _process(ev, "process", d.get("NewProcessName"), d.get("CommandLine"), _hex_int(d.get("NewProcessId")))
        _process(ev, "process.parent", d.get("ParentProcessName"), None, _hex_int(d.get("ProcessId")))
    elif "ProcessName" in d:
        _process(ev, "process", d.get("ProcessName"), None, _hex_int(d.get("ProcessId")))
    if eid in (7045, 4697) or (dataset == "windows.system" and eid == 7036):
        _set(ev, "service.name", d.get("ServiceName") or d.get("param1"))
    if eid in (4698, 4699, 4702):
        _set(ev, "winlog.task_name", d.get("TaskName"))


def _wfp(ev: Event, d: dict[str, str]) -> None:
    """Windows Filtering Platform events: the addresses are as the packet had them."""
    _source(ev, d.get("SourceAddress"), d.get("SourcePort"))
    _destination(ev, d.get("DestAddress"), d.get("DestPort"))
    transport = _IANA.get(d.get("Protocol") or "")
    if transport:
        ev["network.transport"] = transport
    direction = d.get("Direction")
    if direction in ("%%14592", "Inbound"):
        ev["network.direction"] = "ingress"
    elif direction in ("%%14593", "Outbound"):
        ev["network.direction"] = "egress"
    application = d.get("Application")
    if application and application not in _EMPTY:
        ev["process.executable"] = application
        ev["process.name"] = application.rsplit("\\", 1)[-1]


_IANA = {"1": "icmp", "6": "tcp", "17": "udp", "58": "ipv6-icmp"}


def audit_outcome(keywords: Any) -> str | None:
    """event.outcome from a record's Keywords: the hex mask (`0x8020000000000000`), an int, or their names."""
    if isinstance(keywords, list):
        names = {str(k).lower() for k in keywords}
        if "audit success" in names:
            return "success"
        return "failure" if "audit failure" in names else None
    if isinstance(keywords, str):
        low = keywords.strip().lower()
        if low in ("audit success", "audit_success"):
            return "success"
        if low in ("audit failure", "audit_failure"):
            return "failure"
        try:
            keywords = int(low, 16) if low.startswith("0x") else int(low)
        except ValueError:
            return None
    if isinstance(keywords, int) and not isinstance(keywords, bool):
        mask = keywords & 0xFFFFFFFFFFFFFFFF  # NXLog writes the mask as a signed 64-bit number
        if mask & _AUDIT_SUCCESS:
            return "success"
        if mask & _AUDIT_FAILURE:
            return "failure"
    return None


def _sysmon(ev: Event, eid: int, d: dict[str, str]) -> None:
    user = d.get("User") or d.get("SourceUser")
    if user and "\\" in user:
        domain, _, name = user.partition("\\")
        _user(ev, "user", name, domain)
    else:
        _set(ev, "user.name", user)
    if eid in (8, 10):
        _process(ev, "process", d.get("SourceImage"), None, _int(d.get("SourceProcessId")))
        _set(ev, "process.entity_id", d.get("SourceProcessGUID") or d.get("SourceProcessGuid"))
    else:
        _process(ev, "process", d.get("Image"), d.get("CommandLine"), _int(d.get("ProcessId")))
        _set(ev, "process.entity_id", d.get("ProcessGuid"))
        _process(ev, "process.parent", d.get("ParentImage"), d.get("ParentCommandLine"),
                 _int(d.get("ParentProcessId")))
    _hashes(ev, "file" if eid in (11, 23, 27) else "process", d.get("Hashes"))
    if eid == 3:
        _source(ev, d.get("SourceIp"), d.get("SourcePort"))
        _destination(ev, d.get("DestinationIp"), d.get("DestinationPort"))
        _set(ev, "network.transport", (d.get("Protocol") or "").lower())
        initiated = d.get("Initiated")
        if initiated:
            ev["network.direction"] = "egress" if initiated == "true" else "ingress"
    elif eid == 22:
        _sysmon_dns(ev, d)
    elif eid in (2, 11, 23, 27):
        _set(ev, "file.path", d.get("TargetFilename"))
    elif eid in (12, 13, 14):
        _set(ev, "registry.path", d.get("TargetObject"))
        _set(ev, "registry.data.strings", d.get("Details"))


def _sysmon_dns(ev: Event, d: dict[str, str]) -> None:
    """QueryStatus is a Win32 status (0 = answered); QueryResults `type:  5 cname;::ffff:1.2.3.4;...`."""
    _set(ev, "dns.question.name", d.get("QueryName"))
    status = d.get("QueryStatus")
    if status:
        ev["event.outcome"] = "success" if status == "0" else "failure"
    answers, resolved = [], []
    for part in (d.get("QueryResults") or "").split(";"):
        part = part.strip()
        if not part or part == "-":
            continue
        if part.startswith("type:"):
            part = part.split()[-1]
        answers.append(part)
        addr = _ip(part)
        if addr:
            resolved.append(addr)
    if answers:
        ev["dns.answers.data"] = answers
    if resolved:
        ev["dns.resolved_ip"] = resolved


def _powershell(ev: Event, eid: int, d: dict[str, str]) -> None:
    if eid == 4104:
        text = d.get("ScriptBlockText")
        if text:
            ev["powershell.file.script_block_text"] = text
            ev["message"] = text
        _set(ev, "powershell.file.script_block_id", d.get("ScriptBlockId"))
        _set(ev, "file.path", d.get("Path"))
        number, total = _int(d.get("MessageNumber")), _int(d.get("MessageTotal"))
        if number is not None and total is not None:
            ev["powershell.sequence"] = number
            ev["powershell.total"] = total
    elif eid == 4103:
        payload = d.get("Payload")
        if payload:
            ev["message"] = payload
        context = d.get("ContextInfo") or ""
        user = _CONTEXT_USER.search(context)
        if user:
            domain, _, name = user.group(1).rpartition("\\")
            _user(ev, "user", name, domain or None)
        command = _CONTEXT_COMMAND.search(context)
        if command:
            ev["powershell.command.name"] = command.group(1)


def _user(ev: Event, prefix: str, name: str | None, domain: str | None) -> None:
    if name and name not in _EMPTY:
        ev[prefix + ".name"] = name
        if domain and domain not in _EMPTY:
            ev[prefix + ".domain"] = domain


def _process(ev: Event, prefix: str, executable: str | None, command_line: str | None, pid: int | None) -> None:
    if executable and executable not in _EMPTY:
        ev[prefix + ".executable"] = executable
        ev[prefix + ".name"] = executable.replace("/", "\\").rsplit("\\", 1)[-1]
    if command_line:
        ev[prefix + ".command_line"] = command_line
    if pid:  # 0 is Windows' "no process"
        ev[prefix + ".pid"] = pid


def _hashes(ev: Event, prefix: str, hashes: str | None) -> None:
    """Sysmon `MD5=..,SHA256=..,IMPHASH=..` -> <prefix>.hash.md5 / .sha256, pe.imphash."""
    if not hashes:
        return
    for part in hashes.split(","):
        algo, sep, value = part.partition("=")
        if not sep or not value:
            continue
        algo = algo.strip().lower()
        if algo == "imphash":
            ev[prefix + ".pe.imphash"] = value.lower()
        elif algo in ("md5", "sha1", "sha256"):
            ev[prefix + ".hash." + algo] = value.lower()


def _source(ev: Event, ip: str | None, port: str | None) -> None:
    _endpoint(ev, "source", ip, port)


def _destination(ev: Event, ip: str | None, port: str | None) -> None:
    _endpoint(ev, "destination", ip, port)


def _endpoint(ev: Event, prefix: str, ip: str | None, port: str | None) -> None:
    addr = _ip(ip)
    if addr is None:
        return
    ev[prefix + ".ip"] = addr
    number = _int(port)
    if number:
        ev[prefix + ".port"] = number


def _ip(value: str | None) -> str | None:
    """A valid IP address text, with IPv4-mapped IPv6 (`::ffff:10.1.2.3`) given as IPv4; None otherwise."""
    if not value or value in _EMPTY:
        return None
    if value in _IP_CACHE:
        return _IP_CACHE[value]
    if len(_IP_CACHE) > 50_000:
        _IP_CACHE.clear()
    _IP_CACHE[value] = result = _check_ip(value)
    return result


def _check_ip(value: str) -> str | None:
    try:
        addr = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        return str(addr.ipv4_mapped)
    return str(addr)


def _set(ev: Event, key: str, value: str | None) -> None:
    if value and value not in _EMPTY:
        ev[key] = value


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _hex_int(value: str | None) -> int | None:
    """Security-log pids are hex text (`0x16d8`)."""
    if not value:
        return None
    try:
        return int(value, 16) if value.lower().startswith("0x") else int(value)
    except ValueError:
        return None


def _text(value: Any) -> str:
    """An EventData value as Windows shows it: text; booleans lower case as in the XML."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "\n".join(_text(v) for v in value if v is not None)
    if isinstance(value, dict):
        text = value.get("#text")
        return _text(text) if text is not None else ""
    return str(value)


def _timestamp(value: str | datetime) -> str:
    """SystemTime (`2016-09-19T16:50:06.477878Z`, any ISO form, or a datetime) -> `@timestamp`."""
    if isinstance(value, str):
        m = _FAST_TS.match(value)
        if m:
            frac = (m.group(1) or "")[:3].ljust(3, "0")
            return value[:19] + "." + frac + "Z"
    return format_ts(parse_ts(value))
