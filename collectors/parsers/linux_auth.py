"""Linux auth log (/var/log/auth.log, secure, messages): sshd, sudo, su, user/group admin, pam, cron.

Datasets: `sshd.auth` for sshd lines, `linux.auth` for the other authentication programs,
`linux.syslog` for any other program in the same file (kept as a plain syslog event, never
a dead letter). Actions follow Filebeat's system/auth names where they exist (`ssh_login`).
"""

from __future__ import annotations

import re
from typing import Callable

import cython

from soc.events import Event

from .base import is_ip, register
from .syslog import SyslogFramedParser

SSHD = "sshd.auth"
AUTH = "linux.auth"
OTHER = "linux.syslog"


def _src(ev: Event, addr: str | None, port: str | None = None) -> None:
    """source.ip when `addr` is an address, else source.domain (pam's rhost may be a name)."""
    if addr:
        if _dotted_quad(addr) or is_ip(addr):
            ev["source.ip"] = addr
        else:
            ev["source.domain"] = addr
    if port:
        ev["source.port"] = _to_int(port)


# Small str tests as C loops when compiled (a method call costs more than the scan); each
# gives exactly what the str method it names gives, the interpreted build calls that method.


@cython.cfunc
@cython.inline
def _dotted_quad(text: str) -> cython.bint:
    """text.count(".") == 3 and text.replace(".", "").isdigit()"""
    if not cython.compiled:
        return text.count(".") == 3 and text.replace(".", "").isdigit()
    dots: cython.int = 0
    c: cython.Py_UCS4
    for c in text:
        if c == ".":
            dots += 1
        elif not ("0" <= c <= "9" or (c > 127 and c.isdigit())):
            return False
    return dots == 3 and len(text) > 3


@cython.cfunc
@cython.inline
def _printable(text: str) -> cython.bint:
    """text.isprintable()"""
    if not cython.compiled:
        return text.isprintable()
    c: cython.Py_UCS4
    for c in text:
        if c < 32 or c == 127 or (c > 127 and not c.isprintable()):
            return False
    return True


@cython.cfunc
@cython.inline
def _decimal(text: str) -> cython.bint:
    """text.isdecimal()"""
    if not cython.compiled:
        return text.isdecimal()
    c: cython.Py_UCS4
    for c in text:
        if not ("0" <= c <= "9" or (c > 127 and c.isdecimal())):
            return False
    return len(text) > 0


@cython.cfunc
def _to_int(text: str) -> object:
    """int(text), without the generic conversion for short ASCII numbers."""
    n: cython.Py_ssize_t = len(text)
    if not cython.compiled or n == 0 or n > 18:
        return int(text)
    value: cython.longlong = 0
    c: cython.Py_UCS4
    for c in text:
        if not ("0" <= c <= "9"):
            return int(text)
        value = value * 10 + (ord(c) - 48)
    return value


def _auth(ev: Event, action: str, outcome: str | None, etype: str = "start") -> None:
    ev["event.category"] = ["authentication"]
    ev["event.type"] = [etype]
    ev["event.action"] = action
    if outcome:
        ev["event.outcome"] = outcome


def _session(ev: Event, action: str, etype: str) -> None:
    ev["event.category"] = ["session"]
    ev["event.type"] = [etype]
    ev["event.action"] = action
    ev["event.outcome"] = "success"


# ---------------------------------------------------------------- pam_unix

_PAM_PREFIX = re.compile(r"(pam_unix|pam_sss)\(([\w.-]+):(\w+)\): ?(.*)", re.DOTALL)
_PAM_FAIL = re.compile(
    r"authentication failure; logname=(\S*) uid=(\d*) euid=(\d*) tty=(\S*) ruser=(\S*) rhost=(\S*)(?:\s+user=(\S+))?"
)
_PAM_MORE = re.compile(r"PAM (\d+) more authentication failures?; .*?rhost=(\S*)(?:\s+user=(\S+))?")
_PAM_OPEN = re.compile(r"session opened for user (\S+?)(?:\(uid=\d+\))? by (\S*?)\(uid=(\d+)\)")
_PAM_CLOSE = re.compile(r"session closed for user (\S+?)(?:\(uid=\d+\))?$")
_PAM_PASSWD = re.compile(r"password changed for (\S+)")
# pam_sss (SSSD: LDAP / FreeIPA / AD accounts)
_PAM_SSS_OK = re.compile(r"authentication success; .*?rhost=(\S*)(?:\s+user=(\S+))?")
_PAM_SSS_RECEIVED = re.compile(r"received for user (\S+): (\d+) \((.*)\)$")


def _pam(ev: Event, msg: str) -> bool:
    """Fields of a pam_unix message (without its `pam_unix(svc:type):` prefix); False if unknown."""
    if msg.startswith("authentication failure"):
        g = _pam_fail_groups(msg)
        if g is None:
            m = _PAM_FAIL.match(msg)
            if m is None:
                return False
            g = m.groups()
        _auth(ev, "pam_auth_failure", "failure")
        _src(ev, g[5])
        if g[6]:
            ev["user.name"] = g[6]
        elif g[4]:
            ev["user.name"] = g[4]
        return True
    if msg.startswith("check pass; user unknown"):
        _auth(ev, "pam_user_unknown", "failure", "info")
        ev["event.reason"] = "user unknown"
        return True
    if msg.startswith("session opened"):
        m = _PAM_OPEN.match(msg)
        if m is None:
            return False
        _session(ev, "session_opened", "start")
        ev["user.name"] = m.group(1)
        if m.group(2):
            ev["user.effective.name"] = m.group(2)
        return True
    if msg.startswith("session closed"):
        m = _PAM_CLOSE.match(msg)
        if m is None:
            return False
        _session(ev, "session_closed", "end")
        ev["user.name"] = m.group(1)
        return True
    m = _PAM_PASSWD.match(msg)
    if m is not None:
        _iam(ev, "password_changed", ["user", "change"], "success")
        ev["user.name"] = m.group(1)
        return True
    return _pam_sss(ev, msg)


def _pam_sss(ev: Event, msg: str) -> bool:
    m = _PAM_SSS_OK.match(msg)
    if m is not None:
        _auth(ev, "pam_auth_success", "success")
        _src(ev, m.group(1))
        if m.group(2):
            ev["user.name"] = m.group(2)
        return True
    m = _PAM_SSS_RECEIVED.match(msg)
    if m is not None:  # "received for user alice: 7 (Authentication failure)"; 0 is PAM_SUCCESS
        _auth(ev, "pam_auth_result", "success" if m.group(2) == "0" else "failure", "info")
        ev["user.name"] = m.group(1)
        ev["event.reason"] = m.group(3)
        return True
    return False


def _pam_prefixed(ev: Event, msg: str) -> bool:
    close: cython.Py_ssize_t = msg.find("):", 9)
    head = msg[: close + 1]
    if close > 0 and head in _PAM_HEADS:  # a `pam_unix(svc:type)` the regex read before
        ev["event.provider"] = head
        return _pam(ev, msg[close + 3 :] if msg[close + 2 : close + 3] == " " else msg[close + 2 :])
    m = _PAM_PREFIX.match(msg)
    if m is None:
        return False
    provider = f"{m.group(1)}({m.group(2)}:{m.group(3)})"
    if provider == head and len(_PAM_HEADS) < 256:
        _PAM_HEADS.add(head)
    ev["event.provider"] = provider
    return _pam(ev, m.group(4))


# `pam_unix(svc:type)` / `pam_sss(svc:type)` heads seen: any message starting with one + ":" gives the regex's groups
_PAM_HEADS: set[str] = set()

# The `*_groups` functions below give what their regex's `.match(msg).groups()` gives, cut with
# str.find; they return None when unsure (the regex then decides). They take only printable
# messages: there, `\S` is anything but " ", `\s` is " " and `.` is any char.


def _pam_fail_groups(msg: str) -> tuple | None:
    """_PAM_FAIL's groups."""
    if not msg.startswith("authentication failure; logname=") or not _printable(msg):
        return None
    values = []
    at: cython.Py_ssize_t = 32
    for label in (" uid=", " euid=", " tty=", " ruser=", " rhost="):
        end: cython.Py_ssize_t = msg.find(" ", at)
        if end < 0 or not msg.startswith(label, end):
            return None
        values.append(msg[at:end])
        at = end + len(label)
    uid, euid = values[1], values[2]
    if (uid and not _decimal(uid)) or (euid and not _decimal(euid)):
        return None
    end = msg.find(" ", at)
    if end < 0:
        return values[0], uid, euid, values[3], values[4], msg[at:], None
    rest = msg[end:].lstrip(" ")
    user = None
    if rest.startswith("user=") and rest[5:6] not in ("", " "):
        stop: cython.Py_ssize_t = rest.find(" ", 5)
        user = rest[5:] if stop < 0 else rest[5:stop]
    return values[0], uid, euid, values[3], values[4], msg[at:end], user


# ---------------------------------------------------------------- sshd

_FAILED = re.compile(r"Failed (\S+) for (invalid user )?(.*?) from (\S+) port (\d+)(?: (\w+))?")
_ACCEPTED = re.compile(r"Accepted (\S+) for (.*?) from (\S+) port (\d+)(?: (\w+))?(?:: (.*))?")
_INVALID = re.compile(r"Invalid user ?(.*?) from (\S+)(?: port (\d+))?\s*$")
_INPUT_USERAUTH = re.compile(r"input_userauth_request: invalid user ?(.*?)(?: \[preauth\])?$")
_REVERSE = re.compile(r"reverse mapping checking getaddrinfo for (\S+) \[(\S+)\] failed")
_ADDRESS_MAPS = re.compile(r"Address (\S+) maps to (\S+), but this does not map back")
# the address never ends with ':' so an IPv6 address without " port" ("from ::1: 11: bye") stays whole
_RECEIVED = re.compile(r"Received disconnect from (\S*?[^\s:])(?: port (\d+))?: ?(\d+): (.*?)(?: \[preauth\])?$")
_DISCONNECTED = re.compile(r"Disconnected from (?:(?:invalid |authenticating )?user (\S+) )?(\S+) port (\d+)")
_CLOSED = re.compile(r"Connection (?:closed|reset) by (?:(?:invalid |authenticating )?user (\S+) )?(\S+)(?: port (\d+))?")
_CONN_FROM = re.compile(r"Connection from (\S+) port (\d+)(?: on (\S+) port (\d+))?")
_TOO_MANY = re.compile(r"Disconnecting:? (?:(?:invalid |authenticating )?user (\S+) (\S+) port (\d+): )?"
                       r"Too many authentication failures(?: for (?:invalid user )?(\S+))?")
_NO_IDENT = re.compile(r"Did not receive identification string from (\S+)(?: port (\d+))?")
_MAX_TRIES = re.compile(r"maximum authentication attempts exceeded for (invalid user )?(\S+) from (\S+) port (\d+)")
_BAD_VERSION = re.compile(r"Bad protocol version identification '(.*)' from (\S+?)(?: port (\d+))?$", re.DOTALL)
_BANNER = re.compile(r"banner exchange: Connection from (\S+) port (\d+): (.*?)(?: \[preauth\])?$")
_NEGOTIATE = re.compile(r"Unable to negotiate with (\S+) port (\d+): (.*?)(?: \[preauth\])?$")
_NOT_ALLOWED = re.compile(r"User (\S+) from (\S+) not allowed because (.*)")
_PAM_ERROR = re.compile(r"PAM: Authentication failure for (?:(?:illegal|invalid) user )?(\S+) from (\S+)")
_REPEATED = re.compile(r"message repeated (\d+) times: \[ ?(.*?) ?\]$")


def _failed_groups(msg: str) -> tuple | None:
    """_FAILED's first five groups: "Failed <method> for [invalid user ]<user> from <addr> port <n>"."""
    sp: cython.Py_ssize_t = msg.find(" ", 7)
    if sp <= 7 or not msg.startswith(" for ", sp) or not _printable(msg):
        return None
    at: cython.Py_ssize_t = sp + 5
    invalid = None
    if msg.startswith("invalid user ", at):
        invalid = "invalid user "
        at += 13
    frm: cython.Py_ssize_t = msg.find(" from ", at)
    if frm < 0:
        return None
    addr_at: cython.Py_ssize_t = frm + 6
    addr_end: cython.Py_ssize_t = msg.find(" ", addr_at)
    if addr_end <= addr_at or not msg.startswith(" port ", addr_end):
        return None
    port_end: cython.Py_ssize_t = msg.find(" ", addr_end + 6)
    port = msg[addr_end + 6 :] if port_end < 0 else msg[addr_end + 6 : port_end]
    if not _decimal(port):
        return None
    return msg[7:sp], invalid, msg[at:frm], msg[addr_at:addr_end], port


def _sshd_failed(ev: Event, msg: str) -> bool:
    g = _failed_groups(msg)
    if g is None:
        m = _FAILED.match(msg)
        if m is None:
            return False
        g = m.groups()
    method, invalid, user, addr, port = g[0], g[1], g[2], g[3], g[4]
    ev["event.category"] = ["authentication"]
    ev["event.type"] = ["start"]
    ev["event.action"] = "ssh_login"
    ev["event.outcome"] = "failure"
    ev["user.name"] = user
    _src(ev, addr, port)
    ev["system.auth.ssh.method"] = method
    if invalid:
        ev["event.reason"] = "invalid user"
    return True


def _sshd_accepted(ev: Event, msg: str) -> bool:
    m = _ACCEPTED.match(msg)
    if m is None:
        return False
    _auth(ev, "ssh_login", "success")
    ev["user.name"] = m.group(2)
    _src(ev, m.group(3), m.group(4))
    ev["system.auth.ssh.method"] = m.group(1)
    if m.group(6):
        ev["system.auth.ssh.signature"] = m.group(6)
    return True


def _invalid_groups(msg: str) -> tuple | None:
    """_INVALID's groups: "Invalid user <user> from <addr>[ port <n>]"."""
    if not msg.startswith("Invalid user") or not _printable(msg):
        return None
    at: cython.Py_ssize_t = 13 if msg[12:13] == " " else 12
    frm: cython.Py_ssize_t = msg.find(" from ", at)
    if frm < 0:
        return None
    tail = msg[frm + 6 :].rstrip(" ")
    sp: cython.Py_ssize_t = tail.find(" ")
    if sp < 0:
        return (msg[at:frm], tail, None) if tail else None
    port = tail[sp + 6 :]
    if sp == 0 or not tail.startswith(" port ", sp) or not _decimal(port):
        return None
    return msg[at:frm], tail[:sp], port


def _sshd_invalid(ev: Event, msg: str) -> bool:
    g = _invalid_groups(msg)
    if g is None:
        m = _INVALID.match(msg)
        if m is None:
            return False
        g = m.groups()
    _auth(ev, "ssh_invalid_user", "failure", "info")
    ev["user.name"] = g[0]
    _src(ev, g[1], g[2])
    return True


_PREAUTH = " [preauth]"


def _input_userauth_groups(msg: str) -> tuple | None:
    """_INPUT_USERAUTH's group: "input_userauth_request: invalid user <user>[ [preauth]]"."""
    if not msg.startswith("input_userauth_request: invalid user") or not _printable(msg):
        return None
    at: cython.Py_ssize_t = 37 if msg[36:37] == " " else 36
    if msg.endswith(_PREAUTH) and len(msg) - 10 >= at:
        return (msg[at:-10],)
    return (msg[at:],)


def _sshd_input_userauth(ev: Event, msg: str) -> bool:
    g = _input_userauth_groups(msg)
    if g is None:
        m = _INPUT_USERAUTH.match(msg)
        if m is None:
            return False
        g = m.groups()
    _auth(ev, "ssh_invalid_user_request", "failure", "info")
    ev["user.name"] = g[0]
    return True


_REVERSE_HEAD = "reverse mapping checking getaddrinfo for "


def _reverse_groups(msg: str) -> tuple | None:
    """_REVERSE's groups: "reverse mapping checking getaddrinfo for <name> [<addr>] failed"."""
    at: cython.Py_ssize_t = len(_REVERSE_HEAD)
    if not msg.startswith(_REVERSE_HEAD) or not _printable(msg):
        return None
    sp: cython.Py_ssize_t = msg.find(" ", at)
    if sp <= at or msg[sp + 1 : sp + 2] != "[":
        return None
    end: cython.Py_ssize_t = msg.find(" ", sp + 2)
    if end < 0 or end - sp < 4 or msg[end - 1] != "]" or not msg.startswith(" failed", end):
        return None
    return msg[at:sp], msg[sp + 2 : end - 1]


def _sshd_reverse(ev: Event, msg: str) -> bool:
    g = _reverse_groups(msg)
    if g is None:
        m = _REVERSE.match(msg) or _ADDRESS_MAPS.match(msg)
        if m is None:
            return False
        g = m.groups()
    ev["event.category"] = ["network"]
    ev["event.type"] = ["connection"]
    ev["event.action"] = "ssh_possible_break_in"
    if msg.startswith("reverse"):
        ev["source.domain"] = g[0]
        _src(ev, g[1])
    else:
        _src(ev, g[0])
        ev["source.domain"] = g[1]
    return True


_RECEIVED_HEAD = "Received disconnect from "


def _received_groups(msg: str) -> tuple | None:
    """_RECEIVED's groups: "Received disconnect from <addr>[ port <n>]: <code>: <reason>[ [preauth]]"."""
    if not msg.startswith(_RECEIVED_HEAD) or not _printable(msg):
        return None
    colon: cython.Py_ssize_t = msg.find(":", 25)
    if colon <= 25:
        return None
    where = msg[25:colon]
    sp: cython.Py_ssize_t = where.find(" ")
    port = None
    if sp >= 0:
        port = where[sp + 6 :]
        if sp == 0 or not where.startswith(" port ", sp) or not _decimal(port):
            return None
        where = where[:sp]
    at: cython.Py_ssize_t = colon + 2 if msg[colon + 1 : colon + 2] == " " else colon + 1
    code_end: cython.Py_ssize_t = msg.find(":", at)
    code = msg[at:code_end]
    if code_end < 0 or not _decimal(code) or msg[code_end + 1 : code_end + 2] != " ":
        return None
    at = code_end + 2
    reason = msg[at:-10] if msg.endswith(_PREAUTH) and len(msg) - 10 >= at else msg[at:]
    return where, port, code, reason


def _sshd_received(ev: Event, msg: str) -> bool:
    g = _received_groups(msg)
    if g is None:
        m = _RECEIVED.match(msg)
        if m is None:
            return False
        g = m.groups()
    _disconnect(ev, "ssh_disconnect")
    _src(ev, g[0], g[1])
    ev["event.reason"] = g[3]
    return True


def _sshd_disconnected(ev: Event, msg: str) -> bool:
    m = _DISCONNECTED.match(msg)
    if m is None:
        return False
    _disconnect(ev, "ssh_disconnect")
    if m.group(1):
        ev["user.name"] = m.group(1)
    _src(ev, m.group(2), m.group(3))
    return True


def _sshd_connection(ev: Event, msg: str) -> bool:
    m = _CLOSED.match(msg)
    if m is not None:
        _disconnect(ev, "ssh_connection_closed")
        if m.group(1):
            ev["user.name"] = m.group(1)
        _src(ev, m.group(2), m.group(3))
        return True
    m = _CONN_FROM.match(msg)
    if m is not None:
        ev["event.category"] = ["network"]
        ev["event.type"] = ["connection", "start"]
        ev["event.action"] = "ssh_connection"
        _src(ev, m.group(1), m.group(2))
        if m.group(3):
            ev["destination.ip"] = m.group(3)
            ev["destination.port"] = int(m.group(4))
        return True
    return False


def _sshd_too_many(ev: Event, msg: str) -> bool:
    m = _TOO_MANY.match(msg)
    if m is None:
        return False
    _auth(ev, "ssh_too_many_failures", "failure", "info")
    user = m.group(1) or m.group(4)
    if user:
        ev["user.name"] = user
    if m.group(2):
        _src(ev, m.group(2), m.group(3))
    return True


def _sshd_no_ident(ev: Event, msg: str) -> bool:
    m = _NO_IDENT.match(msg)
    if m is None:
        return False
    ev["event.category"] = ["network"]
    ev["event.type"] = ["connection"]
    ev["event.action"] = "ssh_no_identification"
    ev["event.outcome"] = "failure"
    _src(ev, m.group(1), m.group(2))
    return True


def _sshd_max_tries(ev: Event, msg: str) -> bool:
    m = _MAX_TRIES.match(msg)
    if m is None:
        return False
    _auth(ev, "ssh_too_many_failures", "failure", "info")
    ev["user.name"] = m.group(2)
    _src(ev, m.group(3), m.group(4))
    if m.group(1):
        ev["event.reason"] = "invalid user"
    return True


def _handshake_failed(ev: Event, action: str, reason: str) -> None:
    ev["event.category"] = ["network"]
    ev["event.type"] = ["connection", "denied"]
    ev["event.action"] = action
    ev["event.outcome"] = "failure"
    ev["event.reason"] = reason


def _sshd_bad_version(ev: Event, msg: str) -> bool:
    m = _BAD_VERSION.match(msg)
    if m is None:
        return False
    _handshake_failed(ev, "ssh_bad_protocol_version", m.group(1))
    _src(ev, m.group(2), m.group(3))
    return True


def _sshd_kex(ev: Event, msg: str) -> bool:
    """ "kex_exchange_identification: <why>" (OpenSSH 8.x): the peer is in the next "banner exchange" line."""
    _handshake_failed(ev, "ssh_kex_failure", msg[msg.find(":") + 1 :].strip())
    return True


def _sshd_banner(ev: Event, msg: str) -> bool:
    m = _BANNER.match(msg) or _NEGOTIATE.match(msg)
    if m is None:
        return False
    _handshake_failed(ev, "ssh_kex_failure" if msg[0] == "b" else "ssh_negotiation_failure", m.group(3))
    _src(ev, m.group(1), m.group(2))
    return True


def _sshd_not_allowed(ev: Event, msg: str) -> bool:
    m = _NOT_ALLOWED.match(msg)
    if m is None:
        return False
    _auth(ev, "ssh_user_not_allowed", "failure", "info")
    ev["user.name"] = m.group(1)
    _src(ev, m.group(2))
    ev["event.reason"] = m.group(3)
    return True


def _sshd_pam_error(ev: Event, msg: str) -> bool:
    m = _PAM_ERROR.match(msg)
    if m is None:
        return False
    _auth(ev, "pam_auth_failure", "failure")
    ev["user.name"] = m.group(1)
    _src(ev, m.group(2))
    return True


def _sshd_pam_more(ev: Event, msg: str) -> bool:
    m = _PAM_MORE.match(msg)
    if m is None:
        return False
    _auth(ev, "pam_auth_failure", "failure")
    ev["soc.repeat_count"] = int(m.group(1))
    _src(ev, m.group(2))
    if m.group(3):
        ev["user.name"] = m.group(3)
    return True


def _sshd_repeated(ev: Event, msg: str) -> bool:
    m = _REPEATED.match(msg)
    if m is None:
        return False
    ev["soc.repeat_count"] = int(m.group(1))
    return _sshd_message(ev, m.group(2))


def _sshd_error(ev: Event, msg: str) -> bool:
    inner = msg.split(" ", 1)[1] if " " in msg else ""
    if _sshd_message(ev, inner):
        return True
    ev["event.action"] = "ssh_error"
    ev["log.level"] = "error"
    return True


def _disconnect(ev: Event, action: str) -> None:
    ev["event.category"] = ["network"]
    ev["event.type"] = ["connection", "end"]
    ev["event.action"] = action


_SSHD_BY_WORD: dict[str, Callable[[Event, str], bool]] = {
    "Failed": _sshd_failed,
    "Accepted": _sshd_accepted,
    "Invalid": _sshd_invalid,
    "input_userauth_request:": _sshd_input_userauth,
    "reverse": _sshd_reverse,
    "Address": _sshd_reverse,
    "Received": _sshd_received,
    "Disconnected": _sshd_disconnected,
    "Connection": _sshd_connection,
    "Disconnecting:": _sshd_too_many,
    "Disconnecting": _sshd_too_many,
    "Did": _sshd_no_ident,
    "PAM": _sshd_pam_more,
    "PAM:": _sshd_pam_error,
    "maximum": _sshd_max_tries,
    "Bad": _sshd_bad_version,
    "kex_exchange_identification:": _sshd_kex,
    "banner": _sshd_banner,
    "Unable": _sshd_banner,
    "User": _sshd_not_allowed,
    "message": _sshd_repeated,
    "error:": _sshd_error,
    "fatal:": _sshd_error,
}


def _sshd_message(ev: Event, msg: str) -> bool:
    sp = msg.find(" ")
    word = msg[:sp] if sp > 0 else msg
    handler = _SSHD_BY_WORD.get(word)
    if handler is not None:
        return handler(ev, msg)
    if word.startswith(("pam_unix(", "pam_sss(")):
        return _pam_prefixed(ev, msg)
    return False


def _sshd(ev: Event, msg: str) -> str:
    _sshd_message(ev, msg)
    return SSHD


# ---------------------------------------------------------------- sudo, su

_SUDO = re.compile(r"\s*(\S+) : (?:(.*?) ; )?TTY=(\S*) ; PWD=(.*?) ; USER=(\S+) ;(?: GROUP=\S+ ;)?"
                   r"(?: TSID=\S+ ;)?(?: ENV=.*? ;)? COMMAND=(.*)", re.DOTALL)


def _sudo(ev: Event, msg: str) -> str:
    if _pam_prefixed(ev, msg):
        return AUTH
    m = _SUDO.match(msg)
    if m is not None:
        ev["event.category"] = ["process"]
        ev["event.type"] = ["start"] if m.group(2) is None else ["denied"]
        ev["event.action"] = "sudo"
        ev["event.outcome"] = "success" if m.group(2) is None else "failure"
        ev["user.name"] = m.group(1)
        ev["user.effective.name"] = m.group(5)
        ev["process.working_directory"] = m.group(4)
        ev["process.command_line"] = m.group(6).strip()
        if m.group(3) and m.group(3) != "unknown":
            ev["process.tty.name"] = m.group(3)
        if m.group(2):
            ev["event.reason"] = m.group(2)
    return AUTH


_SU_TO = re.compile(r"(FAILED SU )?\(to (\S+)\) (\S+) on (\S+)")
_SU_RESULT = re.compile(r"(Successful|FAILED) su for (\S+) by (\S+)")
_SU_OLD = re.compile(r"([+-]) (\S+) (\S+):(\S+)$")


def _su(ev: Event, msg: str) -> str:
    if _pam_prefixed(ev, msg) or _pam(ev, msg):
        return AUTH
    m = _SU_TO.match(msg)
    if m is not None:
        _su_fields(ev, m.group(3), m.group(2), "failure" if m.group(1) else "success")
        return AUTH
    m = _SU_RESULT.match(msg)
    if m is not None:
        _su_fields(ev, m.group(3), m.group(2), "success" if m.group(1) == "Successful" else "failure")
        return AUTH
    m = _SU_OLD.match(msg)
    if m is not None:
        _su_fields(ev, m.group(3), m.group(4), "success" if m.group(1) == "+" else "failure")
    return AUTH


def _su_fields(ev: Event, user: str, target: str, outcome: str) -> None:
    _auth(ev, "su", outcome)
    ev["user.name"] = user
    ev["user.effective.name"] = target


# ---------------------------------------------------------------- user and group administration

_NEW_USER = re.compile(r"new user: name=([^,]+), UID=(\d+), GID=(\d+)(?:, home=([^,]*))?(?:, shell=([^,]*))?")
_NEW_GROUP = re.compile(r"(?:new group|group added to \S+): name=([^,]+)(?:, GID=(\d+))?")
_ADD_TO_GROUP = re.compile(r"add '([^']+)' to (?:shadow )?group '([^']+)'")
_CHANGE_USER = re.compile(r"(?:change|lock|unlock) user '([^']+)'")
_DELETE_USER = re.compile(r"delete user '([^']+)'")
_DELETE_GROUP = re.compile(r"(?:removed group '([^']+)'|group '([^']+)' removed)")
_FAILED_ADD = re.compile(r"failed adding user '([^']+)'")
_GPASSWD = re.compile(r"user (\S+) (added|removed) by (\S+) (?:to|from) group (\S+)")
_SHADOW_PASSWD = re.compile(r"password for '([^']+)' changed by '([^']+)'")


def _iam(ev: Event, action: str, types: list[str], outcome: str) -> None:
    ev["event.category"] = ["iam"]
    ev["event.type"] = types
    ev["event.action"] = action
    ev["event.outcome"] = outcome


def _user_admin(ev: Event, msg: str) -> str:
    if _pam_prefixed(ev, msg):
        return AUTH
    m = _NEW_USER.match(msg)
    if m is not None:
        _iam(ev, "user_created", ["user", "creation"], "success")
        ev["user.name"] = m.group(1)
        ev["user.id"] = m.group(2)
        ev["group.id"] = m.group(3)
        return AUTH
    m = _NEW_GROUP.match(msg)
    if m is not None:
        _iam(ev, "group_created", ["group", "creation"], "success")
        ev["group.name"] = m.group(1)
        if m.group(2):
            ev["group.id"] = m.group(2)
        return AUTH
    m = _ADD_TO_GROUP.match(msg)
    if m is not None:
        _iam(ev, "user_added_to_group", ["group", "change"], "success")
        ev["user.name"] = m.group(1)
        ev["group.name"] = m.group(2)
        return AUTH
    m = _DELETE_USER.match(msg)
    if m is not None:
        _iam(ev, "user_deleted", ["user", "deletion"], "success")
        ev["user.name"] = m.group(1)
        return AUTH
    m = _DELETE_GROUP.match(msg)
    if m is not None:
        _iam(ev, "group_deleted", ["group", "deletion"], "success")
        ev["group.name"] = m.group(1) or m.group(2)
        return AUTH
    m = _CHANGE_USER.match(msg)
    if m is not None:
        action = "password_changed" if msg.endswith("password") else "user_modified"
        _iam(ev, action, ["user", "change"], "success")
        ev["user.name"] = m.group(1)
        return AUTH
    m = _FAILED_ADD.match(msg)
    if m is not None:
        _iam(ev, "user_created", ["user", "creation"], "failure")
        ev["user.name"] = m.group(1)
        return AUTH
    m = _GPASSWD.match(msg)
    if m is not None:
        added = m.group(2) == "added"
        _iam(ev, "user_added_to_group" if added else "user_removed_from_group", ["group", "change"], "success")
        ev["user.name"] = m.group(1)
        ev["group.name"] = m.group(4)
        return AUTH
    m = _SHADOW_PASSWD.match(msg)
    if m is not None:
        _iam(ev, "password_changed", ["user", "change"], "success")
        ev["user.name"] = m.group(1)
    return AUTH


# ---------------------------------------------------------------- cron, logind, pam-only programs

_CRON_CMD = re.compile(r"\((\S+)\) CMD \((.*)\)\s*$", re.DOTALL)
_LOGIND_NEW = re.compile(r"New session (\S+) of user (\S+?)\.?$")
_LOGIND_REMOVED = re.compile(r"Removed session (\S+?)\.?$")


def _cron(ev: Event, msg: str) -> str:
    if _pam_prefixed(ev, msg):
        return AUTH
    m = _CRON_CMD.match(msg)
    if m is not None:
        ev["event.category"] = ["process"]
        ev["event.type"] = ["start"]
        ev["event.action"] = "cron_command"
        ev["user.name"] = m.group(1)
        ev["process.command_line"] = m.group(2)
        return AUTH
    return OTHER


def _logind(ev: Event, msg: str) -> str:
    m = _LOGIND_NEW.match(msg)
    if m is not None:
        _session(ev, "session_opened", "start")
        ev["session.id"] = m.group(1)
        ev["user.name"] = m.group(2)
        return AUTH
    m = _LOGIND_REMOVED.match(msg)
    if m is not None:
        _session(ev, "session_closed", "end")
        ev["session.id"] = m.group(1)
        return AUTH
    return OTHER


# util-linux "FAILED LOGIN 1 FROM tty1 FOR root, Authentication failure",
# shadow "FAILED LOGIN (1) on '/dev/tty1' FOR 'root', Authentication failure"; "ROOT LOGIN ON tty1"
_LOGIN_FAILED = re.compile(r"FAILED LOGIN \(?\d+\)? (?:FROM|from|ON|on) '?(\S+?)'? FOR '?(\S+?)'?, (.*)")
_LOGIN_OK = re.compile(r"(?:ROOT )?LOGIN +(?:ON|on) '?(\S+?)'?(?: BY '?(\S+?)'?)?(?: FROM '?(\S+?)'?)?$")


def _login(ev: Event, msg: str) -> str:
    if _pam_prefixed(ev, msg):
        return AUTH
    m = _LOGIN_FAILED.match(msg)
    if m is not None:
        _auth(ev, "login", "failure")
        ev["process.tty.name"] = m.group(1)
        ev["user.name"] = m.group(2)
        ev["event.reason"] = m.group(3)
        return AUTH
    m = _LOGIN_OK.match(msg)
    if m is not None:
        _auth(ev, "login", "success")
        ev["process.tty.name"] = m.group(1)
        user = m.group(2) or ("root" if msg[0] == "R" else None)
        if user:
            ev["user.name"] = user
        if m.group(3):
            _src(ev, m.group(3))
        return AUTH
    return OTHER


def _pam_only(ev: Event, msg: str) -> str:
    return AUTH if _pam_prefixed(ev, msg) else OTHER


_PROGRAMS: dict[str, Callable[[Event, str], str]] = {
    "sshd": _sshd,
    "sshd-session": _sshd,
    "sudo": _sudo,
    "su": _su,
    "useradd": _user_admin,
    "usermod": _user_admin,
    "userdel": _user_admin,
    "groupadd": _user_admin,
    "groupmod": _user_admin,
    "groupdel": _user_admin,
    "passwd": _user_admin,
    "chpasswd": _user_admin,
    "gpasswd": _user_admin,
    "CRON": _cron,
    "cron": _cron,
    "crond": _cron,
    "systemd-logind": _logind,
    "login": _login,
    "gdm": _pam_only,
    "gdm-password": _pam_only,
    "polkit-agent-helper-1": _pam_only,
    "systemd": _pam_only,
    "vsftpd": _pam_only,
}


def _old_style_pam(ev: Event, prog: str, msg: str) -> str:
    """Red Hat's old `sshd(pam_unix)[pid]:` tag: the message is pam's, the program before '('."""
    base = prog[: prog.index("(")]
    ev["process.name"] = base
    ev["event.provider"] = prog[len(base) + 1 : -1]
    if _pam(ev, msg):
        return SSHD if base == "sshd" else AUTH
    return SSHD if base == "sshd" else AUTH


class LinuxAuthParser(SyslogFramedParser):
    name = "sshd"
    dataset = SSHD
    aliases = ("linux_auth", "auth", "auth.log", "secure")
    priority = 40
    syslog_superset = True

    not_syslog = "not a syslog line (auth logs have an RFC 3164/5424 header)"

    def _message(self, ev: Event, msg: str) -> Event:
        ev["event.kind"] = "event"
        ev["message"] = msg.strip() if msg[-1:] == " " or msg[:1] == " " else msg
        prog = ev.get("process.name")
        if prog == "sshd":  # the hot path of auth logs
            _sshd_message(ev, msg)
            ev["event.dataset"] = SSHD
            return ev
        handler = _PROGRAMS.get(prog) if prog else None
        if handler is not None:
            ev["event.dataset"] = handler(ev, msg)
        elif prog and prog.endswith(")") and "(" in prog:
            ev["event.dataset"] = _old_style_pam(ev, prog, msg)
        else:
            ev["event.dataset"] = OTHER
        return ev

    def detects(self, line: str) -> bool:
        head = line[:80]
        return any(tag in head for tag in _DETECT_TAGS)


_DETECT_TAGS = (" sshd[", " sshd(", " sudo:", " sudo[", " su[", " su:", " su(", " useradd[", " usermod[",
                " groupadd[", " userdel[", " CRON[", " systemd-logind[", " sshd-session[", "pam_unix(", "pam_sss(")

register(LinuxAuthParser())
