"""The simulator: reproducible files, real line formats, attacks where the ground truth says, benign traffic that stays benign."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote, unquote_plus

import pytest

from collectors.sources.simulator import AUTH_LOG, FORTIGATE_LOG, NGINX_LOG, SimulationResult, simulate
from soc.errors import SocError
from soc.events import parse_ts

START = date(2026, 11, 16)  # Monday and Tuesday
SEED = 11
LOCAL = timezone(timedelta(hours=7))

SYSLOG_RE = re.compile(r"^(?P<ts>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (?P<host>[\w-]+) "
                       r"(?P<prog>[\w-]+)(?:\[(?P<pid>\d+)\])?: (?P<msg>.+)$")
NGINX_RE = re.compile(r'^(?P<ip>[\d.]+) - - \[(?P<ts>\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0700)\] '
                      r'"(?P<method>GET|POST) (?P<path>\S+) HTTP/(?:1\.1|2\.0)" (?P<status>\d{3}) (?P<size>\d+) '
                      r'"(?P<ref>[^"]*)" "(?P<ua>[^"]+)"$')
FGT_RE = re.compile(r'^<189>date=(?P<d>\d{4}-\d\d-\d\d) time=(?P<t>\d\d:\d\d:\d\d) devname="FGT-TINH-01" '
                    r'devid="FG100FTK\d{8}" eventtime=\d{19} tz="\+0700" logid="0000000013" type="traffic" '
                    r'subtype="forward" level="notice" vd="root" (?P<rest>.+)$')
FGT_KV = re.compile(r'(\w+)=("[^"]*"|\S+)')
FAILED_RE = re.compile(r"Failed password for (?:invalid user )?\S+ from (\S+) port \d+ ssh2$")
ACCEPTED_RE = re.compile(r"Accepted (\w+) for (\S+) from (\S+) port \d+ ssh2")
SQL_MARKERS = re.compile(r"union(?: all)? select|or 1=1|sleep\(|information_schema|@@version|waitfor delay|"
                         r"benchmark\(|extractvalue\(|concat\(0x")
TRAVERSAL_MARKERS = re.compile(r"\.\./|\.\.\\|/etc/passwd|win\.ini")


# --- reading the files back -------------------------------------------------------------------

def syslog_time(ts: str) -> datetime:
    return datetime.strptime(f"{START.year} {ts}", "%Y %b %d %H:%M:%S").replace(tzinfo=LOCAL).astimezone(timezone.utc)


def auth_lines(out: Path) -> list[dict]:
    rows = []
    for line in (out / AUTH_LOG).read_text(encoding="utf-8").splitlines():
        m = SYSLOG_RE.match(line)
        assert m, f"not an RFC 3164 line: {line!r}"
        rows.append({**m.groupdict(), "time": syslog_time(m["ts"])})
    return rows


def nginx_lines(out: Path) -> list[dict]:
    rows = []
    for line in (out / NGINX_LOG).read_text(encoding="utf-8").splitlines():
        m = NGINX_RE.match(line)
        assert m, f"not a combined-format line: {line!r}"
        t = datetime.strptime(m["ts"], "%d/%b/%Y:%H:%M:%S %z").astimezone(timezone.utc)
        rows.append({**m.groupdict(), "time": t, "decoded": unquote(unquote_plus(m["path"])).lower()})
    return rows


def fortigate_lines(out: Path) -> list[dict]:
    rows = []
    for line in (out / FORTIGATE_LOG).read_text(encoding="utf-8").splitlines():
        m = FGT_RE.match(line)
        assert m, f"not a FortiGate traffic line: {line!r}"
        kv = {k: v.strip('"') for k, v in FGT_KV.findall(m["rest"])}
        t = datetime.fromisoformat(f"{m['d']}T{m['t']}+07:00").astimezone(timezone.utc)
        rows.append({**kv, "time": t})
    return rows


def in_span(rows: list[dict], attack: dict) -> tuple[list[dict], list[dict]]:
    start, end = parse_ts(attack["start"]), parse_ts(attack["end"])
    inside = [r for r in rows if start <= r["time"] <= end]
    outside = [r for r in rows if not start <= r["time"] <= end]
    return inside, outside


# --- fixtures ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sim(tmp_path_factory) -> SimulationResult:
    return simulate(2, SEED, tmp_path_factory.mktemp("sim"), start=START, scale=0.1)


@pytest.fixture(scope="module")
def truth(sim) -> list[dict]:
    return json.loads(sim.ground_truth.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def auth(sim) -> list[dict]:
    return auth_lines(sim.out)


@pytest.fixture(scope="module")
def web(sim) -> list[dict]:
    return nginx_lines(sim.out)


@pytest.fixture(scope="module")
def fw(sim) -> list[dict]:
    return fortigate_lines(sim.out)


@pytest.fixture(scope="module")
def attackers(truth) -> set[str]:
    return {a["entity"]["source.ip"] for a in truth}


# --- reproducibility -----------------------------------------------------------------------------

def test_same_seed_gives_identical_bytes_and_another_seed_differs(sim, tmp_path):
    again = simulate(2, SEED, tmp_path / "again", start=START, scale=0.1)
    other = simulate(2, SEED + 1, tmp_path / "other", start=START, scale=0.1)
    for name in (FORTIGATE_LOG, AUTH_LOG, NGINX_LOG, "ground_truth.json"):
        assert (sim.out / name).read_bytes() == (again.out / name).read_bytes(), name
        assert (sim.out / name).read_bytes() != (other.out / name).read_bytes(), name


def test_result_lists_files_and_their_line_counts(sim):
    assert set(sim.files) == {FORTIGATE_LOG, AUTH_LOG, NGINX_LOG}
    for name, path in sim.files.items():
        text = path.read_text(encoding="utf-8")
        assert text.endswith("\n")
        assert sim.lines[name] == text.count("\n") > 500, name
    assert sim.ground_truth == sim.out / "ground_truth.json"
    assert sim.start == datetime(2026, 11, 15, 17, tzinfo=timezone.utc)  # 00:00 in Ha Noi
    assert sim.end - sim.start == timedelta(days=2)


def test_lines_are_in_time_order(sim, auth, web, fw):
    for rows in (auth, web, fw):
        times = [r["time"] for r in rows]
        assert times == sorted(times)
        assert sim.start <= times[0] and times[-1] < sim.end


# --- ground truth --------------------------------------------------------------------------------

def test_ground_truth_shape(sim, truth):
    assert truth == sim.attacks
    assert [a["start"] for a in truth] == sorted(a["start"] for a in truth)
    assert {a["kind"] for a in truth} == {"ssh_bruteforce", "ssh_login_after_bruteforce", "sqli_scan",
                                          "port_scan", "path_traversal"}
    for a in truth:
        assert set(a) >= {"kind", "entity", "start", "end", "count", "target"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z", a["start"])
        assert sim.start <= parse_ts(a["start"]) <= parse_ts(a["end"]) < sim.end
        assert list(a["entity"]) == ["source.ip"] and not a["entity"]["source.ip"].startswith("10.")
    # each attack has its own source, except the login that follows its own brute force
    sources = Counter(a["entity"]["source.ip"] for a in truth if a["kind"] != "ssh_login_after_bruteforce")
    assert max(sources.values()) == 1
    brute = {a["entity"]["source.ip"]: a for a in truth if a["kind"] == "ssh_bruteforce"}
    for login in (a for a in truth if a["kind"] == "ssh_login_after_bruteforce"):
        bf = brute[login["entity"]["source.ip"]]
        gap = parse_ts(login["start"]) - parse_ts(bf["end"])
        assert timedelta(0) < gap < timedelta(minutes=10)


def test_attack_times_vary_with_the_seed(truth, tmp_path):
    other = simulate(2, SEED + 7, tmp_path, start=START, scale=0.05).attacks
    assert [a["start"] for a in truth] != [a["start"] for a in other]
    assert {a["entity"]["source.ip"] for a in truth}.isdisjoint(a["entity"]["source.ip"] for a in other)


# --- attacks are in the files, where and when the ground truth says ------------------------------

def test_ssh_bruteforce_lines(sim, truth, auth):
    failed = [dict(r, src=m[1]) for r in auth if (m := FAILED_RE.search(r["msg"]))]
    for a in (a for a in truth if a["kind"] == "ssh_bruteforce"):
        ip = a["entity"]["source.ip"]
        mine = [r for r in failed if r["src"] == ip]
        inside, outside = in_span(mine, a)
        assert len(inside) == a["count"] and 60 <= a["count"] <= 300
        assert outside == []
        assert {r["host"] for r in inside} == {a["target"]["host.name"]}
        assert parse_ts(a["end"]) - parse_ts(a["start"]) >= timedelta(minutes=2)


def test_login_after_bruteforce_lines(sim, truth, auth):
    logins = [r for r in auth if ACCEPTED_RE.search(r["msg"])]
    for a in (a for a in truth if a["kind"] == "ssh_login_after_bruteforce"):
        ip = a["entity"]["source.ip"]
        mine = [r for r in logins if ACCEPTED_RE.search(r["msg"])[3] == ip]
        assert len(mine) == a["count"] == 1
        method, user, _ = ACCEPTED_RE.search(mine[0]["msg"]).groups()
        assert (method, user) == ("password", a["target"]["user.name"])
        assert mine[0]["host"] == a["target"]["host.name"]
        assert mine[0]["time"] == parse_ts(a["start"])


def test_sqli_scan_lines(sim, truth, web):
    rows = web
    for a in (a for a in truth if a["kind"] == "sqli_scan"):
        mine = [r for r in rows if r["ip"] == a["entity"]["source.ip"]]
        inside, outside = in_span(mine, a)
        assert len(inside) == a["count"] >= 30 and outside == []
        assert all(SQL_MARKERS.search(r["decoded"]) for r in inside)
        assert all(r["ua"].startswith("sqlmap/") for r in inside)
        assert all(r["path"].startswith(a["target"]["url.path"] + "?") for r in inside)
        # both raw and URL-encoded payloads are there
        assert any("%20" in r["path"] for r in inside) and any("+" in r["path"] for r in inside)


def test_path_traversal_lines(sim, truth, web):
    rows = web
    for a in (a for a in truth if a["kind"] == "path_traversal"):
        mine = [r for r in rows if r["ip"] == a["entity"]["source.ip"]]
        inside, outside = in_span(mine, a)
        assert len(inside) == a["count"] >= 15 and outside == []
        assert all(TRAVERSAL_MARKERS.search(r["decoded"]) for r in inside)
        assert any("%2e%2e" in r["path"] for r in inside) or any("%2f" in r["path"] for r in inside)


def test_port_scan_lines(sim, truth, fw):
    rows = fw
    for a in (a for a in truth if a["kind"] == "port_scan"):
        mine = [r for r in rows if r["srcip"] == a["entity"]["source.ip"]]
        inside, outside = in_span(mine, a)
        assert len(inside) == a["count"] and outside == []
        ports = {r["dstport"] for r in inside}
        assert len(ports) == a["target"]["distinct_ports"] and 100 <= len(ports) <= 500
        assert {r["dstip"] for r in inside} == set(a["target"]["destination.ip"])
        assert sum(r["action"] == "deny" for r in inside) > 0.9 * len(inside)
        assert parse_ts(a["end"]) - parse_ts(a["start"]) <= timedelta(minutes=3)


def test_attack_sources_appear_only_around_their_attacks(sim, truth, web, fw):
    """Attackers' firewall sessions sit beside their attack; they never show up in benign traffic."""
    spans = defaultdict(list)
    for a in truth:
        spans[a["entity"]["source.ip"]].append((parse_ts(a["start"]), parse_ts(a["end"])))
    slack = timedelta(minutes=30)
    for r in fw:
        if r["srcip"] in spans:
            assert any(s - slack <= r["time"] <= e + slack for s, e in spans[r["srcip"]])
    for r in web:
        if r["ip"] in spans:
            assert any(s <= r["time"] <= e for s, e in spans[r["ip"]])


# --- benign traffic stays below every detection threshold ----------------------------------------

def test_benign_ssh_failures_are_rare_typos(sim, attackers, auth):
    per_hour = Counter()
    for r in auth:
        m = FAILED_RE.search(r["msg"])
        if m and m[1] not in attackers:
            per_hour[(m[1], r["time"].replace(minute=0, second=0))] += 1
            assert "invalid user" not in r["msg"]
    assert per_hour, "a few mistyped passwords are expected in two office days"
    assert max(per_hour.values()) <= 2
    assert sum(per_hour.values()) <= 15  # about one password session in ten starts with a typo


def test_benign_ssh_logins_come_from_inside(sim, attackers, auth, fw):
    """Admins, jobs and partners (over the SSL-VPN) log in from private addresses; only attackers come from the Internet."""
    logins = [ACCEPTED_RE.search(r["msg"]) for r in auth]
    sources = {m[3] for m in logins if m and m[3] not in attackers}
    assert "10.212.134.200" in sources or "10.212.134.201" in sources or "10.212.134.202" in sources
    assert all(ip.startswith("10.") for ip in sources)
    inbound_admin = {r["srcip"] for r in fw if r["dstport"] in ("22", "3389") and not r["srcip"].startswith("10.")
                     and r["action"] != "deny"}
    assert inbound_admin <= attackers


def test_benign_sources_touch_few_ports(sim, attackers, fw):
    ports, denies = defaultdict(set), Counter()
    for r in fw:
        if r["srcip"] not in attackers:
            ports[r["srcip"]].add(r["dstport"])
            denies[r["srcip"]] += r["action"] == "deny"
    assert len(ports) > 300
    assert max(len(p) for p in ports.values()) <= 8
    assert max(denies.values()) <= 3


def test_benign_web_requests_carry_no_attack_text(sim, attackers, web):
    errors = Counter()
    benign = [r for r in web if r["ip"] not in attackers]
    assert len(benign) > 1000
    for r in benign:
        assert not SQL_MARKERS.search(r["decoded"]), r
        assert not TRAVERSAL_MARKERS.search(r["decoded"]), r
        assert "'" not in r["decoded"] and "sqlmap" not in r["ua"].lower() and "nikto" not in r["ua"].lower()
        if r["status"].startswith("4"):
            errors[(r["ip"], r["time"].hour)] += 1
    assert max(errors.values()) <= 2
    assert Counter(r["status"] for r in benign).most_common(1)[0][0] == "200"
    assert {"200", "302", "304", "404"} <= {r["status"] for r in benign}


# --- the shape of a day --------------------------------------------------------------------------

def local_hours(rows: list[dict], attackers: set[str], key: str) -> Counter:
    return Counter(r["time"].astimezone(LOCAL).hour for r in rows if r.get(key) not in attackers)


def test_office_hours_shape(sim, attackers, auth, web, fw):
    web_hours = local_hours(web, attackers, "ip")
    fw_hours = local_hours(fw, attackers, "srcip")
    # people log in at work; the nightly backup job logs in at 01:30
    logins = [dict(r, src=m[3]) for r in auth if (m := ACCEPTED_RE.search(r["msg"])) and m[2] != "backup"]
    login_hours = local_hours(logins, attackers, "src")
    # monitoring and backups do not shrink with `scale`, so the firewall's nights stay busier here
    for hours, ratio in ((web_hours, 5), (fw_hours, 2)):
        busy, night = hours[9] + hours[10], hours[1] + hours[2]
        assert busy > ratio * night
        assert hours[12] < 0.8 * hours[10]  # lunch
    assert login_hours[9] + login_hours[10] > 3 * (login_hours[1] + login_hours[2])


def test_weekends_are_quiet(tmp_path):
    fri_sat = simulate(2, SEED, tmp_path, start=date(2026, 11, 20), scale=0.1)
    attackers = {a["entity"]["source.ip"] for a in fri_sat.attacks}
    rows = nginx_lines(fri_sat.out)
    per_day = Counter(r["time"].astimezone(LOCAL).date() for r in rows if r["ip"] not in attackers)
    assert per_day[date(2026, 11, 21)] < 0.5 * per_day[date(2026, 11, 20)]


def test_full_scale_day_volume(tmp_path):
    one = simulate(1, SEED, tmp_path, start=START)
    assert 20_000 <= one.total_lines <= 40_000
    assert all(n > 2_000 for n in one.lines.values())


# --- the project's own parsers read every line ----------------------------------------------------

@pytest.mark.parametrize("fmt,name", [("fortigate", FORTIGATE_LOG), ("sshd", AUTH_LOG), ("nginx", NGINX_LOG)])
def test_every_line_parses(sim, fmt, name):
    from collectors.parsers import ParseContext, detect_format, get_parser

    lines = (sim.out / name).read_text(encoding="utf-8").splitlines()
    assert detect_format(lines[:50]) == fmt
    parser, ctx = get_parser(fmt), ParseContext(source=name, year_hint=START.year)
    events = [parser.parse(line, ctx) for line in lines]
    assert all(e is not None for e in events)
    assert all(sim.start <= parse_ts(e["@timestamp"]) < sim.end for e in events)


def test_parsed_attack_fields(sim, truth):
    from collectors.parsers import ParseContext, get_parser

    bf = next(a for a in truth if a["kind"] == "ssh_bruteforce")
    ctx = ParseContext(year_hint=START.year)
    line = next(l for l in (sim.out / AUTH_LOG).read_text().splitlines()
                if f"Failed password" in l and bf["entity"]["source.ip"] in l)
    ev = get_parser("sshd").parse(line, ctx)
    assert ev["source.ip"] == bf["entity"]["source.ip"] and ev["event.outcome"] == "failure"
    assert ev["host.name"] == "srv-sftp-01"
    scan = next(a for a in truth if a["kind"] == "port_scan")
    line = next(l for l in (sim.out / FORTIGATE_LOG).read_text().splitlines()
                if f"srcip={scan['entity']['source.ip']} " in l and 'action="deny"' in l)
    ev = get_parser("fortigate").parse(line, ctx)
    assert ev["source.ip"] == scan["entity"]["source.ip"] and ev["destination.ip"] in scan["target"]["destination.ip"]
    assert isinstance(ev["destination.port"], int) and ev["event.outcome"] == "failure"


# --- bad arguments -------------------------------------------------------------------------------

@pytest.mark.parametrize("days,scale", [(0, 1.0), (-3, 1.0), (2, 0.0)])
def test_bad_arguments_are_refused(tmp_path, days, scale):
    with pytest.raises(SocError):
        simulate(days, 1, tmp_path, start=START, scale=scale)
    assert not (tmp_path / FORTIGATE_LOG).exists()


def test_output_path_that_is_a_file_is_refused(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SocError, match="cannot create output folder"):
        simulate(1, 1, blocker, start=START)
