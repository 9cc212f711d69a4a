"""A console over a real SQLite file seeded with incidents, their evidence events and users."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.testing.v1 import AppTest

from soc import auth
from soc.events import Event
from soc.incidents import Incident, Severity, Status
from soc.store.base import Store, User

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"
PASSWORD = "mat-khau-thu-nghiem"
USERS = {"lan": "analyst", "quan": "admin", "ha": "manager"}
XSS = "<script>alert(1)</script>"


def _sshd(i: int, second: int, user: str = "root") -> Event:
    port = 51000 + i
    line = f"Nov 20 08:58:{second:02d} web01 sshd[2411]: Failed password for {user} from 203.0.113.7 port {port} ssh2"
    return {
        "@timestamp": f"2026-11-20T01:58:{second:02d}.000Z",
        "event.id": f"ssh-{i}",
        "event.dataset": "sshd.auth",
        "event.kind": "event",
        "event.category": ["authentication"],
        "event.action": "ssh_login",
        "event.outcome": "failure",
        "source.ip": "203.0.113.7",
        "source.port": 51000 + i,
        "user.name": user,
        "host.name": "web01",
        "message": line.split(": ", 1)[1],
        "log.original": line,
        "log.file.path": "/var/log/auth.log",
        "log.offset": 100 * i,
    }


def _nginx(i: int, url: str, ts: str, status: int) -> Event:
    line = f'198.51.100.23 - - [21/Nov/2026:00:0{i}:00 +0700] "GET {url} HTTP/1.1" {status} 512 "-" "sqlmap/1.8"'
    return {
        "@timestamp": ts,
        "event.id": f"web-{i}",
        "event.dataset": "nginx.access",
        "event.kind": "event",
        "event.category": ["web"],
        "event.action": "access",
        "event.outcome": "failure" if status >= 400 else "success",
        "source.ip": "198.51.100.23",
        "url.original": url,
        "http.request.method": "GET",
        "http.response.status_code": status,
        "user_agent.original": "sqlmap/1.8",
        "log.original": line,
    }


def _fortigate(i: int, port: int) -> Event:
    return {
        "@timestamp": f"2026-11-19T03:00:{i:02d}.000Z",
        "event.id": f"fw-{i}",
        "event.dataset": "fortigate.traffic",
        "event.kind": "event",
        "event.category": ["network"],
        "event.action": "deny",
        "source.ip": "192.0.2.50",
        "destination.ip": "10.10.1.5",
        "destination.port": port,
        "observer.name": "FGT-HCM-01",
        "log.original": f'date=2026-11-19 time=10:00:{i:02d} devname="FGT-HCM-01" srcip=192.0.2.50 '
        f'dstip=10.10.1.5 dstport={port} action="deny"',
    }


SSH_EVENTS = [_sshd(0, 3), _sshd(1, 5), _sshd(2, 7, "admin"), _sshd(3, 9, "oracle"), _sshd(4, 11)]
SSH_EVENTS[2]["message"] = f"Failed password for invalid user {XSS} from 203.0.113.7 port 51002 ssh2"
WEB_EVENTS = [
    _nginx(1, "/dvc/search?q=1'+UNION+SELECT+password+FROM+users--", "2026-11-20T17:01:00.000Z", 500),
    _nginx(2, "/dvc/search?q=1+OR+1=1", "2026-11-20T17:05:00.000Z", 200),
]
FW_EVENTS = [_fortigate(i, p) for i, p in enumerate((22, 23, 80, 443, 3389))]


def _incident(key: str, **kw) -> Incident:
    base = dict(
        created_at="2026-11-20T18:00:00.000Z",
        updated_at="2026-11-20T18:00:00.000Z",
    )
    base.update(kw)
    return Incident(id=f"INC-{key}", **base)


INCIDENTS = {
    "ssh": _incident(
        "55B0000000A1",
        rule_id="ssh-bruteforce",
        rule_title="SSH brute force",
        severity=Severity.HIGH,
        status=Status.NEW,
        entity={"source.ip": "203.0.113.7"},
        first_seen="2026-11-20T01:58:03.000Z",
        last_seen="2026-11-20T01:58:11.000Z",
        evidence_count=5,
        attack_techniques=["T1110.001", "T1110"],
        attack_tactics=["credential_access"],
    ),
    "sqli": _incident(
        "5Q100000000B",
        rule_id="web-sqli",
        rule_title="SQL injection in URL",
        severity=Severity.CRITICAL,
        status=Status.IN_PROGRESS,
        entity={"source.ip": "198.51.100.23"},
        first_seen="2026-11-20T17:01:00.000Z",
        last_seen="2026-11-20T17:05:00.000Z",
        evidence_count=2,
        attack_techniques=["T1190"],
        assignee="lan",
    ),
    "scan": _incident(
        "5CA000000C00",
        rule_id="fw-portscan",
        rule_title="Port scan",
        severity=Severity.MEDIUM,
        status=Status.RESOLVED,
        entity={"source.ip": "192.0.2.50"},
        first_seen="2026-11-19T03:00:00.000Z",
        last_seen="2026-11-19T03:00:04.000Z",
        evidence_count=5,
        closed_at="2026-11-19T04:00:00.000Z",
    ),
    "traversal": _incident(
        "7A0000000D00",
        rule_id="web-traversal",
        rule_title="Path traversal in URL",
        severity=Severity.LOW,
        status=Status.FALSE_POSITIVE,
        entity={"source.ip": "198.51.100.23"},
        first_seen="2026-11-18T02:00:00.000Z",
        last_seen="2026-11-18T02:00:00.000Z",
        evidence_count=0,
    ),
}
EVIDENCE = {"ssh": SSH_EVENTS, "sqli": WEB_EVENTS, "scan": FW_EVENTS, "traversal": []}


RULES = Path(__file__).resolve().parents[2] / "rules"
# a few of our own rules (with their test events), copied so that edits stay in the test's folder
RULE_FILES = [f"linux/sshd/{name}{suffix}" for name in ("ssh_auth_failure", "ssh_brute_force", "ssh_root_login")
              for suffix in (".yml", ".tests.yml")]
ROOT_LOGIN_ID = "794e1c8b-5a93-5df7-85a6-c1d768008d61"


@dataclass
class Console:
    """The seeded store plus the steps a person takes in the console."""

    store: Store
    incidents: dict[str, Incident]
    rules_dir: Path | None = None
    password: str = PASSWORD
    users: dict[str, str] = field(default_factory=lambda: dict(USERS))
    xss: str = XSS
    app: Path = APP

    def id(self, name: str) -> str:
        return self.incidents[name].id

    def start(self) -> AppTest:
        return AppTest.from_file(str(APP), default_timeout=60).run()

    def login(self, username: str, password: str = PASSWORD, at: AppTest | None = None) -> AppTest:
        at = at or self.start()
        at.text_input[0].input(username)
        at.text_input[1].input(password)
        return at.button[0].click().run()

    def open_incident(self, at: AppTest, incident_id: str) -> AppTest:
        at.query_params["id"] = incident_id
        return at.switch_page("views/incident.py").run()


def seed(store: Store) -> None:
    """Users, incidents and their evidence events, as on every console test's store."""
    for name, role in USERS.items():
        store.save_user(User(username=name, password_hash=auth.hash_password(PASSWORD, rounds=4), role=role))
    for name, incident in INCIDENTS.items():
        store.write_events(EVIDENCE[name])
        store.save_incident(incident)
        store.add_evidence(incident.id, [e["event.id"] for e in EVIDENCE[name]], cap=1000)


def copy_rules(folder: Path) -> Path:
    for name in RULE_FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(RULES / name, folder / name)
    return folder


