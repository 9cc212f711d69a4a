"""FortiGate lines of the types, versions and relays FortiOS documents (issue #4).

Lines marked [elastic] are verbatim (some shortened at the end) from Elastic's fortinet_fortigate
integration fixtures (elastic/integrations packages/fortinet_fortigate/data_stream/log/_dev/test/
pipeline/test-fortinet*.log); the others follow the FortiOS Log Message Reference (5.0-7.4).
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors.parsers import ParseContext, detect_format, fortigate, get_parser

CTX_ARGS = dict(tz="Asia/Ho_Chi_Minh", now=datetime(2026, 12, 31, tzinfo=timezone.utc))

# [elastic] 6.2, no tz=: eventtime (ns) says the device runs at UTC-7, not in the collector's zone
TRAFFIC_NS_NO_TZ = ('date=2019-05-10 time=11:37:47 logid="0000000013" type="traffic" subtype="forward" level="notice" '
                    'vd="vdom1" eventtime=1557513467369913239 srcip=10.1.100.11 srcport=58012 srcintf="port12" '
                    'srcintfrole="undefined" dstip=81.2.69.142 dstport=80 dstintf="port11" dstintfrole="undefined" '
                    'sessionid=105048 proto=6 action="close" policyid=1 policytype="policy" service="HTTP" '
                    'dstcountry="Canada" srccountry="Reserved" trandisp="snat" transip=172.16.200.2 transport=58012 '
                    'app="HTTP.BROWSER_Firefox" duration=116 sentbyte=1188 rcvdbyte=1224 sentpkt=17 rcvdpkt=16 '
                    'utmaction="allow" countapp=1')
# [elastic] multicast, eventtime in seconds, 2 s behind time=
MULTICAST_S = ('date=2019-03-31 time=06:42:54 logid="0002000012" type="traffic" subtype="multicast" level="notice" '
               'vd="vdom1" eventtime=1554039772 srcip=172.16.200.55 srcport=60660 srcintf="port25" dstip=230.1.1.2 '
               'dstport=7878 dstintf="port3" sessionid=1162 proto=17 action="accept" policyid=1 '
               'policytype="multicast-policy" service="udp/7878" duration=22 sentbyte=5940 rcvdbyte=0 sentpkt=11')
# [elastic] an edited sample: eventtime five days off date=, so it is ignored and tz= rules
TZ_WINS = ('<188>date=2020-04-23 time=12:14:09 devname="newfirewall" devid="newrouterid" logid="0000000011" '
           'type="traffic" subtype="forward" level="warning" vd="root" eventtime=1587230049761513222 tz="-0500" '
           'srcip=192.168.1.6 srcport=53438 dstip=175.16.199.1 dstport=53 proto=17 action="dns" policyid=26')
# [elastic] IPv6 local-in ICMPv6
LOCAL_V6 = ('<189>date=2020-04-23 time=12:11:48 devname="newfirewall" devid="newrouterid" logid="0001000014" '
            'type="traffic" subtype="local" level="notice" vd="root" eventtime=1587229908751434997 tz="-0500" '
            'srcip=2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6 identifier=0 srcintf="port1" srcintfrole="lan" '
            'dstip=2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6 dstintf="unknown0" dstintfrole="undefined" sessionid=6542345 '
            'proto=58 action="accept" policyid=0 policytype="someotherpolicy" service="icmp6/1/0" trandisp="noop" '
            'app="icmp6/25/0" duration=42 sentbyte=3014 rcvdbyte=20 sentpkt=4 rcvdpkt=0 appcat="unscanned"')
# FortiOS 5.0: unquoted values, the verdict in status=
FOS50_DENY = ('date=2013-08-08 time=10:55:42 devname=FG100D devid=FG100D3G12801312 logid=0000000013 type=traffic '
              'subtype=forward level=notice vd=root srcip=192.168.1.10 srcport=51234 srcintf="port1" dstip=93.184.216.34 '
              'dstport=80 dstintf="wan1" sessionid=1234 status=deny policyid=0 dstcountry="United States" '
              'srccountry="Reserved" service=HTTP proto=6 duration=0 sentbyte=0 rcvdbyte=0')
# [elastic] 7.4: admin login; then the failure FortiOS logs as logid 0100032002 with status="failed"
ADMIN_OK = ('date=2019-05-13 time=11:20:54 logid="0100032001" type="event" subtype="system" level="information" '
            'vd="vdom1" eventtime=1557771654587081441 logdesc="Admin login successful" sn="1557771654" user="admin" '
            'ui="ssh(172.16.200.254)" method="ssh" srcip=172.16.200.254 dstip=172.16.200.2 action="login" '
            'status="success" reason="none" profile="super_admin" msg="Administrator admin logged in successfully from '
            'ssh(172.16.200.254)"')
ADMIN_FAIL = ('date=2024-05-13 time=11:21:04 devname="FGT-HCM" devid="FG100F0000000001" eventtime=1715574064123456789 '
              'tz="+0700" logid="0100032002" type="event" subtype="system" level="alert" vd="root" '
              'logdesc="Admin login failed" sn="0" user="admin" ui="https(203.0.113.77)" method="https" '
              'srcip=203.0.113.77 dstip=10.0.0.1 action="login" status="failed" reason="passwd_invalid" '
              'msg="Administrator admin login failed from https(203.0.113.77) because of invalid password"')
# [elastic] IPsec phase 1 error: action="negotiate" status="negotiate_error", user="N/A"
VPN_NEG_ERROR = ('<187>date=2020-04-23 time=12:32:47 devname="testswitch3" devid="someotherrouteridagain" '
                 'logid="0101037124" type="event" subtype="vpn" level="error" vd="root" eventtime=1587231168339114138 '
                 'tz="-0500" logdesc="IPsec phase 1 error" msg="IPsec phase 1 error" action="negotiate" '
                 'remip=67.43.156.13 locip=67.43.156.14 remport=500 locport=500 outintf="wan2" user="N/A" group="N/A" '
                 'xauthuser="N/A" xauthgroup="N/A" assignip=N/A vpntunnel="N/A" status="negotiate_error" '
                 'reason="peer SA proposal not match local policy" peer_notif="NOT-APPLICABLE"')
# [elastic] user subtype: authentication success, FSSO log off
USER_AUTH = ('date=2019-05-13 time=15:55:56 logid="0102043008" type="event" subtype="user" level="notice" vd="root" '
             'eventtime=1557788156913809277 logdesc="Authentication success" srcip=10.1.100.11 dstip=172.16.200.55 '
             'policyid=1 interface="port10" user="bob" group="local-group1" authproto="TELNET(10.1.100.11)" '
             'action="authentication" status="success" reason="N/A" msg="User bob succeeded in authentication"')
FSSO_LOGOFF = ('<189>date=2020-04-23 time=14:16:42 devname="testswitch3" devid="someotherrouteridagain" '
               'logid="0102043015" type="event" subtype="user" level="notice" vd="root" eventtime=1587230204674924332 '
               'tz="-0300" logdesc="FSSO log off authentication status" srcip=192.168.1.1 user="elasticadmin" '
               'server="FSSO_somefssoserver" action="FSSO-logoff" msg="FSSO-logoff event from FSSO_somefssoserver"')
# [elastic] routing, wireless
ROUTER = ('date=2019-05-13 time=14:12:26 logid="0103020301" type="event" subtype="router" level="warning" vd="root" '
          'eventtime=1557781946677737955 logdesc="Routing log" msg="OSPF: RECV[Hello]: From 31.1.1.1 via '
          'port9:172.16.200.1: Invalid Area ID 0.0.0.0"')
WIRELESS = ('date=2019-05-13 time=11:30:08 logid="0104043568" type="event" subtype="wireless" level="warning" '
            'vd="vdom1" eventtime=1557772208134721423 logdesc="Fake AP on air" ssid="fortinet" '
            'bssid="90:6c:ac:89:e1:fa" aptype=0 rate=130 radioband="802.11n" channel=6 action="fake-ap-on-air" '
            'manuf="Fortinet, Inc." security="WPA2 Personal" msg="Fake AP On-air fortinet 90:6c:ac:89:e1:fa chan 6"')
# [elastic] UTM: virus, webfilter, dns, app-ctrl, ssl, anomaly
VIRUS = ('date=2019-05-13 time=11:45:03 logid="0211008192" type="utm" subtype="virus" eventtype="infected" '
         'level="warning" vd="vdom1" eventtime=1557773103767393505 msg="File is infected." action="blocked" '
         'service="HTTP" sessionid=359260 srcip=10.1.100.11 dstip=172.16.200.55 srcport=60446 dstport=80 '
         'srcintf="port12" dstintf="port11" policyid=4 proto=6 direction="incoming" filename="eicar.com" '
         'quarskip="File-was-not-quarantined." virus="EICAR_TEST_FILE" dtype="Virus" virusid=2172 '
         'url="http://172.16.200.55/virus/eicar.com" profile="g-default" agent="curl/7.47.0"')
WEBFILTER = ('<188>date=2020-04-23 time=12:17:48 devname="testswitch1" devid="somerouterid" logid="0316013056" '
             'type="utm" subtype="webfilter" eventtype="ftgd_blk" level="warning" vd="root" '
             'eventtime=1587230269052907555 tz="-0500" policyid=100602 sessionid=1234 user="elasticuser" '
             'group="elasticgroup" authserver="elasticauth" srcip=192.168.2.1 srcport=61930 srcintf="port1" '
             'dstip=67.43.156.13 dstport=443 dstintf="wan1" proto=6 service="HTTPS" hostname="elastic.co" '
             'profile="elasticruleset" action="blocked" reqtype="direct" url="/config/" sentbyte=1152 rcvdbyte=1130 '
             'direction="outgoing" msg="URL belongs to a denied category in policy" method="domain" cat=76 '
             'catdesc="Internet Telephony"')
DNS = ('date=2019-05-15 time=15:05:49 logid="1501054802" type="utm" subtype="dns" eventtype="dns-response" '
       'level="notice" vd="vdom1" eventtime=1557957949740931155 policyid=1 sessionid=6887 srcip=10.1.100.22 '
       'srcport=50002 srcintf="port12" dstip=172.16.100.100 dstport=53 dstintf="port11" proto=17 '
       'profile="dnsfilter_fgd" xid=57945 qname="changelogs.ubuntu.com" qtype="AAAA" qtypeval=28 qclass="IN" '
       'ipaddr="2a02:cf40::" msg="Domain is monitored" action="pass" cat=52 catdesc="Information Technology"')
APP_CTRL = ('date=2019-05-15 time=18:03:35 logid="1059028705" type="utm" subtype="app-ctrl" eventtype="app-ctrl-all" '
            'level="warning" vd="root" eventtime=1557968615 appid=16072 srcip=10.1.100.22 dstip=89.160.20.128 '
            'srcport=50798 dstport=443 srcintf="port10" dstintf="port9" proto=6 service="HTTPS" direction="incoming" '
            'policyid=1 sessionid=4414 applist="block-social.media" appcat="Video/Audio" app="Dailymotion" '
            'action="block" hostname="www.dailymotion.com" url="/" msg="Video/Audio: Dailymotion," apprisk="elevated"')
SSL_ANOMALY = ('date=2019-03-28 time=10:44:53 logid="1700062002" type="utm" subtype="ssl" eventtype="ssl-anomalies" '
               'level="warning" vd="vdom1" eventtime=1553795092 policyid=1 sessionid=10796 service="HTTPS" '
               'srcip=10.1.100.66 srcport=43602 dstip=216.160.83.56 dstport=443 srcintf="port2" dstintf="port3" '
               'proto=6 action="blocked" msg="Server certificate blocked" reason="block-cert-invalid"')
ANOMALY = ('date=2019-05-13 time=17:05:59 logid="0720018433" type="utm" subtype="anomaly" eventtype="anomaly" '
           'level="alert" vd="vdom1" eventtime=1557792359461869329 severity="critical" srcip=10.1.100.11 '
           'srccountry="Reserved" dstip=172.16.200.55 srcintf="port12" sessionid=0 action="clear_session" proto=1 '
           'service="PING" count=1 attack="icmp_flood" icmpid="0x1474" attackid=16777316 policyid=1 '
           'policytype="DoS-policy" msg="anomaly: icmp_flood, 51 > threshold 50" crscore=50 craction=4096')
# [elastic] test-fortinet-fix.log: FortiOS escapes a quote inside a quoted value as \"
IPS_ESCAPED = ('<185>date=2026-03-31 time=07:48:26 devname="MYDEV" devid="MYDEVID" eventtime=1773733509096718719 '
               'tz="-0500" logid="0419016384" type="utm" subtype="ips" eventtype="signature" level="alert" vd="root" '
               'severity="high" srcip=10.11.12.1 dstip=10.7.1.5 srcintf="eth0" dstintf="eth1" sessionid=1234567 '
               'action="detected" proto=6 service="HTTP" policyid=11 attack="HTTP.X-Forwarded-For.Header.XSS" '
               'srcport=50123 dstport=443 hostname="10.5.0.1" url="/?sample=1" agent="curl/7.47.0" attackid=55823 '
               'msg="web_misc: HTTP.X-Forwarded-For.Header.XSS" '
               'forwardedfor="abcd0e.xff\\"></script><script>alert(document.domain);</script>" crscore=30')
# the same escape, used by an attacker to try to spoof a field
IPS_SPOOF = ('date=2024-01-31 time=10:00:00 tz="+0700" devname="FGT" devid="FG1" logid="0419016384" type="utm" '
             'subtype="ips" srcip=10.11.12.1 dstip=10.7.1.5 action="detected" attack="X" '
             'forwardedfor="a\\" srcip=6.6.6.6 user=\\"root" crscore=30')
# FortiAnalyzer forwarding: logver= timestamp= devname= devid= vd= before date=
FAZ_FORWARD = ('<185>logver=702071577 timestamp=1700000000 devname="FGT-HN" devid="FG200F0000000001" vd="root" '
               'date=2023-11-14 time=22:13:20 eventtime=1699974800000000000 tz="+0700" logid="0000000013" '
               'type="traffic" subtype="forward" level="notice" srcip=10.0.0.5 srcport=5000 dstip=8.8.8.8 dstport=53 '
               'proto=17 action="accept" policyid=3 service="DNS"')
# relays: RFC 5424 (with structured data), RFC 3164 with and without PRI, odd whitespace
RFC5424 = ('<189>1 2024-01-31T10:00:00+07:00 fgt01 - - - [meta sequenceId="7"] date=2024-01-31 time=10:00:00 '
           'devname="FGT" devid="FG1" logid="0000000013" type="traffic" subtype="forward" srcip=10.0.0.5 '
           'dstip=8.8.8.8 action="deny" proto=6 tz="+0700"')
RFC3164 = ('Jan 31 10:00:00 fgt01 date=2024-01-31  time=10:00:00\tdevname="FGT" devid="FG1" logid="0000000013" '
           'type="traffic"   subtype="forward" srcip=10.0.0.5 dstip=8.8.8.8 action="accept" proto=6 tz="+0700" ')
SSL_VPN_FAIL = ('<190>Jan 31 10:00:00 fgt01 date=2024-01-31 time=10:00:00 devname="FGT" devid="FG1" '
                'eventtime=1706670000 tz="+0700" logid="0101039426" type="event" subtype="vpn" level="alert" vd="root" '
                'logdesc="SSL VPN login fail" action="ssl-login-fail" tunneltype="ssl-web" remip=203.0.113.5 '
                'user="nguyenvana" group="N/A" reason="sslvpn_login_unknown_user" msg="SSL user failed to logged in"')


@pytest.fixture()
def parse():
    parser, ctx = get_parser("fortigate"), ParseContext(**CTX_ARGS)
    return lambda line: parser.parse(line, ctx)


def test_eventtime_gives_the_zone_of_a_line_without_tz(parse):
    assert parse(TRAFFIC_NS_NO_TZ)["@timestamp"] == "2019-05-10T18:37:47.000Z"  # not read in Asia/Ho_Chi_Minh
    assert parse(MULTICAST_S)["@timestamp"] == "2019-03-31T13:42:54.000Z"
    assert parse(TZ_WINS)["@timestamp"] == "2020-04-23T17:14:09.000Z"  # tz= is used as written
    assert parse(ROUTER)["@timestamp"] == "2019-05-13T21:12:26.000Z"
    edited = TRAFFIC_NS_NO_TZ.replace("eventtime=1557513467", "eventtime=1557000000")  # no whole zone apart
    assert parse(edited)["@timestamp"] == "2019-05-10T04:37:47.000Z"  # then ctx.tz


def test_traffic_variants(parse):
    ev = parse(TRAFFIC_NS_NO_TZ)
    assert (ev["source.nat.ip"], ev["source.nat.port"], ev["network.application"]) == (
        "172.16.200.2", 58012, "http.browser_firefox")
    assert (ev["event.action"], ev["event.outcome"], ev["event.duration"]) == ("close", "success", 116 * 10**9)
    v6 = parse(LOCAL_V6)
    assert v6["source.ip"] == "2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6" and v6["network.transport"] == "ipv6-icmp"
    old = parse(FOS50_DENY)
    assert (old["event.action"], old["event.outcome"], old["event.type"]) == (
        "deny", "failure", ["connection", "denied"])
    assert old["observer.name"] == "FG100D" and old["destination.geo.country_name"] == "United States"


def test_login_outcome_comes_from_status(parse):
    ok, bad = parse(ADMIN_OK), parse(ADMIN_FAIL)
    assert (ok["event.category"], ok["event.outcome"], ok["user.name"]) == (["authentication"], "success", "admin")
    assert (bad["event.category"], bad["event.action"], bad["event.outcome"]) == (["authentication"], "login", "failure")
    assert (bad["source.ip"], bad["user.name"], bad["@timestamp"]) == ("203.0.113.77", "admin", "2024-05-13T04:21:04.000Z")
    neg = parse(VPN_NEG_ERROR)
    assert (neg["event.action"], neg["event.outcome"], neg["source.ip"], neg["source.port"]) == (
        "negotiate", "failure", "67.43.156.13", 500)
    assert "user.name" not in neg and neg["event.category"] == ["host"]  # user="N/A" makes no login
    auth = parse(USER_AUTH)
    assert (auth["event.category"], auth["event.outcome"], auth["user.name"]) == (["authentication"], "success", "bob")
    off = parse(FSSO_LOGOFF)
    assert (off["event.type"], off["user.name"]) == (["end"], "elasticadmin")
    vpn = parse(SSL_VPN_FAIL)
    assert (vpn["event.outcome"], vpn["user.name"], vpn["source.ip"], vpn["log.syslog.priority"]) == (
        "failure", "nguyenvana", "203.0.113.5", 190)


def test_utm_variants(parse):
    virus = parse(VIRUS)
    assert virus["event.category"][0] == "malware" and virus["event.kind"] == "alert"
    assert (virus["rule.name"], virus["rule.id"], virus["file.name"]) == ("EICAR_TEST_FILE", "2172", "eicar.com")
    web = parse(WEBFILTER)
    assert (web["url.domain"], web["url.original"], web["rule.category"], web["event.outcome"]) == (
        "elastic.co", "/config/", "Internet Telephony", "failure")
    dns = parse(DNS)
    assert (dns["dns.question.name"], dns["dns.question.type"], dns["event.outcome"]) == (
        "changelogs.ubuntu.com", "AAAA", "success")
    app = parse(APP_CTRL)
    assert (app["network.application"], app["event.action"], app["event.type"]) == ("dailymotion", "block", ["denied"])
    ssl = parse(SSL_ANOMALY)
    assert (ssl["event.outcome"], ssl["fortinet.firewall.reason"]) == ("failure", "block-cert-invalid")
    dos = parse(ANOMALY)
    assert (dos["rule.name"], dos["event.outcome"], dos["event.type"]) == ("icmp_flood", "failure", ["denied"])


def test_escaped_quotes_stay_inside_their_value(parse):
    ev = parse(IPS_ESCAPED)
    assert ev["fortinet.firewall.forwardedfor"] == 'abcd0e.xff\\"></script><script>alert(document.domain);</script>'
    assert ev["event.risk_score"] == 30 and ev["rule.id"] == "55823"
    spoof = parse(IPS_SPOOF)
    assert spoof["source.ip"] == "10.11.12.1" and "user.name" not in spoof
    assert spoof["fortinet.firewall.forwardedfor"] == 'a\\" srcip=6.6.6.6 user=\\"root'


def test_fortianalyzer_keys_before_date_are_kept(parse):
    ev = parse(FAZ_FORWARD)
    assert (ev["observer.name"], ev["observer.serial_number"], ev["fortinet.firewall.logver"]) == (
        "FGT-HN", "FG200F0000000001", "702071577")
    assert ev["@timestamp"] == "2023-11-14T15:13:20.000Z" and ev["event.outcome"] == "success"


def test_relay_headers_and_whitespace(parse):
    ev = parse(RFC5424)
    assert (ev["@timestamp"], ev["event.outcome"], ev["log.syslog.priority"]) == ("2024-01-31T03:00:00.000Z", "failure", 189)
    plain = parse(RFC3164)
    assert (plain["@timestamp"], plain["event.dataset"], plain["destination.ip"]) == (
        "2024-01-31T03:00:00.000Z", "fortigate.traffic", "8.8.8.8")


ALL = [TRAFFIC_NS_NO_TZ, MULTICAST_S, TZ_WINS, LOCAL_V6, FOS50_DENY, ADMIN_OK, ADMIN_FAIL, VPN_NEG_ERROR, USER_AUTH,
       FSSO_LOGOFF, ROUTER, WIRELESS, VIRUS, WEBFILTER, DNS, APP_CTRL, SSL_ANOMALY, ANOMALY, IPS_ESCAPED, IPS_SPOOF,
       FAZ_FORWARD, RFC5424, RFC3164, SSL_VPN_FAIL]


@pytest.mark.parametrize("line", ALL)
def test_every_variant_has_the_core_fields_and_both_paths_agree(line, parse):
    ev = parse(line)
    assert ev["event.dataset"] in ("fortigate.traffic", "fortigate.utm", "fortigate.event")
    assert ev["event.category"] and ev["@timestamp"].endswith(".000Z")
    ctx = ParseContext(**CTX_ARGS)
    assert fortigate.parse_fast(line, ctx) == fortigate.parse_exact(line, ParseContext(**CTX_ARGS))


def test_detect_format_on_the_variants():
    assert detect_format(ALL) == "fortigate"
    assert all(get_parser("fortigate").detects(ln) for ln in ALL)  # devid= or logid= in every one
