"""Bulk ingest into Elasticsearch: our shipper (Shipper -> ElasticStore.write_events) next to a
raw `helpers.streaming_bulk` of the same pre-built documents, in the same run, and the ratio.

    .venv/bin/python bench/bench_es_ingest.py [--events 100000] [--es-url http://127.0.0.1:9200] [--rounds 2]

Without --es-url (or SOC_STORE=http...) it starts a node with tools/esnode.py and stops it after.
Both sides index the same events into fresh indices with the same templates, `create` op and
deterministic ids; rounds alternate the two so machine noise hits both alike (best round kept).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson
from elasticsearch import Elasticsearch
from elasticsearch.helpers import streaming_bulk

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from collectors.ingest import read_lines  # noqa: E402
from collectors.parsers.base import ParseContext, get_parser  # noqa: E402
from collectors.shipper import Shipper  # noqa: E402
from collectors.sources.simulator import simulate  # noqa: E402
from soc.events import event_id  # noqa: E402
from soc.store.elastic import ElasticStore  # noqa: E402


def build_events(n: int) -> list[dict]:
    """Parsed events of the simulator's logs (all three formats), ids set, until `n`."""
    out: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        days = 1
        while True:
            sim = simulate(days=days, seed=3, out=Path(tmp) / str(days))
            if sim.total_lines >= n:
                break
            days *= 2
        fmts = {"fortigate.log": "fortigate", "auth.log": "sshd", "nginx_access.log": "nginx"}
        for name, path in sim.files.items():
            parser, ctx = get_parser(fmts[name]), ParseContext(source=str(path))
            for offset, raw in read_lines(path):
                ev = parser.parse(raw.decode(), ctx)
                if ev:
                    ev["event.id"] = event_id(str(path), offset)
                    out.append(ev)
    out.sort(key=lambda e: e["@timestamp"])
    return out[:n]


def raw_bulk(url: str, prefix: str, events: list[dict]) -> float:
    store = ElasticStore(url, index_prefix=prefix)
    store._setup()  # same templates as ours: only the write path differs
    es = Elasticsearch(url, request_timeout=120)
    actions = [{"_op_type": "create", "_index": store.event_index(e), "_id": e["event.id"], "_source": orjson.dumps(e)}
               for e in events]
    t0 = time.perf_counter()
    ok = sum(1 for good, _ in streaming_bulk(es, actions, chunk_size=2000, raise_on_error=False) if good)
    es.indices.refresh(index=f"{prefix}-events-*")
    dt = time.perf_counter() - t0
    assert ok == len(events), f"raw bulk stored {ok} of {len(events)}"
    return dt


def ours(url: str, prefix: str, events: list[dict]) -> float:
    store = ElasticStore(url, index_prefix=prefix)
    store._setup()
    docs = [dict(e) for e in events]  # the shipper owns its events, as after parsing
    shipper = Shipper(store)
    t0 = time.perf_counter()
    for e in docs:
        shipper.ship(e, "bench", e["event.id"])
    shipper.flush()
    dt = time.perf_counter() - t0
    assert shipper.stats.stored == len(events), f"shipper stored {shipper.stats.stored} of {len(events)}"
    return dt


def start_node() -> tuple[str, bool]:
    url = os.environ.get("SOC_STORE", "")
    if url.startswith("http"):
        return url, False
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "esnode.py"), "start", "--name", "bench-ingest"],
                          capture_output=True, text=True, check=True)
    return proc.stdout.strip().splitlines()[-1].split("=", 1)[1], True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--es-url")
    args = ap.parse_args()
    url, started = (args.es_url, False) if args.es_url else start_node()
    try:
        events = build_events(args.events)
        print(f"{len(events)} events from the simulator ({len(orjson.dumps(events)) / len(events):.0f} bytes each as JSON)")
        raw_t, our_t = [], []
        for r in range(args.rounds):
            raw_t.append(raw_bulk(url, f"benchraw{os.getpid()}r{r}", events))
            our_t.append(ours(url, f"benchours{os.getpid()}r{r}", events))
            print(f"round {r + 1}: raw streaming_bulk {len(events) / raw_t[-1]:,.0f} ev/s, "
                  f"shipper {len(events) / our_t[-1]:,.0f} ev/s")
        raw_rate, our_rate = len(events) / min(raw_t), len(events) / min(our_t)
        print(f"best: raw streaming_bulk {raw_rate:,.0f} ev/s | shipper -> ElasticStore {our_rate:,.0f} ev/s | "
              f"ratio {our_rate / raw_rate:.2f} (goal >= 0.80)")
        es = Elasticsearch(url)
        for name in es.indices.get(index=f"bench*{os.getpid()}*", allow_no_indices=True):
            es.indices.delete(index=name)
    finally:
        if started:
            subprocess.run([sys.executable, str(ROOT / "tools" / "esnode.py"), "stop", "--name", "bench-ingest"], check=False)


if __name__ == "__main__":
    main()
