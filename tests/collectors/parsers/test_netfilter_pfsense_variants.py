"""pfSense/OPNsense filterlog and netfilter (iptables, UFW, nftables, EdgeOS) lines the shared samples lack (issue #4).

Sources: elastic/integrations pipeline fixtures packages/pfsense/data_stream/log/_dev/test/pipeline/
(test-pfsense-bsd.log: pfSense's host-less BSD remote syslog; test-opensense*.log) and
packages/iptables/data_stream/log/_dev/test/pipeline/ (test-iptables-raw.log, test-ubiquiti.log); the others follow
Netgate's "Filter Log Format" (carp, esp, gre, IPv6 ICMP) and the kernel's nf_log output (UFW, PHYSIN, IPv6 TC/HOPLIMIT).
"""

from __future__ import annotations

import pytest

from collectors.parsers import ParseContext, detect_format, get_parser

PF = [
    ("<134>Jul  3 19:10:30 filterlog[72237]: 146,,,1535324496,igb1.12,match,block,in,4,0x0,,63,12617,0,DF,6,tcp,60,"
     "10.170.12.50,1.1.1.1,49724,853,0,S,1891286705,,64240,,mss;sackOK;TS;nop;wscale",
     {"event.action": "block", "process.name": "filterlog", "process.pid": 72237, "host.name": None,
      "source.ip": "10.170.12.50", "destination.port": 853, "pfsense.tcp.flags": "S",
      "@timestamp": "2024-07-03T12:10:30.000Z"}),
    ("<134>Jul  3 19:10:31 filterlog[72237]: 6,,,1000000105,igb1.27,match,block,in,6,0x00,0xf6279,1,UDP,17,32,"
     "fe80::208:9bff:fef3:652b,ff02::1:2,546,547,32",
     {"network.type": "ipv6", "network.transport": "udp", "source.ip": "fe80::208:9bff:fef3:652b",
      "destination.ip": "ff02::1:2", "destination.port": 547}),
    ("<134>Jul  3 19:10:33 filterlog[72237]: 199,,,1557957510,igb1.12,match,pass,in,4,0xc0,,1,0,0,DF,2,igmp,32,"
     "10.170.12.17,239.255.255.250,datalength=8",
     {"event.outcome": "success", "network.transport": "igmp", "destination.ip": "239.255.255.250"}),
    ("<134>Jul  4 11:10:45 filterlog[72237]: 176,,,1520797901,igb1.10,match,pass,in,4,0x0,,64,62096,0,DF,1,icmp,84,"
     "10.100.10.30,142.250.114.105,request,37728,164",
     {"network.transport": "icmp", "icmp.type": "request"}),
    ("<134>Jan 1 02:21:39 firewall.opnsense.net filterlog[97530]: 32,,,1535324496a,igb0,match,pass,in,6,0x0,0x00000,"
     "255,ipv6-icmp,58,16,fe80::208:9bff:fef3:652b,ff02::1:2,datalength=16",
     {"network.transport": "ipv6-icmp", "icmp.type": None, "host.name": "firewall.opnsense.net"}),
    ('<134>1 2022-06-09T14:44:11-06:00 OPNsense.example.com filterlog 76404 - [meta sequenceId="1"] 124,,,'
     "fae559338f65e11c53669fc3642c93c2,ixl1_vlan70,match,pass,out,4,0x0,,63,5687,0,DF,6,tcp,60,192.168.1.1,"
     "10.10.10.10,40370,80,0,S,3364871769,,65535,,mss;sackOK;TS;nop;wscale",
     {"@timestamp": "2022-06-09T20:44:11.000Z", "rule.uuid": "fae559338f65e11c53669fc3642c93c2",
      "observer.egress.interface.name": "ixl1_vlan70", "network.direction": "egress"}),
    ("Oct 12 10:05:01 pfSense filterlog[12345]: 77,,,1000006862,vtnet0,match,block,in,4,0x0,,244,12345,0,none,112,"
     "carp,36,192.168.1.2,224.0.0.18,vhid=1,advskew=0,advbase=1,carp_version=2,1",
     {"network.transport": "carp", "source.ip": "192.168.1.2", "event.outcome": "failure"}),
    ("Oct 12 10:05:01 pfSense filterlog[12345]: 77,,,1000006862,vtnet0,match,pass,out,4,0x0,,64,4321,0,DF,50,esp,120,"
     "198.51.100.1,203.0.113.2,datalength=100",
     {"network.transport": "esp", "destination.ip": "203.0.113.2"}),
    ("Oct 12 10:05:01 pfSense filterlog[12345]: 9,,,1000000105,em1,match,pass,out,6,0x00,0x00000,255,ipv6-icmp,58,32,"
     "fe80::1,ff02::1,neighbor-advertisement,fe80::1",
     {"icmp.type": "neighbor-advertisement", "network.iana_number": "58"}),
    ("Oct 12 10:05:01 pfSense filterlog: 100,,,1770009998,igb0,match,reject,out,4,0x0,,64,54321,0,DF,17,udp,60,"
     "10.0.0.5,8.8.8.8,55555,53,40",
     {"event.action": "reject", "event.outcome": "failure", "destination.port": 53}),
    ("2024-11-04T10:35:01.123+07:00 pfsense filterlog[4321]: 100,,,1770009998,igb0,match,block,in,4,0x0,,54,54321,0,"
     "none,6,tcp,44,45.155.205.1,198.51.100.7,43210,23,0,S,1234567,,1024,,mss",
     {"@timestamp": "2024-11-04T03:35:01.123Z", "destination.port": 23}),
]

NF = [
    ("<161>Oct 10 07:25:12 Hostname kernel: [wan-lan-default-D]IN=eth0 OUT= MAC=90:10:20:76:8d:20:90:10:65:29:b6:2a:"
     "08:00 SRC=67.43.156.15 DST=10.4.0.5 LEN=52 TOS=0x00 PREC=0x00 TTL=63 ID=0 DF PROTO=TCP SPT=38842 DPT=443 "
     "WINDOW=2853 RES=0x00 ACK URGP=0",
     {"rule.name": "wan-lan-default-D", "event.action": "dropped", "source.ip": "67.43.156.15", "destination.port": 443,
      "observer.ingress.interface.name": "eth0"}),
    ("2021-03-12T14:10:18Z Hostname kernel: [wan-lan-default-D]IN=eth0 OUT= MAC=90:10:20:76:8d:20:90:10:65:29:b6:2a:"
     "08:00 SRC=67.43.156.15 DST=10.4.0.5 LEN=52 TOS=0x00 PREC=0x00 TTL=63 ID=0 DF PROTO=TCP SPT=38842 DPT=443 "
     "WINDOW=2853 RES=0x00 ACK URGP=0",
     {"@timestamp": "2021-03-12T14:10:18.000Z", "event.outcome": "failure"}),
    ("Jan  5 20:17:05 MainFirewall kernel: [LAN_LOCAL-default-A]IN=eth0.90 OUT= MAC=90:10:92:6e:ea:a7:90:10:73:ba:d6:"
     "77:08:00:45:fc:02:1c SRC=192.168.48.137 DST=81.2.69.143 LEN=540 TOS=0x1C PREC=0xE0 TTL=64 ID=27223 PROTO=UDP "
     "SPT=48689 DPT=48689 LEN=520 ",
     {"event.action": "accepted", "event.outcome": "success", "observer.ingress.interface.name": "eth0.90",
      "iptables.udp.length": 520}),
    ("Jan  8 03:37:09 DENY: IN=eth0 OUT= MAC=90:10:28:5f:62:24:90:10:18:5a:89:2a:08:00 SRC=192.168.2.71 "
     "DST=192.168.2.83 LEN=88 TOS=0x00 PREC=0x00 TTL=118 ID=21684 PROTO=ICMP TYPE=3 CODE=3 [SRC=192.168.2.83 "
     "DST=192.168.173.191 LEN=60 TOS=0x00 PREC=0x00 TTL=54 ID=0 DF PROTO=UDP SPT=21458 DPT=62936 LEN=40 ]",
     {"rule.name": "DENY", "event.action": "dropped", "host.name": None, "source.ip": "192.168.2.71",
      "destination.ip": "192.168.2.83", "network.transport": "icmp", "icmp.type": 3, "icmp.code": 3,
      "destination.port": None, "iptables.ttl": 118,
      "iptables.icmp.original": "SRC=192.168.2.83 DST=192.168.173.191 LEN=60 TOS=0x00 PREC=0x00 TTL=54 ID=0 DF "
                                "PROTO=UDP SPT=21458 DPT=62936 LEN=40"}),
    ("Jan 22 09:05:05 ubuntu-bionic kernel: [16571.459614] IN= OUT=lo SRC=2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6 "
     "DST=2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6 LEN=104 TC=0 HOPLIMIT=64 FLOWLBL=868225 PROTO=ICMPv6 TYPE=128 CODE=0 "
     "ID=3427 SEQ=1 ",
     {"network.transport": "icmpv6", "iptables.ttl": 64, "iptables.flow_label": 868225, "icmp.type": 128,
      "observer.egress.interface.name": "lo", "event.action": "logged"}),
    ("Jan 22 10:52:34 ubuntu-bionic kernel: [  307.757925] IN= OUT=enp0s3 MAC=90:10:12:34:56:78:90:10:aa:bb:cc:dd:86:"
     "dd:ff:ff SRC=fe80:0000:0000:0000:0084:88ff:feae:790a DST=ff02:0000:0000:0000:0000:0000:0000:0016 LEN=96 TC=0 "
     "HOPLIMIT=1 FLOWLBL=0 PROTO=ICMPv6 TYPE=143 CODE=0 MARK=0xd4",
     {"iptables.mark": "0xd4", "source.mac": "90-10-AA-BB-CC-DD", "icmp.type": 143}),
    ("Jan  5 20:17:01 firewall kernel: [4276041.728154] IN=eno1 OUT= MAC=0c:c4:7a:0f:51:0c:d4:66:24:80:d8:da:08:00 "
     "SRC=192.168.110.116 DST=192.168.2.25 LEN=120 TOS=0x00 PREC=0x00 TTL=55 ID=0 DF PROTO=ESP SPI=0xcb886522",
     {"network.transport": "esp", "iptables.spi": "0xcb886522"}),
    ("Mar  3 10:11:12 web01 kernel: [12345.678901] [UFW ALLOW] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:"
     "08:00 SRC=203.0.113.50 DST=198.51.100.10 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=1 DF PROTO=TCP SPT=41235 DPT=22 "
     "WINDOW=64240 RES=0x00 SYN URGP=0",
     {"rule.name": "UFW ALLOW", "event.outcome": "success", "iptables.flags": ["DF", "SYN"]}),
    ("Mar  3 10:11:12 web01 kernel: [UFW AUDIT] IN= OUT=eth0 SRC=198.51.100.10 DST=1.1.1.1 LEN=73 TOS=0x00 "
     "PREC=0x00 TTL=64 ID=4321 DF PROTO=UDP SPT=33333 DPT=53 LEN=53",
     {"rule.name": "UFW AUDIT", "event.action": "logged", "destination.port": 53}),
    ("Mar  3 10:11:12 br-host kernel: [ 9876.543210] BRIDGE-DROP IN=br0 OUT=br0 PHYSIN=veth1a2b PHYSOUT=eth0 "
     "MAC=02:42:ac:11:00:02:02:42:ac:11:00:03:08:00 SRC=172.17.0.3 DST=172.17.0.2 LEN=60 TOS=0x00 PREC=0x00 TTL=64 "
     "ID=777 DF PROTO=TCP SPT=50000 DPT=80 WINDOW=64240 RES=0x00 SYN URGP=0",
     {"iptables.physin": "veth1a2b", "iptables.physout": "eth0", "event.action": "dropped"}),
    ("Mar  3 10:11:12 fw kernel: nft-drop-in: IN=enp1s0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:86:dd "
     "SRC=2001:0db8:0000:0000:0000:0000:0000:0005 DST=2001:0db8:0000:0000:0000:0000:0000:0001 LEN=80 TC=0 "
     "HOPLIMIT=57 FLOWLBL=12345 PROTO=TCP SPT=55000 DPT=22 WINDOW=64800 RES=0x00 SYN URGP=0",
     {"rule.name": "nft-drop-in", "event.outcome": "failure", "source.ip": "2001:0db8:0000:0000:0000:0000:0000:0005"}),
    ("<4>1 2024-03-03T10:11:12.345678+07:00 fw kernel - - - [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.50 "
     "DST=198.51.100.10 LEN=44 TOS=0x00 PREC=0x00 TTL=243 ID=54321 PROTO=TCP SPT=41234 DPT=3389 WINDOW=1024 RES=0x00 "
     "SYN URGP=0",
     {"@timestamp": "2024-03-03T03:11:12.345Z", "rule.name": "UFW BLOCK", "destination.port": 3389}),
    ("Jun 28 04:35:30 Abc-A1 [SOMETHING-1234-A] IN=abc.123 OUT=abc.123 MAC=0a:ea:10:00:f0:06:10:e1:21:31:61:20:01:00:"
     "41:00:00:01 SRC=10.251.1.1 DST=10.251.1.1 LEN=32 TOS=00 PREC=0x00 TTL=63 ID=12345 PROTO=UDP SPT=9000 DPT=9000 "
     "LEN=12 MARK=0",
     {"rule.name": "SOMETHING-1234-A", "event.action": "accepted", "iptables.mark": "0"}),
]


@pytest.mark.parametrize("line, fields", PF, ids=[str(i) for i in range(len(PF))])
def test_pfsense_variant(line: str, fields: dict) -> None:
    ev = get_parser("pfsense").parse(line, ParseContext(year_hint=2024))
    assert ev["event.dataset"] == "pfsense.log" and ev["event.action"] and ev["event.category"] == ["network"]
    assert {k: ev.get(k) for k in fields} == fields
    assert detect_format([line]) == "pfsense"


@pytest.mark.parametrize("line, fields", NF, ids=[str(i) for i in range(len(NF))])
def test_netfilter_variant(line: str, fields: dict) -> None:
    ev = get_parser("iptables").parse(line, ParseContext(year_hint=2024))
    assert ev["event.dataset"] == "iptables.log" and ev["event.action"] and ev["event.category"] == ["network"]
    assert {k: ev.get(k) for k in fields} == fields
    assert detect_format([line]) == "iptables"


def test_pfsense_hostless_other_program_stays_generic():
    ev = get_parser("pfsense").parse("<134>Jul  3 19:10:30 filterlogger[1]: hello", ParseContext(year_hint=2024))
    assert ev["event.dataset"] == "syslog"
