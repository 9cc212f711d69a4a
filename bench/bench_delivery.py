"""File -> store events/s end to end (tail + parse + ship into SQLite), beside a parse-only
baseline over the same lines in the same run, and their ratio.

    .venv/bin/python bench/bench_delivery.py                      # simulator auth + firewall + nginx lines
    .venv/bin/python bench/bench_delivery.py --file /path/to.log  # any log file
    .venv/bin/python bench/bench_delivery.py --lines 300000

The end-to-end figure runs the real collector (`run_collect` with one file source, its
state, its delivery thread and a fresh SQLite file) and times from start until the store
holds every event; the baselines are the same parser over the same lines in a bare loop
(parse only) and the store's own write_events of the already parsed events (store only):
end to end cannot beat the slower of the two, and e2e/store shows what the pipeline costs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from collectors.collect import CollectOptions, run_collect  # noqa: E402
from collectors.parsers.base import ParseContext, detect_format, get_parser  # noqa: E402
from soc.config import load_settings  # noqa: E402
from soc.errors import ParseError  # noqa: E402
from soc.store.sqlite import SQLiteStore  # noqa: E402


def sample_lines(tmp: Path, name: str, want: int) -> list[bytes]:
    from collectors.sources.simulator import simulate

    if not (tmp / "sim" / name).exists():
        simulate(days=3, seed=7, out=tmp / "sim", start=date(2026, 11, 16), scale=2.0)
    path = tmp / "sim" / name
    lines = path.read_bytes().splitlines(keepends=True)
    return (lines * (want // len(lines) + 1))[:want]


def baseline(lines: list[bytes], fmt: str) -> tuple[float, int]:
    parser = get_parser(fmt)
    ctx = ParseContext(source="bench")
    n = 0
    t0 = time.perf_counter()
    for raw in lines:
        try:
            if parser.parse(raw.rstrip(b"\r\n").decode("utf-8", "backslashreplace"), ctx) is not None:
                n += 1
        except ParseError:
            pass
    return time.perf_counter() - t0, n


def store_only(tmp: Path, lines: list[bytes], fmt: str) -> tuple[float, int]:
    """The store's own ceiling: write_events of already parsed events in batches of 2000."""
    from soc.events import event_id

    parser, ctx, events = get_parser(fmt), ParseContext(source="bench"), []
    for i, raw in enumerate(lines):
        try:
            ev = parser.parse(raw.rstrip(b"\r\n").decode("utf-8", "backslashreplace"), ctx)
        except ParseError:
            continue
        if ev is not None:
            ev["event.id"] = event_id("bench", i)
            events.append(ev)
    tmp.mkdir(parents=True)
    store = SQLiteStore(str(tmp / "only.db"))
    t0 = time.perf_counter()
    for i in range(0, len(events), 2000):
        store.write_events(events[i:i + 2000])
    secs = time.perf_counter() - t0
    store.close()
    return secs, len(events)


def end_to_end(tmp: Path, lines: list[bytes], fmt: str, expect: int) -> float:
    logs = tmp / "logs"
    logs.mkdir(parents=True)
    (logs / "bench.log").write_bytes(b"".join(lines))
    home = tmp / "home"
    cfg = tmp / "soc.toml"
    cfg.write_text(f'home = "{home}"\n[store]\nurl = "sqlite:///{home / "soc.db"}"\n'
                   f'[[sources]]\ntype = "file"\nname = "bench"\npath = "{logs}/*.log"\nformat = "{fmt}"\n'
                   'batch_size = 2000\npoll_interval = 0.05\n')
    settings = load_settings(cfg, env={})
    store = SQLiteStore(str(home / "soc.db"))
    watch = SQLiteStore(str(home / "soc.db"))
    stop = threading.Event()
    t0 = time.perf_counter()
    t = threading.Thread(target=run_collect, args=(settings, store, stop, CollectOptions(stats_interval=5)), daemon=True)
    t.start()
    while watch.count() < expect:  # COUNT(*) scans: poll gently so the watcher does not skew the figure
        time.sleep(0.25)
    elapsed = time.perf_counter() - t0
    stop.set()
    t.join()
    watch.close()
    store.close()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, help="log file to use (default: simulator lines)")
    ap.add_argument("--lines", type=int, default=200_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-delivery-") as d:
        tmp = Path(d)
        sets = ([(args.file.name, args.file.read_bytes().splitlines(keepends=True)[:args.lines])] if args.file else
                [(n, sample_lines(tmp, n, args.lines)) for n in ("auth.log", "fortigate.log", "nginx_access.log")])
        print(f"{'lines':<18}{'format':<12}{'n':>8}  {'parse only/s':>13}  {'store only/s':>13}  "
              f"{'file->store/s':>14}  {'e2e/parse':>9}  {'e2e/store':>9}")
        for i, (name, lines) in enumerate(sets):
            fmt = detect_format([ln.decode("utf-8", "replace") for ln in lines[:200]])
            secs, events = baseline(lines, fmt)
            w_secs, _ = store_only(tmp / f"store{i}", lines, fmt)
            e2e = end_to_end(tmp / f"run{i}", lines, fmt, events)
            print(f"{name:<18}{fmt:<12}{len(lines):>8}  {events / secs:>13,.0f}  {events / w_secs:>13,.0f}  "
                  f"{events / e2e:>14,.0f}  {secs / e2e:>9.2f}  {w_secs / e2e:>9.2f}")


if __name__ == "__main__":
    main()
