"""Rules evaluated per second over a fixed event set, on each backend, beside one full read.

One simulated day (fixed seed and start, ~50k events: firewall, sshd/auth, nginx) is parsed
and ingested into the first backend and copied from it (same events and ids) into the other.
Then every rule that `soc serve` schedules from our rules/ (enabled and generating,
correlations included: their hidden base rules are read inside them) runs once with
`detection.engine.run_rule` over the whole range. Baseline, same run, same store: one full
read of every event (`sum(1 for _ in store.iter_events())`), taken before and after the rule
pass (the faster one is the baseline). The ratio says how many full reads one rule pass costs.

    .venv/bin/python bench/bench_rules.py [--backends sqlite,elasticsearch] [--es-url URL]
        [--scale 1.5] [--seed 7] [--slowest 5]

Elasticsearch: the node at --es-url (or SOC_STORE=http...), else a private node started with
tools/esnode.py and stopped at the end.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from common import drop_indices, es_node, given_es_url, machine, open_backend, parse_backends

from collectors.ingest import ingest_paths
from collectors.sources.simulator import simulate
from detection.engine import run_rule
from detection.model import CompiledRule, RuleSet
from detection.scheduler import scheduled_rules
from detection.sigma.compile import load_ruleset
from soc.store.base import Store

START = date(2026, 11, 23)  # a Monday: a weekday's volume
COPY_BATCH = 5000


@dataclass
class RuleTiming:
    rule: CompiledRule
    seconds: float
    alerts: int
    error: str = ""


@dataclass
class BackendResult:
    backend: str
    events: int
    ingest_s: float
    full_reads: list[float]
    timings: list[RuleTiming] = field(default_factory=list)

    @property
    def total_s(self) -> float:
        return sum(t.seconds for t in self.timings)

    @property
    def baseline_s(self) -> float:
        return min(self.full_reads)


def full_read(store: Store) -> tuple[int, float]:
    t0 = time.perf_counter()
    n = sum(1 for _ in store.iter_events())
    return n, time.perf_counter() - t0


def time_rules(store: Store, ruleset: RuleSet, start: datetime, end: datetime) -> list[RuleTiming]:
    out = []
    for rule in scheduled_rules(ruleset):
        t0 = time.perf_counter()
        try:
            alerts, error = len(run_rule(store, rule, ruleset, start, end)), ""
        except Exception as exc:  # noqa: BLE001 - a failing rule is reported, the others still run
            alerts, error = 0, f"{type(exc).__name__}: {exc}"
        out.append(RuleTiming(rule, time.perf_counter() - t0, alerts, error))
    return out


def load_events(store: Store, files: list[Path], parsed: Store | None) -> str:
    """Parse the files into the first store; copy the parsed events (same ids) into the others."""
    if parsed is None:
        ingest_paths(files, store)
        return "parsed and ingested"
    batch: list = []
    for ev in parsed.iter_events(page_size=COPY_BATCH):
        batch.append(ev)
        if len(batch) == COPY_BATCH:
            store.write_events(batch)
            batch = []
    if batch:
        store.write_events(batch)
    return f"copied in batches of {COPY_BATCH:,}"


def bench_backend(name: str, store: Store, files: list[Path], ruleset: RuleSet, parsed: Store | None) -> BackendResult:
    t0 = time.perf_counter()
    how = load_events(store, files, parsed)
    ingest_s = time.perf_counter() - t0
    lo, hi = store.time_bounds()
    assert lo is not None and hi is not None, "nothing was ingested"
    events, first_read = full_read(store)
    print(f"[{name}] {events:,} events {how} in {ingest_s:.1f} s; running the rules", flush=True)
    timings = time_rules(store, ruleset, lo, hi + timedelta(seconds=1))
    _, second_read = full_read(store)
    return BackendResult(name, events, ingest_s, [first_read, second_read], timings)


def report(r: BackendResult, slowest: int) -> None:
    n = len(r.timings)
    corr = sum(1 for t in r.timings if t.rule.is_correlation)
    print(f"\n== {r.backend} ==")
    print(f"events in range          {r.events:>12,}")
    print(f"rules                    {n:>12}   ({corr} correlations)")
    print(f"rule pass, total         {r.total_s:>12.2f} s")
    print(f"rules evaluated / s      {n / r.total_s:>12.2f}")
    print(f"events scanned / s       {r.events * n / r.total_s:>12,.0f}   (events in range x rules / s)")
    print(f"alerts raised            {sum(t.alerts for t in r.timings):>12}")
    reads = ", ".join(f"{s:.2f}" for s in r.full_reads)
    print(f"baseline: one full read  {r.baseline_s:>12.2f} s   (before, after: {reads} s; "
          f"{r.events / r.baseline_s:,.0f} events/s)")
    print(f"ratio rule pass / read   {r.total_s / r.baseline_s:>12.1f}")
    print(f"slowest {slowest}:")
    for t in sorted(r.timings, key=lambda t: -t.seconds)[:slowest]:
        print(f"  {t.seconds:7.2f} s  {t.rule.title}" + (" [correlation]" if t.rule.is_correlation else ""))
    for t in r.timings:
        if t.error:
            print(f"  ERROR {t.rule.title}: {t.error}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backends", default="sqlite,elasticsearch")
    ap.add_argument("--es-url", default=None, help="an Elasticsearch node to use (default: start one)")
    ap.add_argument("--scale", type=float, default=1.5, help="simulator volume (1.5: ~50k events)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--slowest", type=int, default=5)
    args = ap.parse_args()
    backends = parse_backends(args.backends)
    print(f"machine: {machine()}")
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-rules-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        sim = simulate(1, args.seed, work / "logs", start=START, scale=args.scale)
        files = list(sim.files.values())
        print(f"event set: simulator seed {args.seed}, {START}, 1 day, scale {args.scale}: "
              f"{sim.total_lines:,} lines")
        t0 = time.perf_counter()
        ruleset = load_ruleset()
        print(f"rules loaded in {time.perf_counter() - t0:.1f} s: {len(ruleset.rules)} rules, "
              f"{len(scheduled_rules(ruleset))} scheduled", flush=True)
        es_url = None
        if "elasticsearch" in backends:
            es_url = stack.enter_context(es_node(given_es_url(args.es_url)))
        results = []
        parsed = None  # the first backend parses the files; later ones get the same events copied
        for name in backends:
            store = open_backend(name, work, es_url, "rules")
            stack.callback(store.close)
            if name == "elasticsearch" and es_url:
                stack.callback(drop_indices, es_url, "rules")
            results.append(bench_backend(name, store, files, ruleset, parsed))
            parsed = parsed or store
        for r in results:
            report(r, args.slowest)
        if len(results) == 2 and [t.alerts for t in results[0].timings] != [t.alerts for t in results[1].timings]:
            print("\nWARNING: the backends raised different alert counts for some rules:")
            for a, b in zip(results[0].timings, results[1].timings):
                if a.alerts != b.alerts:
                    print(f"  {a.rule.title}: {a.alerts} vs {b.alerts}")
    print(f"\nwall time {time.perf_counter() - t_all:.0f} s")


if __name__ == "__main__":
    main()
