"""Cisco ASA / FTD lines the shared sample lacks (issue #4): more message ids, FTD key: value events,
headers without a device id, relays' RFC 3339/5424 framing.

Lines are Elastic's cisco_asa integration pipeline fixtures
(elastic/integrations packages/cisco_asa/data_stream/log/_dev/test/pipeline/test-additional-messages.log),
the FTD 430002/430003 layout of elastic/integrations packages/cisco_ftd, and message texts of Cisco's
"Cisco Secure Firewall ASA Series Syslog Messages" guide (400013, 400032, 402116, 110003, 611103, 734001,
722037, 722022, 113006, 605005, 338001), framed as devices and relays send them.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors.parsers import ParseContext, detect_format, get_parser
from collectors.parsers.cisco_asa import parse_line

NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)
FTD_430003 = (
    "<185>2020-07-24T13:13:45Z   %FTD-1-430003: DeviceUUID: 854f1702-0ecf-1de8-0df9-e7e6f1185fdb, "
    "AccessControlRuleAction: Allow, SrcIP: 192.0.2.143, DstIP: 192.0.2.74, SrcPort: 48522, DstPort: 80, Protocol: tcp, "
    "IngressInterface: Outside, EgressInterface: VX-DMZ, IngressZone: My-Outside, EgressZone: My-Inside, "
    "ACPolicy: My ASA Policy, AccessControlRuleName: MyFromOutsideRule, Prefilter Policy: CCSO, "
    "User: No Authentication Required, UserAgent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/46.0.2486.0 Safari/537.36 Edge/13.10586, Client: Edge, ApplicationProtocol: HTTP, "
    "InitiatorPackets: 4, ResponderPackets: 2, InitiatorBytes: 400, ResponderBytes: 120, ConnectionDuration: 5, "
    "NAPPolicy: Balanced Security and Connectivity")
FTD_430002 = (
    "2023-07-27T08:13:10Z fw-ftd : %FTD-1-430002: EventPriority: Low, DeviceUUID: 1662dc94-665c-4e50-97df-1c5b281556aa, "
    "InstanceID: 3, FirstPacketSecond: 2023-07-27T08:13:09Z, ConnectionID: 62230, AccessControlRuleAction: Block, "
    "SrcIP: 2001:db8::5, DstIP: 2001:db8::1, SrcPort: 63853, DstPort: 443, Protocol: tcp, IngressInterface: WAN, "
    "EgressInterface: DMZ, IngressZone: OUT, EgressZone: DMZ, ACPolicy: ACPolicy, AccessControlRuleName: IN_KEMP_MAIL, "
    "Prefilter Policy: EXAMPLE L3-L4 Policy, User: jdoe, InitiatorPackets: 2, ResponderPackets: 1, InitiatorBytes: 128, "
    "ResponderBytes: 66")

# (line, fields the event must carry); every line also needs event.action and a dataset
CASES = [
    ("May  5 17:51:17 dev01: %FTD-4-313005: No matching connection for ICMP error message: icmp src srcif:192.168.2.2 "
     "dst dstif:192.168.2.3 (type 3, code 3) on myif interface. Original IP payload: udp src 192.168.2.2/53 dst "
     "192.168.2.3/10872.",
     {"event.code": "313005", "source.ip": "192.168.2.2", "destination.ip": "192.168.2.3", "icmp.type": "3",
      "event.outcome": "failure", "network.transport": "icmp", "host.name": "dev01"}),
    ("<188>May  5 17:51:17: %ASA-4-313005: No matching connection for ICMP error message: icmp src srcif:192.168.2.2 "
     "dst dstif:192.168.2.3 (type 3, code 2) on srcif interface. Original IP payload: icmp src 192.168.2.2 dst "
     "192.168.2.3 (type 0, code 0).",
     {"@timestamp": "2024-05-05T10:51:17.000Z", "log.syslog.priority": 188, "icmp.code": "2"}),
    ("May  5 18:29:32 dev01: %ASA-6-305012: Teardown dynamic UDP translation from fw111:10.10.10.10/54230 to "
     "out111:192.168.2.2/54230 duration 0:00:00",
     {"event.action": "nat-translation-end", "source.ip": "10.10.10.10", "source.port": 54230,
      "source.nat.ip": "192.168.2.2", "network.transport": "udp", "event.duration": 0}),
    ("May  5 19:02:25 dev01: %ASA-3-106010: Deny inbound sctp src fw111:10.10.10.10/5114 dst fw111:10.10.10.10/2",
     {"event.action": "denied", "event.outcome": "failure", "source.port": 5114, "destination.port": 2,
      "network.transport": "sctp"}),
    ("<139>Oct 06 2023 11:12:20 myAsaHostname : %ASA-3-106010: Deny inbound protocol 103 src inside:172.31.98.44 dst "
     "inside:192.168.2.2",
     {"source.ip": "172.31.98.44", "destination.ip": "192.168.2.2", "network.iana_number": "103",
      "@timestamp": "2023-10-06T04:12:20.000Z", "host.name": "myAsaHostname"}),
    ('Apr 27 2020 02:03:03 dev01: %ASA-4-106023: Deny protocol 47 src outside:81.2.69.144 dst inside:172.31.98.44 '
     'by access-group "inbound"',
     {"network.transport": "gre", "source.ip": "81.2.69.144", "destination.ip": "172.31.98.44", "rule.name": "inbound",
      "event.outcome": "failure"}),
    ('Apr 27 2020 02:03:03 dev01: %ASA-4-106023: Deny icmp src OUTSIDE:2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6 dst '
     'OUTSIDE:2a02:cf40:add:4002:91f2:a9b2:e09a:6fc7 (type 128, code 0) by access-group "OUTSIDE_in"',
     {"source.ip": "2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6", "destination.ip": "2a02:cf40:add:4002:91f2:a9b2:e09a:6fc7",
      "observer.ingress.interface.name": "OUTSIDE", "rule.name": "OUTSIDE_in"}),
    ("Apr 27 04:18:49 dev01: %ASA-5-304001: 10.20.30.40 Accessed JAVA URL 10.20.30.41:http://10.20.30.41/some/url",
     {"event.action": "url-accessed", "source.ip": "10.20.30.40", "destination.ip": "10.20.30.41",
      "url.original": "http://10.20.30.41/some/url"}),
    ("Apr 27 02:03:03 dev01: %ASA-5-111010: User 'enable_15', running 'CLI' from IP 10.10.0.87, executed 'clear'",
     {"event.action": "command-executed", "user.name": "enable_15", "source.ip": "10.10.0.87",
      "process.command_line": "clear"}),
    ("May  5 19:03:27 dev01: %ASA-7-111009: User 'aaaa' executed cmd: show access-list aaa_out brief",
     {"user.name": "aaaa", "process.command_line": "show access-list aaa_out brief"}),
    ("Apr 27 02:03:03 dev01: %ASA-6-611102: User authentication failed: IP address: 10.10.0.87, Uname: admin",
     {"event.category": ["authentication"], "event.outcome": "failure", "user.name": "admin", "source.ip": "10.10.0.87"}),
    ("Apr 27 02:03:03 dev01: %ASA-6-611101: User authentication succeeded: IP address: 10.10.0.87, Uname: admin",
     {"event.category": ["authentication"], "event.outcome": "success", "user.name": "admin"}),
    ("Mar  1 10:00:02 asa-hq : %ASA-6-611103: User logged out: Uname: admin",
     {"event.action": "logout", "user.name": "admin"}),
    ("Apr 27 02:03:03 dev01: %ASA-5-713049: Group = 81.2.69.144, IP = 81.2.69.144, Security negotiation complete for "
     "LAN-to-LAN Group (81.2.69.144) Responder, Inbound SPI = 0x276b1da2, Outbound SPI = 0x0e1a581d",
     {"event.action": "ipsec-negotiation-complete", "group.name": "81.2.69.144", "source.ip": "81.2.69.144"}),
    ("Apr 27 02:03:03 dev01: %ASA-5-713049: Group = 100.60.140.10, Username = test_user, IP = 81.2.69.143, Security "
     "negotiation complete for User (test_user) Responder, Inbound SPI = 0x0000000, Outbound SPI = 0x0000000",
     {"user.name": "test_user", "source.ip": "81.2.69.143"}),
    ("Apr 27 02:03:03 dev01: %ASA-4-113019: Group = 81.2.69.144, Username = 81.2.69.144, IP = 81.2.69.144, Session "
     "disconnected. Session Type: LAN-to-LAN, Duration: 0h:32m:16s, Bytes xmt: 297103, Bytes rcv: 1216163, Reason: "
     "User Requested",
     {"event.action": "vpn-session-disconnected", "source.bytes": 297103, "destination.bytes": 1216163,
      "event.reason": "User Requested"}),
    ("Apr 27 02:03:03 dev01: %ASA-4-722051: Group <VPN5Policy> User <john> IP <192.168.50.3> IPv4 Address "
     "<192.168.50.5> IPv6 address <::> assigned to session",
     {"event.action": "vpn-address-assigned", "user.name": "john", "source.ip": "192.168.50.3", "group.name": "VPN5Policy"}),
    ("Apr 27 02:03:03 dev01: %ASA-6-716002: Group another-policy User testuser IP 81.2.69.144 WebVPN session "
     "terminated: User Requested.",
     {"event.action": "webvpn-session-terminated", "user.name": "testuser", "source.ip": "81.2.69.144"}),
    ("<140>Oct 03 2023 16:40:40 myAsaHostname : %ASA-5-722032: Group <GROUP 1> User <USER 1> IP <10.20.0.1> New SVC "
     "connection replacing old connection.",
     {"user.name": "USER 1", "group.name": "GROUP 1", "source.ip": "10.20.0.1"}),
    ("Mar  1 10:00:02 asa-hq : %ASA-4-722037: Group <GroupPolicy_VPN> User <bob> IP <198.51.100.7> SVC closing "
     "connection: DPD failure.",
     {"event.action": "vpn-connection-closed", "user.name": "bob"}),
    ("Apr 27 02:03:03 dev01: %ASA-3-710003: TCP access denied by ACL from 81.2.69.144/6370 to outside:192.168.157.61/23",
     {"event.outcome": "failure", "source.ip": "81.2.69.144", "destination.port": 23,
      "observer.egress.interface.name": "outside"}),
    ("May  5 19:02:25 dev01: %ASA-6-113004: AAA user authorization Successful: server = 81.2.69.144 , User = alice",
     {"event.outcome": "success", "user.name": "alice", "cisco.asa.aaa_server": "81.2.69.144"}),
    ("May  5 19:02:25 dev01: %ASA-6-113005: AAA user authentication Rejected: reason = AAA failure: server = "
     "81.2.69.144 : user = alice: user IP = 172.31.98.44",
     {"event.outcome": "failure", "user.name": "alice", "source.ip": "172.31.98.44", "event.reason": "AAA failure"}),
    ("<166>Jul 12 2024 08:11:50 myAsaHostname : %ASA-6-113005: AAA user authentication Rejected : reason = "
     "Unspecified : server = 10.0.0.70 : user = : user IP = 81.2.69.144",
     {"event.outcome": "failure", "source.ip": "81.2.69.144"}),
    ("May  5 19:02:25 dev01: %ASA-6-113012: AAA user authentication Successful: local database: user = alice",
     {"event.outcome": "success", "user.name": "alice"}),
    ("<166>Oct 12 2023 16:00:00 fw123-vc456 : %ASA-6-113015: AAA user authentication Rejected : reason = Invalid "
     "password : local database : user = a2bcde : user IP = 81.2.69.143",
     {"event.outcome": "failure", "user.name": "a2bcde", "source.ip": "81.2.69.143", "event.reason": "Invalid password"}),
    ("<140>Oct 03 2023 16:40:40 myAsaHostname : %ASA-6-113008: AAA transaction status ACCEPT: user = USER_1",
     {"event.outcome": "success", "user.name": "USER_1"}),
    ("<166>2024-06-26T01:35:42Z: %ASA-6-113008: AAA transaction status ACCEPT : user = USER_1",
     {"@timestamp": "2024-06-26T01:35:42.000Z", "log.syslog.priority": 166, "user.name": "USER_1"}),
    ("<166>:: %ASA-auth-6-113005: AAA user authentication Rejected : reason = Users account has expired : server = "
     "198.51.100.10 : user = alice.johnson : user IP = 203.0.113.20",
     {"@timestamp": "2024-06-01T00:00:00.000Z", "user.name": "alice.johnson", "source.ip": "203.0.113.20"}),
    ("Mar  1 10:00:02 asa-hq : %ASA-4-113006: User 'bob' locked out on exceeding '3' successive failed authentication "
     "attempts",
     {"event.action": "account-locked", "user.name": "bob"}),
    ('Mar  1 10:00:02 asa-hq : %ASA-6-605005: Login permitted from serial to console for user "enable_1"',
     {"event.action": "login", "event.outcome": "success", "user.name": "enable_1", "source.address": "serial"}),
    ("Mar  1 10:00:02 asa-hq : %ASA-4-400013: IPS:2003 ICMP redirect from 10.4.1.2 to 10.2.1.1 on interface dmz",
     {"event.kind": "alert", "rule.id": "2003", "rule.name": "ICMP redirect", "source.ip": "10.4.1.2",
      "destination.ip": "10.2.1.1", "event.category": ["network", "intrusion_detection"]}),
    ("Mar  1 10:00:02 asa-hq : %ASA-4-402116: IPSEC: Received an ESP packet (SPI= 0x2A3B, sequence number= 0x1) from "
     "198.51.100.1 (user= vpnpeer) to 203.0.113.1. The decapsulated inner packet doesn't match the negotiated policy "
     "in the SA.",
     {"event.action": "ipsec-packet-rejected", "source.ip": "198.51.100.1", "user.name": "vpnpeer"}),
    ("Mar  1 10:00:02 asa-hq : %ASA-6-110003: Routing failed to locate next hop for TCP from inside:10.1.1.5/3000 to "
     "outside:8.8.8.8/53",
     {"event.action": "routing-failed", "destination.ip": "8.8.8.8", "destination.port": 53}),
    ("Mar  1 10:00:02 asa-hq : %ASA-4-734001: DAP: User john, Addr 198.51.100.7, Connection AnyConnect: The following "
     "DAP records were selected for this connection: DfltAccessPolicy",
     {"user.name": "john", "source.ip": "198.51.100.7", "cisco.asa.dap_records": "DfltAccessPolicy"}),
    ("Mar  1 10:00:02 asa-hq : %ASA-4-338001: Dynamic Filter monitored blacklisted TCP traffic from "
     "inside:10.1.1.45/6798 (209.165.201.1/7890) to outside:209.165.202.129/80 (209.165.202.129/80), source malicious "
     "address resolved from local or dynamic list: bad.example.com, threat-level: very-high, category: Malware",
     {"event.kind": "alert", "event.action": "dynamic-filter-monitored", "threat.indicator.description": "bad.example.com"}),
    (FTD_430003,
     {"@timestamp": "2020-07-24T13:13:45.000Z", "event.action": "connection-finished", "event.outcome": "success",
      "source.ip": "192.0.2.143", "destination.port": 80, "network.transport": "tcp", "rule.name": "MyFromOutsideRule",
      "source.bytes": 400, "destination.bytes": 120, "event.duration": 5_000_000_000, "network.protocol": "HTTP",
      "user_agent.original": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                             "Chrome/46.0.2486.0 Safari/537.36 Edge/13.10586"}),
    (FTD_430002,
     {"event.action": "connection-started", "event.outcome": "failure", "source.ip": "2001:db8::5",
      "user.name": "jdoe", "host.name": "fw-ftd", "observer.ingress.interface.name": "WAN"}),
    ("<165>1 2024-03-01T10:00:02.123+07:00 asa-hq - - - - %ASA-6-302013: Built inbound TCP connection 5 for "
     "outside:203.0.113.9/4444 (203.0.113.9/4444) to inside:10.1.1.5/22 (198.51.100.5/22)",
     {"@timestamp": "2024-03-01T03:00:02.123Z", "host.name": "asa-hq", "source.ip": "203.0.113.9",
      "destination.nat.ip": "198.51.100.5"}),
]


@pytest.mark.parametrize("line, fields", CASES, ids=[c[0][c[0].find("-", c[0].find("%")) + 1:][:16] for c in CASES])
def test_variant_line(line: str, fields: dict) -> None:
    ev = get_parser("cisco_asa").parse(line, ParseContext(year_hint=2024, now=NOW))
    assert ev["event.dataset"] == "cisco.asa" and ev["event.action"] and ev["event.category"]
    assert {k: ev.get(k) for k in fields} == fields
    for ip_field in ("source.ip", "destination.ip"):
        assert ip_field not in ev or ev[ip_field].count(".") == 3 or ":" in ev[ip_field]
    assert detect_format([line]) == "cisco_asa"


@pytest.mark.parametrize("line", [c[0] for c in CASES])
def test_fast_and_regex_paths_agree_on_variants(line: str) -> None:
    assert parse_line(line, ParseContext(now=NOW), True) == parse_line(line, ParseContext(now=NOW), False)


def test_unknown_ids_still_say_what_they_are():
    ev = get_parser("cisco_asa").parse("May  5 17:51:17 dev01: %FTD-7-609001: Built local-host net:192.168.2.2",
                                       ParseContext(year_hint=2024, now=NOW))
    assert (ev["event.code"], ev["event.action"]) == ("609001", "asa-609001")
