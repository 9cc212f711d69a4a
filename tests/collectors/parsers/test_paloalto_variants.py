"""PAN-OS lines of every log type and relay framing the vendor documents (issue #4).

Sources: lines marked [elastic] are verbatim from Elastic's panw integration test fixtures
(elastic/integrations packages/panw/data_stream/panos/_dev/test/pipeline/test-panw-panos-*-sample.log);
the others are written column by column from PAN-OS "Syslog Field Descriptions" (8.1-11.x).
"""

from __future__ import annotations

import pytest

from collectors.parsers import ParseContext, detect_format, get_parser
from soc.errors import ParseError

CTX = ParseContext(tz="UTC")

# [elastic] system-sample: 26 columns, fewer than TRAFFIC's 31 (was dead-lettered)
SYSTEM_GENERAL = ('1,2021/10/26 15:05:03,,SYSTEM,general,2561,2021/10/26 15:05:03,,general,,0,0,general,informational,'
                  '"Connection to Update server closed: updates.paloaltonetworks.com, source: 81.2.69.193",1234567890,'
                  '0x0,0,0,0,0,,PA-VM,0,0,2021-10-26T15:05:03.440-07:00')
SYSTEM_AUTH_FAIL = ("1,2019/07/02 10:26:13,007200001056,SYSTEM,auth,0,2019/07/02 10:26:13,,auth-fail,,0,0,general,medium,"
                    "\"failed authentication for user 'admin'. Reason: Invalid username/password. From: 10.0.10.55.\","
                    "1055,0x0,0,0,0,0,,PA-VM")
SYSTEM_GP_FAIL = ("<14>Jan 15 08:12:01 PA-3220 1,2020/01/15 08:12:01,001801000123,SYSTEM,globalprotect,0,2020/01/15 08:12:01,,"
                  "globalprotectgateway-auth-fail,GP-GW,0,0,general,informational,\"GlobalProtect gateway user authentication "
                  "failed. Login from: 203.0.113.50, Source region: VN, User name: nguyenvana, Client OS version: Microsoft "
                  "Windows 10 Pro , 64-bit, Reason: Authentication failed: Invalid username or password, Auth type: profile.\","
                  "123456,0x0,0,0,0,0,,PA-3220")
# [elastic] config-sample (the last one with quoted before/after details holding commas and doubled quotes)
CONFIG_FAILED = ("1,2023/10/04 08:27:38,007058000248010,CONFIG,0,2816,2023/10/04 08:27:38,81.2.69.193,,override,admin,Web,"
                 "Failed, deviceconfig system device-telemetry,7286123782408765440,0x0,0,0,0,0,,PA-VM,0,,0,"
                 "2023-10-04T08:27:38.421+01:00")
CONFIG_EDIT = ('1,2024/02/29 16:59:40,01234567890,CONFIG,0,2561,2024/02/29 16:59:40,81.2.69.193,,edit,admin,Web,Succeeded, '
               'vsys  vsys1 address  test123,7304387121517691189,0x0,0,0,0,0,,PA-VM,0,,0,2024-02-29T16:59:40.421+01:00,'
               '"test123  { description ""this, is a test. with, three comma, x4""; } ","test123  { description ""this, is '
               'a test. with, three comma, x5""; } "')
# [elastic] globalprotect-sample: an RFC 3164 stamp with no host in front
GP_LOGIN = ('Nov 30 16:09:08 1,2021/03/02 09:55:42,12345678999,GLOBALPROTECT,0,2305,2021/03/02 09:55:39,vsys1,gateway-auth,'
            'login,Other,,maxmustermann,10.0.0.0-10.255.255.255,PC1234,10.20.30.40,0.0.0.0,0.0.0.0,0.0.0.0,'
            '985e865f-7da3-43b4-89a9-299b1bb0c975,SERIALNR,5.1.1,OS,"OS 10 Enterprise, 64-bit",1,,,,success,,0,pre-logon,0,'
            'GP GW intern,6894571632887748064,0x8000000000000000,1970-01-01T01:00:00.000+01:00,,0,manual only,,')
GP_FAILED_V6 = ("1,2024/03/05 09:00:01,013201001234,GLOBALPROTECT,0,2561,2024/03/05 09:00:01,vsys1,portal-auth,login,"
                "LDAP,,tranvanb,VN,LAPTOP-01,,2001:db8:77::9,,,host-id-1,,6.2.1,Windows,\"Microsoft Windows 11 Pro , 64-bit\","
                "1,Authentication failed: Invalid username or password,,,failure,,0,,0,GP-Portal,1234,0x0")
# [elastic] userid-sample
USERID_LOGIN = ('Nov 30 16:09:08 1,2021/03/24 11:00:49,013101001305,USERID,login,2305,2021/03/24 11:00:49,vsys1,81.2.69.193,'
                'domain\\name,,0,1,10800,0,0,<data-source-collected>,<data-source-type>,1252774,0x0,0,0,0,0,,FW01,1,,'
                '2021/03/24 11:00:49,1,0x80000000,name')
USERID_LOGOUT_8X = ("1,2013/03/28 12:53:05,001701000225,USERID,logout,12,2013/03/28 12:53:05,vsys1,172.17.128.92,"
                    "plano2008r2\\administrator,test,0,1,2700,0,0,active-directory,unknown,1,0x0")
# [elastic] hipmatch-sample
HIPMATCH = ("Nov 30 16:09:08 1,2019/10/09 10:20:15,001234567890002,HIPMATCH,0,2304,2019/10/09 10:20:15,ira,vsys1,"
            "oh-C02ABCDEFGH4,Mac,89.160.20.112,GP-HIP-PROFILE,1,profile,0,0,0123456789,0x0,0,0,0,0,,SumoRedfw01a,1,0.0.0.0,"
            "gh:85:90:99:5a:40,C02ABCDEFGH")
# [elastic] authentication-sample (column names as values), then a real-looking failure
AUTH_NAMES = ("1,2019/11/23 00:44:44,007051000184334,AUTHENTICATION,login,2561,2019/11/23 00:44:44,vsys1,"
              "fe80::4e7:1ab2:f6aa:82fa,user,normalize-user,object,auth-policy,12345,auth-id,vendor,log-action,"
              "server-profile,description,client-type,event-type,10,20,action-flag,0,0,0,0,vsys-name,device-name,vsys-id,"
              "auth-protocol,uuid,2021-11-23T01:03:05.498-08:00")
AUTH_FAIL = ("1,2024/03/05 09:10:00,013201001234,AUTHENTICATION,0,2561,2024/03/05 09:10:00,vsys1,10.20.1.15,"
             "hoangc,hoangc,captive-portal,mfa-policy,1,7301,Okta,log-fwd,okta-prof,Invalid OTP,browser,auth-fail,1,"
             "998,0x0,0,0,0,0,,PA-5220")
# [elastic] decryption-sample: RFC 3164 header with PRI (its year-less time must not beat the CSV's)
DECRYPTION = ("<14>Nov 30 16:09:33 PA-220 1,2021/11/11 15:42:44,007051000184334,DECRYPTION,0,2561,2021/11/11 15:42:44,"
              "81.2.69.145,81.2.69.144,81.2.69.145,81.2.69.144,intrazone-default,,,incomplete,vsys1,LAN,LAN,ethernet1/2,"
              "ethernet1/2,,2021/11/11 15:42:44,33288,1,49908,443,49908,20077,0x1400000,tcp,allow,N/A,,,,,"
              "731a6a1a-9a62-4a92-a49a-0876025a9436,Server_Hello,Client_Hello,TLS1.2,ECDHE,AES_256_GCM,SHA384")
# [elastic] threat-sample: URL filtering writes the threat name as "(9999)" alone
THREAT_URL = ('Nov 30 16:44:36 PA-220 1,2018/11/30 16:44:36,012801096514,THREAT,url,2049,2018/11/30 16:44:36,192.168.15.224,'
              '175.16.199.1,192.168.1.63,175.16.199.1,new_outbound_from_trust,,,ssl,vsys1,trust,untrust,ethernet1/2,'
              'ethernet1/1,send_to_mac,2018/11/30 16:44:36,28191,1,52984,443,37679,443,0x403000,tcp,block-url,'
              '"consent.cmp.oath.com/",(9999),business-and-economy,informational,client-to-server,7726,0x2000000000000000,'
              '192.168.0.0-192.168.255.255,United States,0,,0,,,0,,,,,,,,0,0,0,0,0,,PA-220,,,,,0,,0,,N/A,unknown,'
              'AppThreat-0-0,0x0,0,4294967295,')
TRAFFIC_V6_5424 = ("<14>1 2024-03-05T10:15:30+07:00 PA-5220 - - - - 1,2024/03/05 10:15:30,013201001234,TRAFFIC,drop,2562,"
                   "2024/03/05 10:15:30,2001:db8::10,2001:db8:1::53,::,::,deny-v6,,,not-applicable,vsys1,trust,untrust,"
                   "ethernet1/1,,log-fwd,2024/03/05 10:15:30,0,1,51234,53,0,0,0x0,udp,deny,78,78,0,1,2024/03/05 10:15:30,0,"
                   "any,,7300000000000000001,0x8000000000000000,United States,United States,,1,0,policy-deny,0,0,0,0,,"
                   "PA-5220,from-policy,,,0,,0,,N/A,0,0,0,0")
THREAT_WILDFIRE = ("2024-03-05T11:00:00.250+07:00 PA-5220 1,2024/03/05 11:00:00,013201001234,THREAT,wildfire-virus,2562,"
                   "2024/03/05 11:00:00,10.1.1.20,198.51.100.7,203.0.113.2,198.51.100.7,allow-web,corp\\tran,,web-browsing,"
                   "vsys1,trust,untrust,ethernet1/1,ethernet1/2,log-fwd,2024/03/05 11:00:00,4455,1,50123,80,40123,80,"
                   "0x402000,tcp,reset-both,\"invoice.exe\",Virus/Win32.WGeneric.abcd(283948123),any,high,"
                   "server-to-client,99,0x2000000000000000,10.0.0.0-10.255.255.255,United States,0,")
THREAT_SPYWARE = ("1,2024/03/05 11:05:00,013201001234,THREAT,spyware,2562,2024/03/05 11:05:00,10.1.1.21,10.0.0.53,,,dns-out,,,"
                  "dns,vsys1,trust,untrust,ethernet1/1,ethernet1/2,log-fwd,2024/03/05 11:05:00,4460,1,53001,53,0,0,0x2000,"
                  "udp,sinkhole,,Suspicious Domain: evil.example.com(109010001),any,medium,client-to-server,100,0x0,"
                  "10.0.0.0-10.255.255.255,10.0.0.0-10.255.255.255,0,")
# [elastic] inc-other-sample: PAN-OS 4/5 CONFIG of 16 columns behind a host-less RFC 3164 stamp
CONFIG_OLD = ("Mar 25 23:58:57 1,2013/03/25 23:58:57,1606001116,CONFIG,0,0,2012/02/25 00:51:50,192.168.0.2,,set,admin,"
              "Web,Succeeded, config shared local-user-database user  badguy,0,0x0")
# [elastic] time-sample (shortened): tunnel inspection logs are typed START / END, with TRAFFIC's columns
TUNNEL_START = ("1,2021/11/23 00:44:44,1234567890,START,start,2561,2021/11/23 00:44:44,10.0.0.10,175.16.199.1,10.0.0.20,"
                "10.0.0.30,rule,,d-user,app,vsys,s-zone,d-zone,inbound,outbound,log,,id,100,9000,9550,9200,9300,0,tcp,"
                "action,4,1000,user,src-loc,dst-loc,0,0,0,0,vsys-name,d-name")
# [elastic] globalprotect-sample: relayed by Cortex Data Lake, ISO-8601 times in the CSV
GP_ISO = ("Nov 30 16:09:08 931201168,2021-10-22T16:10:10.000000Z,no-serial,GLOBALPROTECT,globalprotect,9.1,"
          "2021-10-22T16:10:05.000000Z,vsys1,gateway-hip-check,host-info,,,host\\\\user,,HOSTNAME,10.1.1.1,,10.2.2.2,"
          "fc00::1,8cbc136b-e262-4cf8-912c-95ea132d9fef,SERIALNR,5.2.6,,,1,,,HIP report is not needed,success,,0,,0,"
          "GlobalProtect_External_Gateway,1305925,true")
IPTAG = "1,2024/03/05 11:10:00,013201001234,IPTAG,0,2561,2024/03/05 11:10:00,vsys1,10.1.1.30,quarantine,register,0,1,0x0"


def parse(line: str) -> dict:
    return get_parser("paloalto").parse(line, CTX)


def test_system_lines_have_fewer_columns_than_traffic():
    ev = parse(SYSTEM_GENERAL)
    assert (ev["event.dataset"], ev["event.action"], ev["log.level"]) == ("paloalto.system", "general", "informational")
    assert ev["message"].startswith("Connection to Update server closed") and ev["observer.name"] == "PA-VM"
    assert "source.ip" not in ev and ev["event.category"] == ["host"]


def test_system_login_failures_name_the_user_and_address():
    ev = parse(SYSTEM_AUTH_FAIL)
    assert (ev["event.category"], ev["event.action"], ev["event.outcome"]) == (["authentication"], "auth-fail", "failure")
    assert (ev["user.name"], ev["source.ip"], ev["observer.serial_number"]) == ("admin", "10.0.10.55", "007200001056")
    gp = parse(SYSTEM_GP_FAIL)
    assert (gp["event.action"], gp["event.outcome"], gp["event.category"]) == (
        "globalprotectgateway-auth-fail", "failure", ["authentication"])
    assert (gp["user.name"], gp["source.ip"], gp["observer.name"]) == ("nguyenvana", "203.0.113.50", "PA-3220")
    assert gp["@timestamp"] == "2020-01-15T08:12:01.000Z"  # the CSV's time, not the year-less header's


def test_config_lines():
    ev = parse(CONFIG_FAILED)
    assert (ev["event.category"], ev["event.type"], ev["event.action"]) == (["configuration"], ["change"], "override")
    assert (ev["user.name"], ev["source.ip"], ev["event.outcome"]) == ("admin", "81.2.69.193", "failure")
    assert ev["panw.panos.config_path"].strip() == "deviceconfig system device-telemetry"
    edit = parse(CONFIG_EDIT)
    assert (edit["event.action"], edit["event.outcome"], edit["observer.name"]) == ("edit", "success", "PA-VM")


def test_globalprotect_lines():
    ev = parse(GP_LOGIN)
    assert (ev["event.dataset"], ev["event.action"], ev["event.outcome"]) == (
        "paloalto.globalprotect", "gateway-auth", "success")
    assert (ev["user.name"], ev["source.ip"], ev["host.hostname"]) == ("maxmustermann", "10.20.30.40", "PC1234")
    assert ev["event.category"] == ["authentication"] and "host.name" not in ev  # no host in "Nov 30 16:09:08 "
    v6 = parse(GP_FAILED_V6)
    assert (v6["source.ip"], v6["user.name"], v6["event.outcome"]) == ("2001:db8:77::9", "tranvanb", "failure")
    assert v6["event.reason"].startswith("Authentication failed")


def test_userid_hipmatch_and_authentication_lines():
    ev = parse(USERID_LOGIN)
    assert (ev["source.ip"], ev["user.name"], ev["event.action"], ev["event.type"]) == (
        "81.2.69.193", "domain\\name", "login", ["start"])
    assert ev["observer.name"] == "FW01" and "destination.ip" not in ev
    old = parse(USERID_LOGOUT_8X)  # PAN-OS 6-8: 20 columns
    assert (old["source.ip"], old["event.type"], old["panw.panos.datasource"]) == (
        "172.17.128.92", ["end"], "active-directory")
    hip = parse(HIPMATCH)
    assert (hip["user.name"], hip["source.ip"], hip["host.hostname"], hip["rule.name"]) == (
        "ira", "89.160.20.112", "oh-C02ABCDEFGH4", "GP-HIP-PROFILE")
    names = parse(AUTH_NAMES)
    assert (names["source.ip"], names["user.name"], names["rule.name"]) == ("fe80::4e7:1ab2:f6aa:82fa", "user", "auth-policy")
    fail = parse(AUTH_FAIL)
    assert (fail["event.action"], fail["event.outcome"], fail["user.name"], fail["source.ip"]) == (
        "auth-fail", "failure", "hoangc", "10.20.1.15")
    assert fail["message"] == "Invalid OTP" and fail["observer.name"] == "PA-5220"


def test_decryption_has_traffic_columns_and_a_3164_header_keeps_the_csv_time():
    ev = parse(DECRYPTION)
    assert ev["@timestamp"] == "2021-11-11T15:42:44.000Z"
    assert (ev["source.ip"], ev["destination.port"], ev["event.action"], ev["observer.name"]) == (
        "81.2.69.145", 443, "allow", "PA-220")


def test_threat_subtypes():
    url = parse(THREAT_URL)
    assert (url["rule.id"], url["event.outcome"], url["url.original"]) == ("9999", "failure", "consent.cmp.oath.com/")
    assert "rule.name" not in url and url["panw.panos.rule_name"] == "new_outbound_from_trust"
    wf = parse(THREAT_WILDFIRE)
    assert wf["@timestamp"] == "2024-03-05T04:00:00.250Z"  # RFC 3339 header with an offset wins
    assert (wf["rule.name"], wf["rule.id"], wf["file.name"]) == (
        "Virus/Win32.WGeneric.abcd", "283948123", "invoice.exe")
    assert "malware" in wf["event.category"] and wf["event.outcome"] == "failure"
    spy = parse(THREAT_SPYWARE)
    assert (spy["event.action"], spy["event.outcome"], spy["rule.id"]) == ("sinkhole", "failure", "109010001")
    assert spy["rule.name"] == "Suspicious Domain: evil.example.com" and "source.nat.ip" not in spy


def test_ipv6_traffic_behind_an_rfc5424_header():
    ev = parse(TRAFFIC_V6_5424)
    assert ev["@timestamp"] == "2024-03-05T03:15:30.000Z" and ev["host.name"] == "PA-5220"
    assert (ev["source.ip"], ev["destination.ip"], ev["destination.port"]) == ("2001:db8::10", "2001:db8:1::53", 53)
    assert "source.nat.ip" not in ev and "destination.nat.ip" not in ev  # "::" is no address
    assert (ev["event.action"], ev["event.outcome"], ev["event.reason"]) == ("deny", "failure", "policy-deny")
    assert "denied" in ev["event.type"]


def test_old_config_tunnel_and_iso_time_variants():
    old = parse(CONFIG_OLD)
    assert (old["event.action"], old["user.name"], old["source.ip"], old["event.outcome"]) == (
        "set", "admin", "192.168.0.2", "success")
    tunnel = parse(TUNNEL_START)
    assert (tunnel["event.dataset"], tunnel["source.ip"], tunnel["destination.nat.ip"], tunnel["source.port"]) == (
        "paloalto.start", "10.0.0.10", "10.0.0.30", 9000)
    iso = parse(GP_ISO)
    assert (iso["@timestamp"], iso["event.action"], iso["source.ip"], iso["event.outcome"]) == (
        "2021-10-22T16:10:10.000Z", "gateway-hip-check", "10.1.1.1", "success")


def test_unknown_type_keeps_the_common_columns_only():
    ev = parse(IPTAG)
    assert (ev["event.dataset"], ev["observer.serial_number"], ev["@timestamp"]) == (
        "paloalto.iptag", "013201001234", "2024-03-05T11:10:00.000Z")
    assert "source.ip" not in ev  # its columns are not TRAFFIC's


ALL = [SYSTEM_GENERAL, SYSTEM_AUTH_FAIL, SYSTEM_GP_FAIL, CONFIG_FAILED, CONFIG_EDIT, GP_LOGIN, GP_FAILED_V6,
       USERID_LOGIN, USERID_LOGOUT_8X, HIPMATCH, AUTH_NAMES, AUTH_FAIL, DECRYPTION, THREAT_URL, TRAFFIC_V6_5424,
       THREAT_WILDFIRE, THREAT_SPYWARE, IPTAG, CONFIG_OLD, TUNNEL_START, GP_ISO]


@pytest.mark.parametrize("line", ALL)
def test_every_variant_is_detected_and_has_the_core_fields(line):
    assert get_parser("paloalto").detects(line)
    ev = parse(line)
    assert ev["event.dataset"].startswith("paloalto.") and ev["event.category"] and ev["@timestamp"].endswith("Z")
    for field in ("source.ip", "destination.ip", "source.nat.ip"):
        if field in ev:  # names, zones or vsys never land in an address field
            assert ":" in ev[field] or ev[field].replace(".", "").isdigit(), (field, ev[field])


def test_detect_format_on_a_mixed_sample():
    assert detect_format(ALL) == "paloalto"


def test_too_few_columns_is_still_an_error():
    with pytest.raises(ParseError, match="at least 7"):
        parse("1,2024/03/05 11:10:00,0132,SYSTEM,general")
    with pytest.raises(ParseError, match="THREAT line with 12 columns"):
        parse("1,2024/03/05 11:10:00,0132,THREAT,url,0,2024/03/05 11:10:00,1.2.3.4,5.6.7.8,,,rule")
