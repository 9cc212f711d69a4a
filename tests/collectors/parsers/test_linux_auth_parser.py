"""sshd / Linux auth parser on the real loghub OpenSSH and Linux samples, plus sudo/su/useradd/cron lines."""

from __future__ import annotations

from collections import Counter

import pytest

from collectors.parsers import ParseContext, detect_format, get_parser
from soc.errors import ParseError


@pytest.fixture
def parser():
    return get_parser("sshd")


def _parse_file(parser, path, year=2015):
    ctx = ParseContext(year_hint=year)
    lines = path.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
    events, errors = [], []
    for ln in lines:
        try:
            events.append(parser.parse(ln, ctx))
        except ParseError as exc:
            errors.append((ln, exc.reason))
    return lines, events, errors


def test_openssh_sample_parsed_with_actions(parser, shared_data):
    lines, events, errors = _parse_file(parser, shared_data / "loghub" / "OpenSSH_2k.log")
    assert len(lines) == 2000 and not errors
    assert all(e["event.dataset"] == "sshd.auth" and e["host.name"] == "LabSZ" for e in events)
    actions = Counter(e.get("event.action") for e in events)
    # 520 "Failed password" + 2 "Failed none" + 2 "message repeated ... Failed password" (from the file)
    assert actions["ssh_login"] == 525
    assert actions["ssh_invalid_user"] == 113
    assert actions["ssh_possible_break_in"] == 85
    # only "PAM service(sshd) ignoring max retries" carries no action
    assert all(e["message"].startswith("PAM service(sshd) ignoring") for e in events if not e.get("event.action"))
    hammer = [e for e in events if e.get("source.ip") == "183.62.140.253"]
    assert len(hammer) == 867 - sum(1 for ln in lines if "183.62.140.253" in ln and "check pass" in ln)


def test_failed_password_for_invalid_user_fields(parser, shared_data):
    lines = (shared_data / "loghub" / "OpenSSH_2k.log").read_text().splitlines()
    ev = parser.parse(lines[5], ParseContext(year_hint=2015))  # line 6 of the file
    assert lines[5].endswith("Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2")
    assert ev["@timestamp"] == "2015-12-09T23:55:48.000Z"
    assert (ev["event.action"], ev["event.outcome"], ev["event.category"]) == ("ssh_login", "failure", ["authentication"])
    assert ev["user.name"] == "webmaster" and ev["event.reason"] == "invalid user"
    assert ev["source.ip"] == "173.234.31.186" and ev["source.port"] == 38926
    assert ev["process.name"] == "sshd" and ev["process.pid"] == 24200
    assert ev["system.auth.ssh.method"] == "password"


def test_accepted_password_and_break_in(parser, shared_data):
    lines = (shared_data / "loghub" / "OpenSSH_2k.log").read_text().splitlines()
    ev = parser.parse(lines[955], ParseContext(year_hint=2015))
    assert (ev["event.action"], ev["event.outcome"], ev["user.name"], ev["source.ip"], ev["source.port"]) == (
        "ssh_login", "success", "fztu", "119.137.62.142", 49116)
    ev = parser.parse(lines[0], ParseContext(year_hint=2015))
    assert ev["event.action"] == "ssh_possible_break_in"
    assert ev["source.ip"] == "173.234.31.186" and ev["source.domain"] == "ns.marryaldkfaczcz.com"


def test_message_repeated_counts(parser):
    ev = parser.parse("Dec 10 09:07:24 LabSZ sshd[24506]: message repeated 5 times: [ Failed password for root "
                      "from 183.62.140.253 port 46244 ssh2]", ParseContext())
    assert ev["event.action"] == "ssh_login" and ev["soc.repeat_count"] == 5 and ev["user.name"] == "root"


def test_linux_messages_sample(parser, shared_data):
    lines, events, errors = _parse_file(parser, shared_data / "loghub" / "Linux_2k.log", 2005)
    assert len(lines) == 2000 and not errors
    datasets = Counter(e["event.dataset"] for e in events)
    assert datasets["sshd.auth"] == 677  # every sshd(pam_unix) line
    fails = [e for e in events if e.get("event.action") == "pam_auth_failure" and e["event.dataset"] == "sshd.auth"]
    assert len(fails) == 489
    first = events[0]
    assert first["process.name"] == "sshd" and first["source.ip"] == "218.188.2.4"
    named = [e for e in fails if e.get("source.domain") == "220-135-151-1.hinet-ip.hinet.net"]
    assert named and all(e["user.name"] == "root" for e in named)
    su = [e for e in events if e.get("process.name") == "su" and e.get("event.action") == "session_opened"]
    assert su and su[0]["event.dataset"] == "linux.auth"
    assert datasets["linux.syslog"] == sum(1 for e in events if e.get("process.name") not in ("sshd", "su", "login", "gdm"))
    assert detect_format(lines[:200]) == "sshd"


@pytest.mark.parametrize(
    "msg, expect",
    [
        ("sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/cat /etc/shadow",
         {"event.action": "sudo", "event.outcome": "success", "user.name": "alice", "user.effective.name": "root",
          "process.command_line": "/bin/cat /etc/shadow"}),
        ("sudo:      bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash",
         {"event.action": "sudo", "event.outcome": "failure", "event.reason": "3 incorrect password attempts"}),
        ("sudo: pam_unix(sudo:auth): authentication failure; logname=bob uid=1000 euid=0 tty=/dev/pts/1 "
         "ruser=bob rhost=  user=bob", {"event.action": "pam_auth_failure", "user.name": "bob"}),
        ("su[2001]: FAILED su for root by alice", {"event.action": "su", "event.outcome": "failure",
                                                  "user.name": "alice", "user.effective.name": "root"}),
        ("su: pam_unix(su-l:session): session opened for user root(uid=0) by alice(uid=1000)",
         {"event.action": "session_opened", "user.name": "root", "user.effective.name": "alice"}),
        ("useradd[3001]: new user: name=backdoor, UID=1002, GID=1002, home=/home/backdoor, shell=/bin/bash",
         {"event.action": "user_created", "user.name": "backdoor", "user.id": "1002", "event.category": ["iam"]}),
        ("usermod[3002]: add 'backdoor' to group 'sudo'",
         {"event.action": "user_added_to_group", "user.name": "backdoor", "group.name": "sudo"}),
        ("groupadd[3003]: group added to /etc/group: name=dev, GID=1003",
         {"event.action": "group_created", "group.name": "dev", "group.id": "1003"}),
        ("userdel[3004]: delete user 'backdoor'", {"event.action": "user_deleted", "user.name": "backdoor"}),
        ("CRON[4001]: pam_unix(cron:session): session opened for user root by (uid=0)",
         {"event.action": "session_opened", "user.name": "root"}),
        ("CRON[4002]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)",
         {"event.action": "cron_command", "user.name": "root"}),
        ("sshd[5001]: Accepted publickey for deploy from 10.0.0.5 port 50022 ssh2: RSA SHA256:abc",
         {"event.action": "ssh_login", "event.outcome": "success", "system.auth.ssh.method": "publickey"}),
        ("sshd[5002]: Disconnected from authenticating user root 203.0.113.9 port 41000 [preauth]",
         {"event.action": "ssh_disconnect", "user.name": "root", "source.ip": "203.0.113.9"}),
        ("sshd[5003]: Connection closed by invalid user admin 203.0.113.9 port 41002 [preauth]",
         {"event.action": "ssh_connection_closed", "user.name": "admin", "source.port": 41002}),
        ("sshd[5004]: Invalid user oracle from 2001:db8::7 port 5555",
         {"event.action": "ssh_invalid_user", "source.ip": "2001:db8::7", "source.port": 5555}),
    ],
)
def test_auth_programs(parser, msg, expect):
    ev = parser.parse(f"Nov 23 10:00:00 srv01 {msg}", ParseContext(year_hint=2026))
    assert ev["event.dataset"] == ("sshd.auth" if msg.startswith("sshd") else "linux.auth")
    for key, value in expect.items():
        assert ev[key] == value, key


def test_not_syslog_is_parse_error(parser):
    with pytest.raises(ParseError, match="not a syslog line"):
        parser.parse("Failed password for root from 1.2.3.4 port 22 ssh2", ParseContext())


# ---------------------------------------------------------------- str.find paths agree with the regexes

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from collectors.parsers import linux_auth as la  # noqa: E402

_PIECES = ["from", " from ", " port ", "port", " ", "  ", "22", "5", "٣", "²", "1.2.3.4", "::1", "host.example",
           "invalid user ", "user", "user=", " user=root", "[preauth]", " [preauth]", "[", "]", ":", ": ", "11",
           " failed", "ssh2", "root", "\t", "\xa0", "é", "\x7f", "-", "=", ";"]


def _slot(*usual: str):
    return st.one_of(st.sampled_from(usual), st.lists(st.sampled_from(_PIECES), max_size=4).map("".join))


_USER = _slot("root", "", "a from b", " from ", "from 1.1.1.1 port 2 x", "x\ty", "invalid user ")
_ADDR = _slot("1.2.3.4", "", "a b", "::1", "2001:db8::1", "[1.2.3.4]", "h]")
_PORT = _slot("22", "", "٣", "²", "22x", "2 2")
_END = _slot("", " ssh2", " ssh2 from 5.5.5.5 port 1", " [preauth]", "  ", " x")

# (extractor, its regex, how many of the regex's groups it returns, messages like the real ones)
_CASES = [
    (la._failed_groups, la._FAILED, 5,
     st.builds("Failed {} for {}{} from {} port {}{}".format, _slot("password", "", "a b"),
               _slot("", "invalid user ", "invalid user"), _USER, _ADDR, _PORT, _END)),
    (la._invalid_groups, la._INVALID, 3, st.builds("Invalid user{}{} from {}{}{}".format,
                                                    _slot(" ", "", "  "), _USER, _ADDR, _slot(" port ", " "), _PORT)),
    (la._input_userauth_groups, la._INPUT_USERAUTH, 1,
     st.builds("input_userauth_request: invalid user{}{}".format, _slot(" ", ""), _USER)),
    (la._reverse_groups, la._REVERSE, 2,
     st.builds("reverse mapping checking getaddrinfo for {} [{}]{}".format, _ADDR, _ADDR, _slot(" failed", ""))),
    (la._received_groups, la._RECEIVED, 4,
     st.builds("Received disconnect from {}{}{}:{}{}: {}{}".format, _ADDR, _slot(" port ", ""), _PORT,
               _slot(" ", ""), _PORT, _USER, _END)),
    (la._pam_fail_groups, la._PAM_FAIL, 7,
     st.builds("authentication failure; logname={} uid={} euid={} tty={} ruser={} rhost={}{}".format,
               _USER, _PORT, _PORT, _slot("ssh"), _USER, _ADDR, _slot("", " user=root", "  user=x y", " user="))),
]


@settings(max_examples=700, deadline=None)
@given(data=st.data(), case=st.sampled_from(_CASES))
def test_sshd_message_cutters_equal_their_regex(data, case):
    cutter, regex, width, messages = case
    msg = data.draw(messages)
    fast = cutter(msg)
    if fast is not None:  # None: the regex decides
        m = regex.match(msg)
        assert m is not None and fast == m.groups()[:width], msg


def test_sshd_message_cutters_take_the_real_lines(shared_data):
    lines = (shared_data / "loghub" / "OpenSSH_2k.log").read_text().splitlines()
    cut = 0
    for line in lines:
        msg = line.split(": ", 1)[1].removeprefix("pam_unix(sshd:auth): ")
        for (cutter, regex, width, _), head in zip(_CASES, ("Failed", "Invalid", "input_", "reverse", "Received", "auth")):
            if msg.startswith(head):
                fast = cutter(msg)
                if fast is not None:
                    cut += 1
                    assert fast == regex.match(msg).groups()[:width], msg
    assert cut >= 1_700  # Failed, Received, Invalid, input_userauth, reverse, pam auth failure lines


@pytest.mark.parametrize("msg, addr, port, reason", [
    ("Received disconnect from ::1: 11: bye", "::1", None, "bye"),
    ("Received disconnect from 2001:db8::7 port 52113:11: disconnected by user", "2001:db8::7", 52113,
     "disconnected by user"),
    ("Received disconnect from 10.0.0.9: 11: Bye Bye [preauth]", "10.0.0.9", None, "Bye Bye"),
])
def test_received_disconnect_keeps_ipv6_addresses_whole(msg, addr, port, reason):
    ev = get_parser("sshd").parse(f"Mar  1 10:00:00 srv sshd[42]: {msg}", ParseContext(year_hint=2024))
    assert (ev["source.ip"], ev.get("source.port"), ev["event.reason"]) == (addr, port, reason)
