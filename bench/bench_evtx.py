"""EVTX -> ECS events: records/s of `read_evtx` beside the bare Rust parser, same files, same run.

Every .evtx file of shared/data/evtx is read `--rounds` times (best round kept, these machines
are noisy) by three paths, so the figures show where the time goes:

- rust json:  `PyEvtxParser.records_json()` alone (the floor: the Rust parser's own speed),
- + orjson:   the same, each record's JSON decoded with orjson,
- read_evtx:  the whole reader (decode, Windows -> ECS mapping, ids, provenance).

    .venv/bin/python bench/bench_evtx.py [--rounds 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Callable

import orjson
from evtx import PyEvtxParser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from collectors.sources.evtx import read_evtx  # noqa: E402


def shared_data() -> Path:
    env = os.environ.get("SOC_SHARED_DATA")
    for c in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"]:
        if (c / "PROVENANCE.md").is_file():
            return c
    sys.exit("shared/data not found: set SOC_SHARED_DATA")


def rust_json(files: list[Path], threads: int) -> int:
    return sum(sum(1 for _ in PyEvtxParser(str(f), number_of_threads=threads).records_json()) for f in files)


def rust_orjson(files: list[Path], threads: int) -> int:
    n = 0
    for f in files:
        for rec in PyEvtxParser(str(f), number_of_threads=threads).records_json():
            orjson.loads(rec["data"])
            n += 1
    return n


def reader(files: list[Path], threads: int) -> int:
    errors: list = []
    n = sum(sum(1 for _ in read_evtx(f, errors, threads=threads)) for f in files)
    assert not errors, errors[:3]
    return n


def best_rate(fn: Callable[[list[Path], int], int], files: list[Path], threads: int, rounds: int) -> tuple[int, float]:
    best, n = 0.0, 0
    for _ in range(rounds):
        start = time.process_time()
        n = fn(files, threads)
        best = max(best, n / max(time.process_time() - start, 1e-9))
    return n, best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1, help="Rust parser threads (0 = one per core)")
    args = ap.parse_args()
    files = sorted((shared_data() / "evtx").glob("*.evtx"))
    size = sum(f.stat().st_size for f in files)
    print(f"{len(files)} files, {size / 1e6:.1f} MB; CPU-time records/s, best of {args.rounds}, "
          f"{args.threads or 'all'} parser thread(s)")
    results = {name: best_rate(fn, files, args.threads, args.rounds)
               for name, fn in (("rust json", rust_json), ("+ orjson", rust_orjson), ("read_evtx", reader))}
    floor = results["rust json"][1]
    print(f"{'path':<12}{'records':>10}{'records/s':>14}{'share of rust json':>22}")
    for name, (n, rate) in results.items():
        print(f"{name:<12}{n:>10,}{rate:>14,.0f}{rate / floor:>22.2f}")


if __name__ == "__main__":
    main()
