"""Auth, web access and web error log variants we have no real sample of.

Sources: elastic/beats filebeat/module/system/auth/test/{test,secure-rhel7,timestamp}.log,
filebeat/module/nginx/{access,error}/test/*.log, filebeat/module/apache/{access,error}/test/*.log,
the Apache httpd log-format documentation (vhost_combined, ErrorLogFormat), and messages as
OpenSSH 6-9, sudo 1.8/1.9, shadow-utils, util-linux, SSSD and nginx write them (source strings).
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors.parsers import ParseContext, detect_format, get_parser

NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)
H = "Jan  5 10:00:00 h "


def _parse(fmt: str, line: str) -> dict:
    return get_parser(fmt).parse(line, ParseContext(year_hint=2024, now=NOW))


def _check(fmt: str, line: str, expect: dict) -> dict:
    ev = _parse(fmt, line)
    for key, value in expect.items():
        assert ev.get(key) == value, (key, ev)
    return ev


# ---------------------------------------------------------------- sshd and the Linux auth programs

FAIL = {"event.outcome": "failure"}
AUTH_CASES = [
    ("Feb 21 21:54:44 localhost sshd[3402]: Accepted publickey for vagrant from 10.0.2.2 port 63673 ssh2: "
     "RSA 39:33:99:e9:a0:dc:f2:33:a3:e5:72:3b:7c:3a:56:84",  # Filebeat test.log
     {"event.action": "ssh_login", "event.outcome": "success", "user.name": "vagrant", "source.ip": "10.0.2.2",
      "source.port": 63673, "system.auth.ssh.signature": "RSA 39:33:99:e9:a0:dc:f2:33:a3:e5:72:3b:7c:3a:56:84"}),
    (H + "sshd[1]: Accepted publickey for git from 2001:db8::1 port 52000 ssh2: ED25519 SHA256:uNiVztksCsDhcc0u9e8B",
     {"event.action": "ssh_login", "source.ip": "2001:db8::1", "system.auth.ssh.method": "publickey"}),
    (H + "sshd[1]: Accepted keyboard-interactive/pam for alice from 1.2.3.4 port 5000 ssh2",
     {"event.outcome": "success", "system.auth.ssh.method": "keyboard-interactive/pam", "user.name": "alice"}),
    (H + "sshd-session[1]: Accepted password for bob from 1.2.3.4 port 22 ssh2",  # OpenSSH 9.8 split binary
     {"event.dataset": "sshd.auth", "event.action": "ssh_login", "user.name": "bob"}),
    (H + "sshd[1]: Failed password for invalid user admin from 1.2.3.4 port 4444 ssh2",
     {"event.action": "ssh_login", **FAIL, "user.name": "admin", "event.reason": "invalid user"}),
    (H + "sshd[1]: Failed publickey for root from 2001:db8::2 port 1 ssh2: RSA SHA256:xyz",
     {"event.action": "ssh_login", **FAIL, "source.ip": "2001:db8::2", "source.port": 1}),
    (H + "sshd[1]: Connection closed by authenticating user root 1.2.3.4 port 53000 [preauth]",
     {"event.action": "ssh_connection_closed", "user.name": "root", "source.ip": "1.2.3.4", "source.port": 53000}),
    (H + "sshd[1]: Connection reset by 1.2.3.4 port 53000 [preauth]",
     {"event.action": "ssh_connection_closed", "source.ip": "1.2.3.4", "source.port": 53000}),
    (H + "sshd[1]: Connection reset by invalid user admin 1.2.3.4 port 53000 [preauth]",
     {"event.action": "ssh_connection_closed", "user.name": "admin", "source.ip": "1.2.3.4"}),
    (H + "sshd[1]: Disconnected from authenticating user root 1.2.3.4 port 53000 [preauth]",
     {"event.action": "ssh_disconnect", "user.name": "root", "source.port": 53000}),
    (H + "sshd[1]: error: maximum authentication attempts exceeded for root from 1.2.3.4 port 53000 ssh2 [preauth]",
     {"event.action": "ssh_too_many_failures", **FAIL, "user.name": "root", "source.ip": "1.2.3.4", "source.port": 53000}),
    (H + "sshd[1]: error: maximum authentication attempts exceeded for invalid user admin from 1.2.3.4 port 5 ssh2 [preauth]",
     {"event.action": "ssh_too_many_failures", "user.name": "admin", "event.reason": "invalid user"}),
    (H + "sshd[1]: Disconnecting authenticating user root 1.2.3.4 port 53000: Too many authentication failures [preauth]",
     {"event.action": "ssh_too_many_failures", "user.name": "root", "source.port": 53000}),
    ("Feb 19 15:30:04 slave22 sshd[18406]: Did not receive identification string from 2.125.160.217",
     {"event.action": "ssh_no_identification", **FAIL, "source.ip": "2.125.160.217"}),
    (H + "sshd[1]: Bad protocol version identification 'GET / HTTP/1.1' from 1.2.3.4 port 53000",
     {"event.action": "ssh_bad_protocol_version", **FAIL, "source.ip": "1.2.3.4", "event.reason": "GET / HTTP/1.1"}),
    (H + "sshd[1]: error: kex_exchange_identification: Connection closed by remote host",
     {"event.action": "ssh_kex_failure", **FAIL, "event.category": ["network"],
      "event.reason": "Connection closed by remote host"}),
    (H + 'sshd[1]: error: kex_exchange_identification: client sent invalid protocol identifier "GET / HTTP/1.1"',
     {"event.action": "ssh_kex_failure", "event.reason": 'client sent invalid protocol identifier "GET / HTTP/1.1"'}),
    (H + "sshd[1]: banner exchange: Connection from 1.2.3.4 port 53000: invalid format",
     {"event.action": "ssh_kex_failure", "source.ip": "1.2.3.4", "source.port": 53000, "event.reason": "invalid format"}),
    (H + "sshd[1]: Unable to negotiate with 1.2.3.4 port 53000: no matching key exchange method found. "
         "Their offer: diffie-hellman-group1-sha1 [preauth]",
     {"event.action": "ssh_negotiation_failure", **FAIL, "source.ip": "1.2.3.4", "source.port": 53000}),
    (H + "sshd[1]: User root from 1.2.3.4 not allowed because not listed in AllowUsers",
     {"event.action": "ssh_user_not_allowed", **FAIL, "user.name": "root", "source.ip": "1.2.3.4"}),
    (H + "sshd[1]: error: PAM: Authentication failure for illegal user admin from 1.2.3.4",
     {"event.action": "pam_auth_failure", **FAIL, "user.name": "admin", "source.ip": "1.2.3.4"}),
    (H + "sshd[1]: Received disconnect from 1.2.3.4 port 53000:11: Bye Bye [preauth]",
     {"event.action": "ssh_disconnect", "event.reason": "Bye Bye", "source.port": 53000}),
    ("Feb 22 16:45:26 slave22 sshd[2738]: PAM 4 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= "
     "rhost=202.109.143.106  user=root",  # Filebeat secure-rhel7.log
     {"event.action": "pam_auth_failure", "soc.repeat_count": 4, "user.name": "root", "source.ip": "202.109.143.106"}),
    (H + "sshd[1]: pam_sss(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4 user=alice",
     {"event.action": "pam_auth_failure", **FAIL, "event.provider": "pam_sss(sshd:auth)", "user.name": "alice",
      "source.ip": "1.2.3.4"}),
    (H + "sshd[1]: pam_sss(sshd:auth): authentication success; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4 user=alice",
     {"event.action": "pam_auth_success", "event.outcome": "success", "user.name": "alice"}),
    (H + "sshd[1]: pam_sss(sshd:auth): received for user alice: 7 (Authentication failure)",
     {"event.action": "pam_auth_result", **FAIL, "user.name": "alice", "event.reason": "Authentication failure"}),
    (H + "sshd[1]: pam_unix(sshd:session): session opened for user root(uid=0) by (uid=0)",
     {"event.action": "session_opened", "user.name": "root"}),
    ("<38>1 2024-01-31T10:00:00+07:00 h sshd 1 - - Failed password for root from 1.2.3.4 port 22 ssh2",
     {"@timestamp": "2024-01-31T03:00:00.000Z", "event.action": "ssh_login", **FAIL, "source.ip": "1.2.3.4"}),
    # sudo 1.8 / 1.9
    ("Feb 21 23:35:33 localhost sudo: vagrant : TTY=pts/0 ; PWD=/home/vagrant ; USER=root ; COMMAND=/bin/cat /var/log/secure",
     {"event.action": "sudo", "event.outcome": "success", "user.name": "vagrant", "user.effective.name": "root",
      "process.command_line": "/bin/cat /var/log/secure"}),
    ("Feb 24 00:13:02 precise32 sudo:      tsg : user NOT in sudoers ; TTY=pts/1 ; PWD=/home/vagrant ; USER=root ; "
     "COMMAND=/bin/ls", {"event.action": "sudo", **FAIL, "user.name": "tsg", "event.reason": "user NOT in sudoers"}),
    (H + "sudo[99]:    alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/su -",
     {"event.action": "sudo", **FAIL, "event.reason": "3 incorrect password attempts", "process.command_line": "/bin/su -"}),
    (H + "sudo[99]:    alice : TTY=pts/0 ; PWD=/home/my dir ; USER=root ; TSID=000001 ; COMMAND=/bin/ls -la /root",
     {"process.working_directory": "/home/my dir", "process.command_line": "/bin/ls -la /root"}),
    (H + "sudo[99]:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=postgres ; GROUP=postgres ; COMMAND=/usr/bin/psql -c x",
     {"user.effective.name": "postgres", "process.command_line": "/usr/bin/psql -c x"}),
    (H + "sudo[99]: pam_unix(sudo:auth): authentication failure; logname=alice uid=1000 euid=0 tty=/dev/pts/0 "
         "ruser=alice rhost=  user=alice", {"event.action": "pam_auth_failure", "user.name": "alice"}),
    # su, su -l
    (H + "su[5]: (to root) alice on pts/0", {"event.action": "su", "event.outcome": "success", "user.name": "alice",
                                          "user.effective.name": "root"}),
    (H + "su[5]: FAILED SU (to root) alice on pts/0", {"event.action": "su", **FAIL, "user.name": "alice"}),
    (H + "su[5]: pam_unix(su-l:session): session opened for user root(uid=0) by alice(uid=1000)",
     {"event.action": "session_opened", "event.provider": "pam_unix(su-l:session)"}),
    (H + "su: + pts/0 alice:root", {"event.action": "su", "event.outcome": "success", "user.effective.name": "root"}),
    # shadow-utils, gpasswd, passwd, chpasswd
    (H + "useradd[6]: new user: name=bob, UID=1001, GID=1001, home=/home/bob, shell=/bin/bash, from=/dev/pts/0",
     {"event.action": "user_created", "user.name": "bob", "user.id": "1001"}),
    (H + "groupadd[6]: group added to /etc/group: name=dev, GID=1002", {"event.action": "group_created", "group.name": "dev"}),
    (H + "usermod[6]: add 'bob' to group 'sudo'", {"event.action": "user_added_to_group", "group.name": "sudo"}),
    (H + "usermod[6]: change user 'bob' shell from '/bin/sh' to '/bin/bash'", {"event.action": "user_modified"}),
    (H + "userdel[6]: delete user 'bob'", {"event.action": "user_deleted", "user.name": "bob"}),
    (H + "gpasswd[6]: user bob added by root to group wheel",
     {"event.action": "user_added_to_group", "user.name": "bob", "group.name": "wheel", "event.category": ["iam"]}),
    (H + "gpasswd[6]: user bob removed by root from group wheel", {"event.action": "user_removed_from_group"}),
    (H + "passwd[6]: password for 'bob' changed by 'root'", {"event.action": "password_changed", "user.name": "bob"}),
    (H + "chpasswd[6]: pam_unix(chpasswd:chauthtok): password changed for bob", {"event.action": "password_changed"}),
    # logind, cron, login
    (H + "systemd-logind[7]: New session c1 of user lightdm.", {"event.action": "session_opened", "session.id": "c1"}),
    (H + "systemd-logind[7]: Removed session 3.", {"event.action": "session_closed", "session.id": "3"}),
    (H + "CRON[8]: (root) CMD (cd / && run-parts --report /etc/cron.hourly)",
     {"event.action": "cron_command", "process.command_line": "cd / && run-parts --report /etc/cron.hourly"}),
    (H + "login[9]: FAILED LOGIN 1 FROM tty1 FOR root, Authentication failure",
     {"event.action": "login", **FAIL, "user.name": "root", "process.tty.name": "tty1"}),
    (H + "login[9]: FAILED LOGIN (1) on '/dev/tty1' FOR 'root', Authentication failure",
     {"event.action": "login", **FAIL, "user.name": "root", "process.tty.name": "/dev/tty1"}),
    (H + "login[9]: ROOT LOGIN  on '/dev/tty1'", {"event.action": "login", "event.outcome": "success", "user.name": "root"}),
]


@pytest.mark.parametrize(("line", "expect"), AUTH_CASES, ids=[c[0][16:60] for c in AUTH_CASES])
def test_auth_variant_fields(line: str, expect: dict) -> None:
    ev = _check("sshd", line, expect)
    assert ev["event.category"] and ev["event.action"]


def test_auth_variants_detected_as_auth() -> None:
    assert detect_format([c[0] for c in AUTH_CASES]) == "sshd"


# ---------------------------------------------------------------- access logs

WEB = {"event.category": ["web"], "event.action": "http_request"}
ACCESS_CASES = [
    # nginx $proxy_add_x_forwarded_for before the client (Filebeat nginx test.log)
    ('10.0.0.2, 10.0.0.1, 127.0.0.1 - - [07/Dec/2016:11:05:07 +0100] "GET /ocelot HTTP/1.1" 200 571 "-" "Mozilla/5.0"',
     {**WEB, "source.ip": "127.0.0.1", "network.forwarded_ip": "10.0.0.2", "url.path": "/ocelot",
      "@timestamp": "2016-12-07T10:05:07.000Z", "related.ip": ["10.0.0.2", "10.0.0.1", "127.0.0.1"]}),
    ('"10.5.102.222, 199.96.1.1, 204.246.1.1" 10.2.1.185 - - [22/Jan/2016:13:18:29 +0000] "GET /assets/xxxx?q=100 '
     'HTTP/1.1" 200 25507 "-" "Amazon CloudFront"',
     {"source.ip": "10.2.1.185", "network.forwarded_ip": "10.5.102.222", "url.query": "q=100"}),
    ('2a03:0000:10ff:f00f:0000:0000:0:8000, 10.225.192.17 10.2.2.121 - - [30/Dec/2016:06:47:09 +0000] "GET /test.html '
     'HTTP/1.1" 404 8571 "-" "Facebot"',
     {"source.ip": "10.2.2.121", "network.forwarded_ip": "2a03:0000:10ff:f00f:0000:0000:0:8000", "event.outcome": "failure"}),
    ('127.0.0.1 - - [12/Apr/2018:09:48:40 +0200] "" 400 0 "-" "-"',
     {"source.ip": "127.0.0.1", "http.response.status_code": 400, "http.response.body.bytes": 0}),
    # Apache vhost_combined "%v:%p %h %l %u %t ..." and "%v %h ..." (httpd docs, Filebeat test.log)
    ('www.example.com:443 1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 '
     '"http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"',
     {**WEB, "source.ip": "1.2.3.4", "destination.domain": "www.example.com", "destination.port": 443,
      "http.request.referrer": "http://www.example.com/start.html", "@timestamp": "2000-10-10T20:55:36.000Z"}),
    ('vhost1.domaine.fr 123.123.123.123 - - [04/Jul/2019:09:20:46 +0200] "GET / HTTP/1.1" 200 32953 "-" "Mozilla/5.0"',
     {"source.ip": "123.123.123.123", "destination.domain": "vhost1.domaine.fr", "http.response.status_code": 200}),
    ('::1 - - [26/Dec/2016:16:16:29 +0200] "GET /favicon.ico HTTP/1.1" 404 209', {"source.ip": "::1", "url.path": "/favicon.ico"}),
    ('::1 - - [26/Dec/2016:16:16:48 +0200] "-" 408 -', {"source.ip": "::1", "http.response.status_code": 408}),
    ('monitoring-server - - [29/May/2017:19:02:48 +0000] "GET /status HTTP/1.1" 200 612 "-" "Mozilla/5.0" "-"',
     {"source.domain": "monitoring-server", "url.path": "/status"}),
    ('127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326',  # common (httpd docs)
     {"user.name": "frank", "http.version": "1.0"}),
    ('1.2.3.4 - - [10/Oct/2023:13:55:36 +0700] "\\x16\\x03\\x01\\x00\\xa5\\x01\\x00" 400 157 "-" "-"',  # TLS to port 80
     {"http.request.line": "\\x16\\x03\\x01\\x00\\xa5\\x01\\x00", "http.response.status_code": 400}),
    ('1.2.3.4 - - [10/Oct/2023:13:55:36 +0700] "GET /" 200 10 "-" "-"', {"http.request.method": "GET", "url.path": "/"}),
    ('1.2.3.4 - - [10/Oct/2023:13:55:36 +0700] "GET /search?q=\\"><script> HTTP/1.1" 200 10 "-" "Mozilla \\"q\\" agent"',
     {"url.query": 'q="><script>', "user_agent.original": 'Mozilla "q" agent'}),
    ('2001:db8::1 - alice [10/Oct/2023:13:55:36 +0700] "POST /login HTTP/2.0" 302 0 "https://x/" "curl/8.0" '
     '"203.0.113.5, 10.0.0.1"',  # nginx log_format with "$http_x_forwarded_for" appended
     {"source.ip": "2001:db8::1", "user.name": "alice", "network.forwarded_ip": "203.0.113.5", "http.version": "2.0"}),
    ('1.2.3.4 - - [10/Oct/2023:13:55:36 +0700] "GET /a b c HTTP/1.1" 400 10 "-" "-"',
     {"http.request.method": "GET", "url.original": "/a b c", "http.request.line": "GET /a b c HTTP/1.1"}),
    ('1.2.3.4 - - [10/Oct/2023:13:55:36.123 +0700] "GET / HTTP/1.1" 200 10 "-" "-" 0.005 "1.2.3.5"',
     {"@timestamp": "2023-10-10T06:55:36.123Z", "network.forwarded_ip": "1.2.3.5"}),
    ('1.2.3.4 - - [10/Oct/2023:13:55:36 +0700]  "GET /x HTTP/1.1" 200 10', {"url.path": "/x"}),
    ('1.2.3.4 - "-" [10/Oct/2023:13:55:36 +0700] "GET /x HTTP/1.1" 200 10 "-" "-"', {"url.path": "/x"}),
    ('1.2.3.4 - - [10/Oct/2023:13:55:36 +0700] "OPTIONS * HTTP/1.0" 200 - "-" "Apache (internal dummy connection)"',
     {"http.request.method": "OPTIONS", "url.original": "*"}),
    ('1.2.3.4 - - [10/Oct/2023:13:55:36 +0700] "CONNECT www.example.com:443 HTTP/1.1" 400 10 "-" "-"',
     {"http.request.method": "CONNECT", "url.original": "www.example.com:443"}),
]


@pytest.mark.parametrize(("line", "expect"), ACCESS_CASES, ids=[c[0][:40] for c in ACCESS_CASES])
@pytest.mark.parametrize("fmt", ["nginx", "apache_access"])
def test_access_variant_fields(fmt: str, line: str, expect: dict) -> None:
    ev = _check(fmt, line, expect)
    assert ev["event.outcome"] in ("success", "failure") and ev["log.original"] == line


def test_access_quoted_dash_user_is_no_user() -> None:
    ev = _parse("nginx", '1.2.3.4 - "-" [10/Oct/2023:13:55:36 +0700] "GET /x HTTP/1.1" 200 10 "-" "-"')
    assert "user.name" not in ev


def test_prefixed_access_lines_are_detected() -> None:
    prefixed = [c[0] for c in ACCESS_CASES[:3] + ACCESS_CASES[4:6]]
    assert detect_format(prefixed) == "nginx"


# ---------------------------------------------------------------- Apache and nginx error logs

ERROR_CASES = [
    ("apache_error", "[Mon Dec 26 16:22:00 2016] [error] [client 192.168.33.1] File does not exist: /var/www/favicon.ico, "
     "referer: http://192.168.33.72/",  # Filebeat ubuntu-2.2.22.log
     {"event.action": "file_not_found", **FAIL, "source.ip": "192.168.33.1", "http.request.referrer": "http://192.168.33.72/",
      "@timestamp": "2016-12-26T09:22:00.000Z"}),
    ("apache_error", "[Mon Dec 26 16:15:55.103786 2016] [core:notice] [pid 11379] AH00094: Command line: '/usr/sbin/httpd'",
     {"event.action": "error_log", "error.code": "AH00094", "apache.error.module": "core", "process.pid": 11379,
      "@timestamp": "2016-12-26T09:15:55.103Z"}),
    ("apache_error", "[Wed Oct 20 19:20:59.121211 2021] [rewrite:trace3] [pid 121591:tid 140413273032448] mod_rewrite.c(470): "
     "[client 10.121.192.8:38350] 10.121.192.8 - - [dev.elastic.co/sid#55a374e851c8][rid#7fb438083ac0/initial] applying "
     "pattern '^/import/?(.*)$' to uri '/'",  # Filebeat sublevel.log
     {"log.level": "trace3", "source.ip": "10.121.192.8", "source.port": 38350, "log.origin.file.name": "mod_rewrite.c",
      "log.origin.file.line": 470}),
    ("apache_error", "[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 5678] [client 1.2.3.4:5678] AH00126: "
     "Invalid URI in request GET /../../etc/passwd HTTP/1.1",
     {"event.action": "bad_request", **FAIL, "error.code": "AH00126", "source.port": 5678, "process.thread.id": 5678}),
    ("apache_error", "[Mon Jan 01 10:00:00.123456 2024] [authz_core:error] [pid 123:tid 456] [client 2001:db8::1:51234] "
     "AH01630: client denied by server configuration: /var/www/html/.env",
     {"event.action": "access_denied", **FAIL, "source.ip": "2001:db8::1", "source.port": 51234}),
    ("apache_error", "[Mon Jan 01 10:00:00.123456 2024] [core:info] [pid 1:tid 2] [client ::1:57960] AH00128: File does not "
     "exist: /var/www/html/x", {"source.ip": "::1", "source.port": 57960, "event.action": "file_not_found"}),
    ("apache_error", "[Mon Jan 01 10:00:00 2024] [error] [client 2001:db8::1] File does not exist: /var/www/x",
     {"source.ip": "2001:db8::1"}),  # 2.2 writes no port: the address stays whole
    ("apache_error", '[Mon Jan 01 10:00:00.123456 2024] [:error] [pid 123] [client 1.2.3.4:5555] [client 1.2.3.4] '
     'ModSecurity: Access denied with code 403 (phase 2). Pattern match "x" at ARGS:id. [id "942100"] [uri "/index.php"]',
     {"event.action": "waf_block", **FAIL, "rule.id": "942100", "source.ip": "1.2.3.4",
      "event.category": ["intrusion_detection", "web"]}),
    ("apache_error", '[Mon Jan 01 10:00:00.123456 2024] [security2:error] [pid 123:tid 4] [client 1.2.3.4:5555] '
     '[client 1.2.3.4] ModSecurity: Warning. Matched phrase "etc/passwd" [id "930120"]',
     {"event.action": "waf_alert", "rule.id": "930120", "apache.error.module": "security2"}),
    ("apache_error", "[Mon Jan 01 10:00:00.123456 2024] [auth_basic:error] [pid 1] [client 1.2.3.4:5] AH01618: user admin "
     "not found: /admin", {"event.action": "authentication_failure", **FAIL, "user.name": "admin"}),
    ("apache_error", '[Mon Jan 01 10:00:00.123456 2024] [auth_basic:error] [pid 1] [client 1.2.3.4:5] AH01617: user bob: '
     'authentication failure for "/private": Password Mismatch',
     {"event.action": "authentication_failure", "user.name": "bob", "event.category": ["authentication", "web"]}),
    ("apache_error", "[Mon Jan 01 10:00:00.123456 2024] [cgi:error] [pid 1] [client 1.2.3.4:5] AH01215: /bin/sh: 1: x: "
     "not found: /usr/lib/cgi-bin/t.cgi", {"event.action": "error_log", "error.code": "AH01215"}),
    ("apache_error", "[Mon Jan 01 10:00:00.123456 2024] [proxy:error] [pid 1:tid 2] (111)Connection refused: AH00957: "
     "HTTP: attempt to connect to 127.0.0.1:8080 (127.0.0.1) failed", {"error.code": "AH00957"}),
    ("nginx_error", '2016/10/25 14:49:34 [error] 54053#0: *1 open() "/usr/local/Cellar/nginx/1.10.2_1/html/favicon.ico" '
     'failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /favicon.ico HTTP/1.1", '
     'host: "localhost:8080", referrer: "http://localhost:8080/"',  # Filebeat nginx error.log
     {"event.action": "file_not_found", **FAIL, "source.ip": "127.0.0.1", "destination.domain": "localhost",
      "url.domain": "localhost", "url.port": 8080, "http.request.referrer": "http://localhost:8080/",
      "@timestamp": "2016-10-25T07:49:34.000Z", "nginx.error.connection_id": 1}),
    ("nginx_error", "2024/01/01 10:00:00 [crit] 123#123: *5 SSL_do_handshake() failed (SSL: error:141CF06C:SSL routines:"
     "tls_parse_ctos_key_share:bad key share) while SSL handshaking, client: 2001:db8::1, server: 0.0.0.0:443",
     {"event.action": "error_log", "source.ip": "2001:db8::1", "destination.ip": "0.0.0.0", "destination.port": 443}),
    ("nginx_error", '2024/01/01 10:00:00 [error] 1#1: *7 limiting requests, excess: 10.520 by zone "one", client: 1.2.3.4, '
     'server: example.com, request: "POST /login HTTP/1.1", host: "example.com"',
     {"event.action": "rate_limited", **FAIL, "http.request.method": "POST", "url.path": "/login"}),
    ("nginx_error", '2024/01/01 10:00:00 [error] 1#1: *9 access forbidden by rule, client: 1.2.3.4, server: example.com, '
     'request: "GET /.git/config HTTP/1.1", host: "example.com"', {"event.action": "access_denied", "url.path": "/.git/config"}),
    ("nginx_error", '2024/01/01 10:00:00 [error] 1#1: *9 user "admin": password mismatch, client: 1.2.3.4, server: a, '
     'request: "GET /admin HTTP/1.1", host: "a"', {"event.action": "authentication_failure", **FAIL, "user.name": "admin"}),
    ("nginx_error", '2024/01/01 10:00:00 [error] 1#1: *9 user "bob" was not found in "/etc/nginx/.htpasswd", client: '
     '1.2.3.4, server: a, request: "GET /admin HTTP/1.1"', {"event.action": "authentication_failure", "user.name": "bob"}),
    ("nginx_error", '2024/01/01 10:00:00 [info] 1#1: *3 client sent invalid method while reading client request line, '
     'client: 1.2.3.4, server: _, request: "\\x16\\x03\\x01"', {"event.action": "bad_request", "source.ip": "1.2.3.4"}),
    ("nginx_error", "2024/01/01 10:00:00 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)",
     {"event.action": "error_log", "log.level": "emerg", "process.pid": 1}),
]


@pytest.mark.parametrize(("fmt", "line", "expect"), ERROR_CASES, ids=[c[1][:50] for c in ERROR_CASES])
def test_error_log_variant_fields(fmt: str, line: str, expect: dict) -> None:
    ev = _check(fmt, line, expect)
    assert ev["event.dataset"] == ("apache.error" if fmt == "apache_error" else "nginx.error")
    assert ev["event.category"] and ev["event.action"]


def test_catch_all_server_name_is_not_a_domain() -> None:
    ev = _parse("nginx_error", '2024/01/01 10:00:00 [error] 1#1: *3 "/var/www/html/index.html" is not found (2: No such '
                               'file or directory), client: 1.2.3.4, server: _, request: "GET / HTTP/1.1", host: "1.2.3.4"')
    assert "destination.domain" not in ev and ev["event.action"] == "file_not_found"


def test_error_variants_detected() -> None:
    assert detect_format([c[1] for c in ERROR_CASES if c[0] == "apache_error"]) == "apache_error"
    assert detect_format([c[1] for c in ERROR_CASES if c[0] == "nginx_error"]) == "nginx_error"
