"""Event-to-incident delay under the scheduler, at a sustained write rate, on each backend.

A writer thread writes `--rate` events/s (default 2,000) with `@timestamp` = the write time:
benign firewall, web, sshd and cron events, plus injected attacks:

- every `--bf-every` s (10) an SSH brute force from a fresh external address: failed logins one
  per write tick, two more than the SSH brute-force correlation's threshold;
- every `--sqli-every` s (7) one SQL injection request from a fresh address.

Events are flat ECS dicts made by our parsers from raw lines once (templates), then stamped
with the write time and a fresh id, so they have exactly the parsed shape at no parsing cost.

The scheduler runs in the same process as `soc serve` builds it (`build_scheduler` +
`sync_rule_jobs`, every rule on `--interval` s, `--max-concurrent` 2, `--overlap` s of overlap).
For each attack the time the event completing its condition was written (the write call
returned) is recorded; the main thread polls the store (incidents of the rule and their
evidence) every `--poll` s and records when that event shows up as evidence of an incident.

Phases: `--warmup` s of benign writing, then the baseline (one `run_once` over the last minute,
same store, writer still running), then the scheduler and the attacks for `--seconds`, then
benign writing goes on (no new attacks) until every attack is found or `--drain` s pass.

    .venv/bin/python bench/bench_latency.py [--backends sqlite] [--seconds 180] [--rate 2000]
        [--interval 10] [--overlap 120] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import math
import os
import pstats
import random
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from common import drop_indices, es_node, given_es_url, machine, open_backend, parse_backends, percentile

from collectors.parsers.base import ParseContext, get_parser
from detection.engine import run_once
from detection.model import RuleSet
from detection.runs import RunRecord
from detection.scheduler import ServeContext, build_scheduler, scheduled_rules, sync_rule_jobs
from detection.sigma.compile import load_ruleset
from soc.events import Event, event_id, format_ts, now_utc
from soc.store.base import IncidentFilter, Store

LOCAL = timezone(timedelta(hours=7))
SOURCE = "bench-latency"
EVIDENCE_CAP = 1000

# --- events: raw lines through our parsers once, then stamped copies ------------------------


def _fortigate(rng: random.Random, t: datetime) -> str:
    lan = rng.random() < 0.5
    wan = f"14.{rng.randint(160, 191)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    src = f"10.10.1.{rng.randint(10, 250)}" if lan else wan
    dst, dport, pol, name = (("10.10.10.12", 10050, 8, "Monitoring-to-DMZ") if lan else
                             ("10.10.10.10", 443, 3, "Internet-to-Portal"))
    sent, rcvd = rng.randint(300, 20000), rng.randint(500, 200000)
    return (f'<189>date={t:%Y-%m-%d} time={t:%H:%M:%S} devname="FGT-TINH-01" devid="FG100FTK31605305" '
            f'eventtime={int(t.timestamp() * 1e9)} tz="+0700" logid="0000000013" type="traffic" subtype="forward" '
            f'level="notice" vd="root" srcip={src} srcport={rng.randint(32768, 60999)} '
            f'srcintf="{"port4" if lan else "port1"}" srcintfrole="{"lan" if lan else "wan"}" dstip={dst} '
            f'dstport={dport} dstintf="port3" dstintfrole="dmz" srccountry="{"Reserved" if lan else "Vietnam"}" '
            f'dstcountry="Reserved" sessionid={rng.randint(100000, 999999)} proto=6 action="close" policyid={pol} '
            f'policytype="policy" poluuid="6dd34439-462e-579e-6e88-80720c27b858" policyname="{name}" '
            f'service="tcp/{dport}" trandisp="noop" duration={rng.randint(0, 30)} sentbyte={sent} rcvdbyte={rcvd} '
            f'sentpkt={sent // 500 + 1} rcvdpkt={rcvd // 1000 + 1} appcat="unscanned"')


_PAGES = ["/", "/dichvu/tracuu.php?ma=000.00.12.H56-261123-0012", "/tin-tuc/thong-bao-lich-tiep-cong-dan",
          "/static/css/dvc.min.css?v=2.4.1", "/static/js/app.min.js?v=2.4.1", "/thu-tuc-hanh-chinh?linhvuc=12",
          "/api/hoso/trangthai?ma=H56.22-261123-0412", "/favicon.ico", "/images/banner-tinh.jpg"]
_UAS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/18.1 Mobile/15E148 Safari/604.1"]


def _nginx(rng: random.Random, t: datetime, ip: str | None = None, path: str | None = None) -> str:
    ip = ip or f"113.{rng.randint(160, 191)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    return (f'{ip} - - [{t:%d/%b/%Y:%H:%M:%S} +0700] "GET {path or rng.choice(_PAGES)} HTTP/2.0" 200 '
            f'{rng.randint(300, 90000)} "https://dichvucong.tinhdemo.gov.vn/" "{rng.choice(_UAS)}"')


def _auth(rng: random.Random, t: datetime) -> str:
    host, pid = rng.choice(["srv-web-01", "srv-db-01", "portal-app01"]), rng.randint(2000, 30000)
    if rng.random() < 0.3:
        return (f"{t:%b %d %H:%M:%S} {host} sshd[{pid}]: Accepted publickey for backup from 10.10.30.5 "
                f"port {rng.randint(32768, 60999)} ssh2: ED25519 SHA256:Z702+PGJhr8upwdjCyO6pTIQosHEhlYOmATd9p4ePP9")
    return (f"{t:%b %d %H:%M:%S} {host} CRON[{pid}]: pam_unix(cron:session): "
            "session opened for user root(uid=0) by (uid=0)")


class Parsed:
    """Our parsers, used once per template line."""

    def __init__(self) -> None:
        self.ctx = ParseContext(SOURCE)
        self.parsers = {name: get_parser(name) for name in ("fortigate", "nginx", "sshd")}

    def __call__(self, fmt: str, line: str) -> Event:
        ev = self.parsers[fmt].parse(line, self.ctx)
        if ev is None:
            raise RuntimeError(f"the {fmt} parser gave nothing for {line!r}")
        return ev


def benign_templates(parse: Parsed, n: int, seed: int) -> list[Event]:
    """A mix like the simulator's weekday: ~42% firewall, ~48% web, ~10% auth."""
    rng = random.Random(seed)
    t = datetime.now(LOCAL)
    out = []
    for _ in range(n):
        x = rng.random()
        fmt, line = ("fortigate", _fortigate(rng, t)) if x < 0.42 else \
            ("nginx", _nginx(rng, t)) if x < 0.90 else ("sshd", _auth(rng, t))
        out.append(parse(fmt, line))
    return out


@dataclass
class Attack:
    kind: str
    rule_id: str
    ip: str
    events: list[Event]  # still to write, in order
    trigger: Event  # the event that completes the rule's condition (before stamping)
    trigger_id: str = ""  # its event.id once written
    injected_at: float = 0.0
    written_at: float | None = None
    detected_at: float | None = None

    @property
    def delay(self) -> float:
        return math.inf if self.detected_at is None or self.written_at is None else self.detected_at - self.written_at


class Feed:
    """Builds each write batch: one pending event of each running attack, the rest benign."""

    def __init__(self, parse: Parsed, templates: list[Event], bf_rule: str, bf_needed: int, sqli_rule: str) -> None:
        self.parse, self.templates = parse, templates
        self.bf_rule, self.bf_needed, self.sqli_rule = bf_rule, bf_needed, sqli_rule
        self.rng = random.Random(11)
        self.seq = 0
        self.running: list[Attack] = []
        self.attacks: list[Attack] = []
        self._lock = threading.Lock()
        self._ips = 0

    def _fresh_ip(self) -> str:
        self._ips += 1
        return f"185.{100 + self._ips // 65536 % 100}.{self._ips // 256 % 256}.{self._ips % 256}"

    def brute_force(self) -> None:
        ip, t = self._fresh_ip(), datetime.now(LOCAL)
        users = ["root", "admin", "oracle", "test", "ubuntu", "postgres", "user", "guest", "ftp", "git"]
        lines = [f"{t:%b %d %H:%M:%S} portal-app01 sshd[{4000 + i}]: Failed password for "
                 f"{'invalid user ' if i % 3 else ''}{users[i % len(users)]} from {ip} port {40000 + i} ssh2"
                 for i in range(self.bf_needed + 2)]
        events = [self.parse("sshd", line) for line in lines]
        self._start(Attack("ssh_brute_force", self.bf_rule, ip, events, events[self.bf_needed - 1]))

    def sql_injection(self) -> None:
        ip, t = self._fresh_ip(), datetime.now(LOCAL)
        ev = self.parse("nginx", _nginx(self.rng, t, ip, "/dichvu/tracuu.php?id=1%20UNION%20SELECT%20username,"
                                                          "password%20FROM%20users"))
        self._start(Attack("sql_injection", self.sqli_rule, ip, [ev], ev))

    def _start(self, attack: Attack) -> None:
        attack.injected_at = time.time()
        with self._lock:
            self.running.append(attack)
            self.attacks.append(attack)

    def batch(self, n: int, ts: str) -> tuple[list[Event], list[Attack]]:
        """`n` events stamped `ts`, and the attacks whose trigger event is among them."""
        out: list[Event] = []
        triggered = []
        with self._lock:
            for a in list(self.running):
                ev = a.events.pop(0)
                out.append(self._stamp(ev, ts))
                if ev is a.trigger:
                    a.trigger_id = out[-1]["event.id"]
                    triggered.append(a)
                if not a.events:
                    self.running.remove(a)
        while len(out) < n:
            out.append(self._stamp(self.templates[self.seq % len(self.templates)], ts))
        return out, triggered

    def _stamp(self, template: Event, ts: str) -> Event:
        self.seq += 1
        ev = dict(template)
        ev["@timestamp"] = ts
        ev["event.id"] = event_id(SOURCE, self.seq)
        ev["log.file.path"] = SOURCE
        ev["log.offset"] = self.seq
        return ev


# --- the writer thread ------------------------------------------------------------------------


class Writer(threading.Thread):
    def __init__(self, store: Store, feed: Feed, rate: float, tick: float, bf_every: float, sqli_every: float) -> None:
        super().__init__(name="writer", daemon=True)
        self.store, self.feed, self.rate, self.tick = store, feed, rate, tick
        self.bf_every, self.sqli_every = bf_every, sqli_every
        self.attacking = False
        self.stop = threading.Event()
        self.written = 0
        self.started_at = 0.0
        self.write_seconds: list[float] = []
        self.error: BaseException | None = None

    def count_at(self) -> tuple[float, int]:
        return time.time(), self.written

    def run(self) -> None:
        try:
            self._loop()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            self.error = exc

    def _loop(self) -> None:
        self.started_at = t0 = time.time()
        next_bf = next_sqli = None
        while not self.stop.is_set():
            now = time.time()
            if self.attacking:
                next_bf = next_bf or now + 1.0
                next_sqli = next_sqli or now + 2.0
                if now >= next_bf:
                    self.feed.brute_force()
                    next_bf += self.bf_every
                if now >= next_sqli:
                    self.feed.sql_injection()
                    next_sqli += self.sqli_every
            due = min(int((now - t0) * self.rate) - self.written, int(self.rate * self.tick * 4))
            if due > 0:
                events, triggered = self.feed.batch(due, format_ts(datetime.fromtimestamp(now, timezone.utc)))
                w0 = time.perf_counter()
                self.store.write_events(events)
                done = time.time()
                self.write_seconds.append(time.perf_counter() - w0)
                for a in triggered:
                    a.written_at = done
                self.written += len(events)
            self.stop.wait(max(0.0, self.tick - (time.time() - now)))


# --- polling for incidents ----------------------------------------------------------------------


class Watcher:
    """Finds, for each attack, when its trigger event became evidence of an incident of its rule."""

    def __init__(self, store: Store, feed: Feed) -> None:
        self.store, self.feed = store, feed
        self.seen: dict[str, tuple[int, str]] = {}  # incident id -> (evidence_count, updated_at) read
        self.evidence: dict[str, set[str]] = {}

    def pending(self) -> list[Attack]:
        return [a for a in list(self.feed.attacks) if a.detected_at is None]

    def poll(self) -> None:
        waiting = [a for a in self.pending() if a.written_at is not None]
        if not waiting:
            return
        now = time.time()
        for rule_id in {a.rule_id for a in waiting}:
            for inc in self.store.list_incidents(IncidentFilter(rule_id=rule_id, limit=100_000)):
                mark = (inc.evidence_count, inc.updated_at)
                if self.seen.get(inc.id) != mark:
                    self.evidence[inc.id] = set(self.store.list_evidence(inc.id, limit=EVIDENCE_CAP))
                    self.seen[inc.id] = mark
        found = set().union(*self.evidence.values()) if self.evidence else set()
        for a in waiting:
            if a.trigger_id in found:
                a.detected_at = now


def watch(watcher: Watcher, seconds: float, poll: float, until_done: bool = False) -> None:
    end = time.time() + seconds
    while time.time() < end:
        t0 = time.time()
        watcher.poll()
        if until_done and not watcher.pending():
            return
        time.sleep(max(0.0, poll - (time.time() - t0)))


class SkipCounter(logging.Handler):
    """Counts APScheduler's "skipped: maximum number of running instances" (a rule still running
    when its next run fell due) instead of printing each one."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.skipped = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "maximum number of running instances" in record.getMessage():
            self.skipped += 1
        else:
            print(f"scheduler: {record.getMessage()}", flush=True)


SKIPS = SkipCounter()
_aps = logging.getLogger("apscheduler")
_aps.addHandler(SKIPS)
_aps.propagate = False


# --- one backend ----------------------------------------------------------------------------------


@dataclass
class Result:
    backend: str
    attacks: list[Attack]
    baseline_s: float
    baseline_events: int
    baseline_errors: int
    rate_attack: float
    rate_all: float
    write_p95: float
    runs: list[RunRecord] = field(default_factory=list)
    skipped: int = 0
    extra_incidents: dict[str, int] = field(default_factory=dict)
    profile: str = ""


def timed_run_once(store: Store, ruleset: RuleSet, overlap: int, profile: bool) -> tuple[float, int, int, str]:
    """One run_once over [now - 60 s, now) on a store without checkpoints: seconds, events, errors, profile."""
    now = now_utc()
    start = now - timedelta(seconds=60)
    events = store.count(None, start, now)
    prof = cProfile.Profile() if profile else None
    t0 = time.perf_counter()
    if prof:
        prof.enable()
    summary = run_once(store, ruleset, now, overlap, first_start=start, evidence_cap=EVIDENCE_CAP)
    if prof:
        prof.disable()
    seconds = time.perf_counter() - t0
    text = ""
    if prof:
        buf = io.StringIO()
        st = pstats.Stats(prof, stream=buf).strip_dirs()
        st.sort_stats("cumulative").print_stats(25)
        st.sort_stats("tottime").print_stats(15)
        text = buf.getvalue()
    return seconds, events, len(summary.errors), text


def rule_ids(ruleset: RuleSet) -> tuple[str, int, str]:
    """Ids of the SSH brute-force correlation and the SQL injection rule, and the failures needed."""
    bf = ruleset.by_ref("ssh_brute_force")
    sqli = ruleset.by_ref("web_sql_injection")
    if bf is None or sqli is None or bf.correlation is None or bf.correlation.condition is None:
        raise SystemExit("rules/ lacks ssh_brute_force (event_count correlation) or web_sql_injection")
    cond = bf.correlation.condition
    needed = int(cond.value) + (1 if cond.op == "gt" else 0)
    return bf.id, needed, sqli.id


def bench_backend(name: str, work: Path, es_url: str | None, ruleset: RuleSet, args: argparse.Namespace,
                  say: Callable[[str], None], last: bool) -> Result:
    """Measure one backend and print its report. When it is the `last`, rule runs still in progress
    are not waited for (on an overloaded store they can take minutes): `main` exits without them."""
    writer_store = open_backend(name, work, es_url, "latency")
    sched_store = open_backend(name, work, es_url, "latency")
    poll_store = open_backend(name, work, es_url, "latency")
    parse = Parsed()
    bf_rule, bf_needed, sqli_rule = rule_ids(ruleset)
    feed = Feed(parse, benign_templates(parse, 5000, seed=3), bf_rule, bf_needed, sqli_rule)
    writer = Writer(writer_store, feed, args.rate, args.tick, args.bf_every, args.sqli_every)
    runs: list[RunRecord] = []
    ctx = ServeContext(store=sched_store, ruleset=ruleset, overlap_seconds=args.overlap, evidence_cap=EVIDENCE_CAP,
                       interval_override=args.interval, max_concurrent=args.max_concurrent, on_run=runs.append)
    scheduler = None
    SKIPS.skipped = 0
    try:
        writer.start()
        say(f"[{name}] warm-up: {args.warmup:.0f} s of benign writing")
        time.sleep(args.warmup)
        say(f"[{name}] baseline: one run_once over the last minute (writer still running)")
        base_s, base_n, base_err, prof = timed_run_once(sched_store, ruleset, args.overlap, args.profile)
        say(f"[{name}]   {base_s:.1f} s for {base_n:,} events; scheduler on, attacks for {args.seconds:.0f} s")
        scheduler = build_scheduler(ctx)
        scheduler.start(paused=True)
        sync_rule_jobs(scheduler, ctx)
        scheduler.resume()
        watcher = Watcher(poll_store, feed)
        t_a, n_a = writer.count_at()
        writer.attacking = True
        watch(watcher, args.seconds, args.poll)
        writer.attacking = False
        t_b, n_b = writer.count_at()
        say(f"[{name}] attacks stopped ({len(feed.attacks)} injected, {len(watcher.pending())} not found yet); "
            f"benign writing goes on up to {args.drain:.0f} s until all are found")
        watch(watcher, args.drain, args.poll, until_done=True)
        writer.stop.set()
        writer.join()
        if writer.error:
            raise writer.error
        t_end, n_end = time.time(), writer.written
        result = Result(name, list(feed.attacks), base_s, base_n, base_err, (n_b - n_a) / (t_b - t_a),
                        n_end / (t_end - writer.started_at), percentile(writer.write_seconds, 95), list(runs),
                        SKIPS.skipped, extra_incidents(poll_store, feed), prof)
        report(result, args, {rule.id: rule.title for rule in ruleset.rules})
        return result
    finally:
        writer.stop.set()
        if scheduler is not None:
            if not last:
                say(f"[{name}] waiting for the rule runs in progress to finish")
            else:  # abandoned runs fail once the store goes away: not worth printing
                for logger in ("apscheduler", "soc.scheduler"):
                    logging.getLogger(logger).disabled = True
            scheduler.shutdown(wait=not last)
        for s in (writer_store, poll_store) if last else (writer_store, sched_store, poll_store):
            s.close()


def extra_incidents(store: Store, feed: Feed) -> dict[str, int]:
    """Incidents per rule that no injected attack explains (benign events should raise none)."""
    ours = {a.ip for a in feed.attacks}
    out: dict[str, int] = {}
    for inc in store.list_incidents(IncidentFilter(limit=100_000)):
        if inc.entity.get("source.ip") not in ours:
            out[inc.rule_title] = out.get(inc.rule_title, 0) + 1
    return out


# --- report ------------------------------------------------------------------------------------


def _fmt(x: float) -> str:
    return "not found" if math.isinf(x) else f"{x:.1f} s"


def report(r: Result, args: argparse.Namespace, titles: dict[str, str]) -> None:
    print(f"\n== {r.backend} ==")
    print(f"write rate, target        {args.rate:>10,.0f} events/s")
    print(f"write rate, achieved      {r.rate_attack:>10,.0f} events/s while attacking "
          f"({r.rate_all:,.0f} over the whole run); write call p95 {r.write_p95 * 1000:.0f} ms")
    for kind in ("ssh_brute_force", "sql_injection", None):
        group = [a for a in r.attacks if kind is None or a.kind == kind]
        delays = [a.delay for a in group if a.written_at is not None]
        lost = sum(1 for d in delays if math.isinf(d))
        label = kind or "all attacks"
        print(f"{label:<18} n={len(delays):<4} p50 {_fmt(percentile(delays, 50)):>10}  "
              f"p95 {_fmt(percentile(delays, 95)):>10}  max {_fmt(max(delays, default=math.nan)):>10}"
              + (f"  ({lost} not found within the run)" if lost else ""))
    all_delays = [a.delay for a in r.attacks if a.written_at is not None]
    p95 = percentile(all_delays, 95)
    print(f"baseline: delay floor     {args.interval:>10} s  (the scheduler interval: a run starts at most this "
          "long after an event)")
    print(f"baseline: run_once 1 min  {r.baseline_s:>10.1f} s  over {r.baseline_events:,} events "
          f"({r.baseline_errors} rule errors)")
    print(f"ratio p95 / floor         {p95 / args.interval:>10.1f}")
    print(f"ratio p95 / run_once 1min {p95 / r.baseline_s:>10.1f}")
    met = p95 < 60 and r.rate_attack >= 0.95 * args.rate
    print(f"goal p95 < 60 s at {args.rate:,.0f} events/s: {'MET' if met else 'NOT MET'}")
    runs_report(r.runs, titles)
    print(f"runs skipped              {r.skipped:>10}  (due while the same rule was still running)")
    if r.extra_incidents:
        print("incidents not from injected attacks: " + ", ".join(f"{k}: {v}" for k, v in r.extra_incidents.items()))
    if r.profile:
        print("\nprofile of the baseline run_once (main thread):\n" + r.profile)


def runs_report(runs: list[RunRecord], titles: dict[str, str]) -> None:
    if not runs:
        return
    durations: dict[str, list[float]] = {}
    for rec in runs:
        durations.setdefault(rec.rule_id, []).append(rec.duration_ms / 1000)
    busy = sum(sum(v) for v in durations.values())
    errors = sum(1 for rec in runs if rec.error)
    print(f"scheduled runs            {len(runs):>10}  ({errors} with errors), {busy:.0f} s of rule time, "
          f"mean {busy / len(runs):.2f} s per run")
    top = sorted(durations.items(), key=lambda kv: -sum(kv[1]))[:5]
    print("busiest rules:")
    for rid, v in top:
        print(f"  {sum(v):7.1f} s in {len(v):>3} runs (max {max(v):5.1f} s)  {titles.get(rid, rid)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backends", default="sqlite")
    ap.add_argument("--es-url", default=None, help="an Elasticsearch node to use (default: start one)")
    ap.add_argument("--seconds", type=float, default=180, help="attack phase length")
    ap.add_argument("--rate", type=float, default=2000, help="events written per second")
    ap.add_argument("--tick", type=float, default=0.5, help="seconds between write batches")
    ap.add_argument("--warmup", type=float, default=60, help="benign writing before the baseline")
    ap.add_argument("--drain", type=float, default=120, help="most seconds to wait for late incidents")
    ap.add_argument("--interval", type=int, default=10, help="every rule's interval (s)")
    ap.add_argument("--overlap", type=int, default=120, help="window overlap (s), as detection.overlap_seconds")
    ap.add_argument("--max-concurrent", type=int, default=2)
    ap.add_argument("--bf-every", type=float, default=10)
    ap.add_argument("--sqli-every", type=float, default=7)
    ap.add_argument("--poll", type=float, default=0.5)
    ap.add_argument("--profile", action="store_true", help="cProfile the baseline run_once and print the top")
    args = ap.parse_args()
    backends = parse_backends(args.backends)
    t_all = time.perf_counter()

    def say(msg: str) -> None:
        print(f"{time.perf_counter() - t_all:6.0f} s  {msg}", flush=True)

    print(f"machine: {machine()}")
    ruleset = load_ruleset()
    print(f"{len(scheduled_rules(ruleset))} scheduled rules; interval {args.interval} s, overlap {args.overlap} s, "
          f"max {args.max_concurrent} at once; {args.rate:,.0f} events/s")
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp, ExitStack() as stack:
        es_url = None
        if "elasticsearch" in backends:
            es_url = stack.enter_context(es_node(given_es_url(args.es_url)))
            stack.callback(drop_indices, es_url, "latency")
        for i, name in enumerate(backends):
            bench_backend(name, Path(tmp), es_url, ruleset, args, say, last=i == len(backends) - 1)
    print(f"\nwall time {time.perf_counter() - t_all:.0f} s", flush=True)
    sys.stderr.flush()
    os._exit(0)  # rule runs still in progress are abandoned (their results are not measured)


if __name__ == "__main__":
    main()
