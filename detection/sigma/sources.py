"""Which of our event streams a Sigma log source means, and what its taxonomy fields are called in ECS.

Plain data, no pySigma: `pipeline.py` turns it into processing items, `docs/rules.md` shows it as
tables. A rule's log source (category, product, service) is classified by the first `Source`
whose `matches` accepts it; a log source no entry accepts is one we do not collect, and its rules
fail to convert with that reason instead of silently matching nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

# Datasets the parsers write (soc `event.dataset`); rules narrow to them through their log source.
AUTH_DATASETS = ("sshd.auth", "linux.auth")
SYSLOG_DATASETS = ("linux.syslog", "syslog", "linux.auth", "sshd.auth")
WEB_DATASETS = ("nginx.access", "apache.access", "iis.access", "tomcat.access")
PROXY_DATASETS = ("squid.access", "proxy.access", "zeek.http")

SYSMON_CHANNEL = "Microsoft-Windows-Sysmon/Operational"
POWERSHELL_CHANNELS = ("Microsoft-Windows-PowerShell/Operational", "PowerShellCore/Operational")

# Sigma's Windows services and the event log channel each one reads (as pySigma's common table).
WINDOWS_CHANNELS: dict[str, tuple[str, ...]] = {
    "security": ("Security",),
    "system": ("System",),
    "application": ("Application",),
    "sysmon": (SYSMON_CHANNEL,),
    "powershell": POWERSHELL_CHANNELS,
    "powershell-classic": ("Windows PowerShell",),
    "taskscheduler": ("Microsoft-Windows-TaskScheduler/Operational",),
    "wmi": ("Microsoft-Windows-WMI-Activity/Operational",),
    "windefend": ("Microsoft-Windows-Windows Defender/Operational",),
    "openssh": ("OpenSSH/Operational",),
    "ntlm": ("Microsoft-Windows-NTLM/Operational",),
    "terminalservices-localsessionmanager": (
        "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational",
    ),
    "bits-client": ("Microsoft-Windows-Bits-Client/Operational",),
    "dns-client": ("Microsoft-Windows-DNS Client Events/Operational",),
    "firewall-as": ("Microsoft-Windows-Windows Firewall With Advanced Security/Firewall",),
    "codeintegrity-operational": ("Microsoft-Windows-CodeIntegrity/Operational",),
}

# Windows categories: the channel and event ids that carry them (Sysmon's event ids, PowerShell's).
WINDOWS_CATEGORIES: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "process_creation": ((SYSMON_CHANNEL,), (1,)),
    "file_change": ((SYSMON_CHANNEL,), (2,)),
    "network_connection": ((SYSMON_CHANNEL,), (3,)),
    "sysmon_status": ((SYSMON_CHANNEL,), (4, 16)),
    "process_termination": ((SYSMON_CHANNEL,), (5,)),
    "driver_load": ((SYSMON_CHANNEL,), (6,)),
    "image_load": ((SYSMON_CHANNEL,), (7,)),
    "create_remote_thread": ((SYSMON_CHANNEL,), (8,)),
    "raw_access_thread": ((SYSMON_CHANNEL,), (9,)),
    "process_access": ((SYSMON_CHANNEL,), (10,)),
    "file_event": ((SYSMON_CHANNEL,), (11,)),
    "registry_add": ((SYSMON_CHANNEL,), (12,)),
    "registry_delete": ((SYSMON_CHANNEL,), (12,)),
    "registry_set": ((SYSMON_CHANNEL,), (13,)),
    "registry_rename": ((SYSMON_CHANNEL,), (14,)),
    "registry_event": ((SYSMON_CHANNEL,), (12, 13, 14)),
    "create_stream_hash": ((SYSMON_CHANNEL,), (15,)),
    "pipe_created": ((SYSMON_CHANNEL,), (17, 18)),
    "wmi_event": ((SYSMON_CHANNEL,), (19, 20, 21)),
    "dns_query": ((SYSMON_CHANNEL,), (22,)),
    "file_delete": ((SYSMON_CHANNEL,), (23, 26)),
    "clipboard_capture": ((SYSMON_CHANNEL,), (24,)),
    "process_tampering": ((SYSMON_CHANNEL,), (25,)),
    "file_block_executable": ((SYSMON_CHANNEL,), (27,)),
    "sysmon_error": ((SYSMON_CHANNEL,), (255,)),
    "ps_module": (POWERSHELL_CHANNELS, (4103,)),
    "ps_script": (POWERSHELL_CHANNELS, (4104,)),
    "ps_classic_start": (("Windows PowerShell",), (400,)),
}

# --- field mappings: Sigma taxonomy name -> our ECS name ----------------------------------------

LINUX_FIELDS = {
    "pam_user": "user.name",
    "pam_rhost": "source.ip",
    "pam_message": "message",
    "USER": "user.name",
    "User": "user.name",
    "ComputerName": "host.name",
}

WEB_FIELDS = {
    "c-uri": "url.original",
    "cs-uri": "url.original",
    "cs-uri-query": "url.query",
    "c-uri-query": "url.query",
    "cs-uri-stem": "url.path",
    "c-uri-stem": "url.path",
    "c-uri-extension": "url.extension",
    "cs-method": "http.request.method",
    "sc-status": "http.response.status_code",
    "c-useragent": "user_agent.original",
    "cs-user-agent": "user_agent.original",
    "cs-referer": "http.request.referrer",
    "cs-referrer": "http.request.referrer",
    "c-ip": "source.ip",
    "cs-host": "url.domain",
    "r-dns": "url.domain",
    "s-ip": "destination.ip",
    "s-port": "destination.port",
    "cs-username": "user.name",
    "cs-version": "http.version",
    "cs-bytes": "http.request.bytes",
    "sc-bytes": "http.response.bytes",
    "cs-cookie": "http.request.cookie",
    "dst_ip": "destination.ip",
    "src_ip": "source.ip",
}

FIREWALL_FIELDS = {
    "src_ip": "source.ip",
    "dst_ip": "destination.ip",
    "src_port": "source.port",
    "dst_port": "destination.port",
    "action": "event.action",
    "protocol": "network.transport",
    "proto": "network.transport",
    "username": "user.name",
    "src_zone": "observer.ingress.zone",
    "dst_zone": "observer.egress.zone",
    "src_host": "source.domain",
    "dst_host": "destination.domain",
    "bytes_in": "destination.bytes",
    "bytes_out": "source.bytes",
    "rule": "rule.name",
    "application": "network.application",
}

DNS_FIELDS = {
    "query": "dns.question.name",
    "QueryName": "dns.question.name",
    "answer": "dns.answers.data",
    "QueryResults": "dns.answers.data",
    "record_type": "dns.question.type",
    "QueryType": "dns.question.type",
    "parent_domain": "dns.question.registered_domain",
    "response_code": "dns.response_code",
    "src_ip": "source.ip",
    "dst_ip": "destination.ip",
    "src_port": "source.port",
    "dst_port": "destination.port",
}

NETWORK_FIELDS = {
    "DestinationIp": "destination.ip",
    "DestinationPort": "destination.port",
    "DestinationHostname": "destination.domain",
    "SourceIp": "source.ip",
    "SourcePort": "source.port",
    "SourceHostname": "source.domain",
    "Protocol": "network.transport",
    "Initiated": "network.direction",
    "Image": "process.executable",
    "User": "user.name",
    **{k: v for k, v in FIREWALL_FIELDS.items() if k.startswith(("src_", "dst_"))},
}

ZEEK_FIELDS = {
    "id.orig_h": "source.ip",
    "id.orig_p": "source.port",
    "id.resp_h": "destination.ip",
    "id.resp_p": "destination.port",
    "proto": "network.transport",
    "service": "network.protocol",
    "orig_bytes": "source.bytes",
    "resp_bytes": "destination.bytes",
    "conn_state": "zeek.connection.state",
    "query": "dns.question.name",
    "qtype_name": "dns.question.type",
    "rcode_name": "dns.response_code",
    "answers": "dns.answers.data",
    "host": "url.domain",
    "uri": "url.original",
    "method": "http.request.method",
    "status_code": "http.response.status_code",
    "user_agent": "user_agent.original",
    "referrer": "http.request.referrer",
    "request_body_len": "http.request.body.bytes",
    "response_body_len": "http.response.body.bytes",
    "server_name": "tls.client.server_name",
    "ja3": "tls.client.ja3",
    "ja3s": "tls.server.ja3s",
    "src_ip": "source.ip",
    "dst_ip": "destination.ip",
    "src_port": "source.port",
    "dst_port": "destination.port",
}

# As Winlogbeat writes them (pySigma's ECS Windows pipeline, without its `.caseless` sub-fields).
# Every other Windows field becomes winlog.event_data.<Field>.
WINDOWS_FIELDS = {
    "EventID": "winlog.event_id",
    "Channel": "winlog.channel",
    "Provider_Name": "winlog.provider_name",
    "ComputerName": "host.name",
    "Computer": "host.name",
    "ProcessGuid": "process.entity_id",
    "ProcessId": "process.pid",
    "Image": "process.executable",
    "CommandLine": "process.command_line",
    "CurrentDirectory": "process.working_directory",
    "ParentProcessGuid": "process.parent.entity_id",
    "ParentProcessId": "process.parent.pid",
    "ParentImage": "process.parent.executable",
    "ParentCommandLine": "process.parent.command_line",
    "OriginalFileName": "process.pe.original_file_name",
    "TargetFilename": "file.path",
    "ImageLoaded": "file.path",
    "SourceIp": "source.ip",
    "SourceHostname": "source.domain",
    "SourcePort": "source.port",
    "DestinationIp": "destination.ip",
    "DestinationHostname": "destination.domain",
    "DestinationPort": "destination.port",
    "DestinationPortName": "network.protocol",
    "Protocol": "network.transport",
    "Signed": "file.code_signature.signed",
    "SignatureStatus": "file.code_signature.status",
    "Imphash": "file.pe.imphash",
    "SourceProcessGuid": "process.entity_id",
    "SourceProcessId": "process.pid",
    "SourceImage": "process.executable",
    "TargetImage": "winlog.event_data.TargetImage",
    "TargetObject": "registry.path",
    "PipeName": "file.name",
    "QueryName": "dns.question.name",
    "ScriptBlockText": "powershell.file.script_block_text",
    "ScriptBlockId": "powershell.file.script_block_id",
    "Payload": "powershell.file.script_block_text",
    "HostApplication": "process.command_line",
    "AccountName": "user.name",
    "SubjectUserName": "user.name",
    "SubjectDomainName": "user.domain",
    "SubjectUserSid": "user.id",
    "ClientAddress": "source.ip",
    "IpAddress": "source.ip",
    "IpPort": "source.port",
    "SourceAddress": "source.ip",
    "DestAddress": "destination.ip",
    "DestPort": "destination.port",
    "WorkstationName": "source.domain",
    "NewProcessId": "process.pid",
    "NewProcessName": "process.executable",
    "ProcessName": "process.executable",
    "ParentProcessName": "process.parent.executable",
    "User": "user.name",
    "ServiceName": "service.name",
    "ImagePath": "winlog.event_data.ImagePath",
}

# Fields whose values are integers in our events: numeric strings in rules become numbers.
INT_FIELDS = (
    "source.port",
    "destination.port",
    "http.response.status_code",
    "winlog.event_id",
    "process.pid",
    "process.parent.pid",
    "source.bytes",
    "destination.bytes",
    "http.request.bytes",
    "http.response.bytes",
)

# Field names that mean the same in every log source and are never remapped.
UNMAPPED = ("message", "@timestamp", "log.original")

NOT_COLLECTED = (
    "log source {logsource} is not collected by this SOC "
    "(no processing-pipeline mapping; see docs/rules.md)"
)


@dataclass(frozen=True)
class Source:
    """One kind of event stream: how to recognise its rules, restrict them, and map their fields."""

    kind: str
    matches: Callable[[str | None, str | None, str | None], bool]  # (category, product, service)
    fields: dict[str, str] = field(default_factory=dict)
    dataset_in: tuple[str, ...] = ()  # restrict to these event.dataset values ...
    condition: dict[str, object] = field(default_factory=dict)  # ... or to this Sigma condition
    template_condition: bool = False  # condition values use $service / $category templates
    group_by: str = "source.ip"  # default grouping key when the rule's fields name none


def _is(category: str | None = None, product: str | None = None, services: tuple[str, ...] | None = None):
    def match(c: str | None, p: str | None, s: str | None) -> bool:
        return (
            (category is None or c == category)
            and (product is None or p == product)
            and (services is None or s in services)
        )

    return match


def _windows_service(c: str | None, p: str | None, s: str | None) -> bool:
    return p == "windows" and c is None and s in WINDOWS_CHANNELS


def _windows_category(c: str | None, p: str | None, s: str | None) -> bool:
    return p == "windows" and c in WINDOWS_CATEGORIES


SOURCES: tuple[Source, ...] = (
    Source("linux_auth", _is(None, "linux", ("auth", "sshd", "sudo", "su", "login", "passwd")),
           LINUX_FIELDS, dataset_in=AUTH_DATASETS, group_by="source.ip"),
    Source("linux_syslog", lambda c, p, s: p == "linux" and c is None and s in (None, "syslog", "cron", "systemd", "useradd"),
           LINUX_FIELDS, dataset_in=SYSLOG_DATASETS, group_by="host.name"),
    Source("webserver", _is("webserver"), WEB_FIELDS, dataset_in=WEB_DATASETS),
    Source("proxy", _is("proxy"), WEB_FIELDS, dataset_in=PROXY_DATASETS),
    Source("firewall", _is("firewall"), FIREWALL_FIELDS, condition={"event.category": "*network*"}),
    Source("dns", lambda c, p, s: c == "dns" and p != "windows", DNS_FIELDS,
           condition={"dns.question.name|exists": True}),
    Source("network_connection", lambda c, p, s: c == "network_connection" and p != "windows",
           NETWORK_FIELDS, condition={"event.category": "*network*"}),
    Source("zeek", _is(None, "zeek"), ZEEK_FIELDS, condition={"event.dataset": "zeek.$service"},
           template_condition=True),
    # every Windows record is in a windows.* dataset (collectors.winlog_ecs): a prefix the SQLite
    # store answers from its dataset index, so Windows rules do not scan firewall and web events
    Source("windows_service", _windows_service, WINDOWS_FIELDS, condition={"event.dataset": "windows.*"},
           group_by="host.name"),
    Source("windows_category", _windows_category, WINDOWS_FIELDS, condition={"event.dataset": "windows.*"},
           group_by="host.name"),
)


def classify(category: str | None, product: str | None, service: str | None) -> Source | None:
    """The stream a Sigma log source reads, or None when we do not collect it."""
    for src in SOURCES:
        if src.matches(category, product, service):
            return src
    return None
