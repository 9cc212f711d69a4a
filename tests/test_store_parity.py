"""The same logs on SQLite and on a real Elasticsearch node raise the same incidents:
the simulator's data center, and the real public Windows, SSH and web samples."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from collectors.ingest import ingest_paths
from collectors.sources.simulator import simulate
from detection.engine import run_once
from detection.sigma.compile import load_ruleset
from soc.store.base import IncidentFilter
from soc.store.elastic import ElasticStore
from soc.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[1]


def _incidents(store) -> set[tuple]:
    return {(i.id, i.rule_id, tuple(sorted((k, str(v)) for k, v in i.entity.items())), i.severity.value,
             i.first_seen, i.last_seen, i.evidence_count)
            for i in store.list_incidents(IncidentFilter(limit=100000))}


def _both(files: list[Path], es_url: str, prefix: str, tmp_path: Path) -> tuple[set, set]:
    ruleset = load_ruleset([ROOT / "rules", ROOT / "demo" / "filters"])
    now = datetime.now(timezone.utc)
    out = []
    for store in (SQLiteStore(tmp_path / f"{prefix}.db"), ElasticStore(es_url, index_prefix=prefix)):
        results = ingest_paths(files, store)
        assert sum(r.stats.dead_lettered for r in results) <= sum(r.stats.read for r in results) // 100
        summary = run_once(store, ruleset, now=now)
        assert not summary.errors, [r.error for r in summary.errors]
        out.append(_incidents(store))
        store.close()
    return out[0], out[1]


def test_simulated_data_center_gives_identical_incidents(es_url, tmp_path):
    sim = simulate(days=2, seed=5, out=tmp_path / "logs", start=date(2026, 11, 16), scale=0.3)
    on_sqlite, on_es = _both(list(sim.files.values()), es_url, "paritysim", tmp_path)
    assert len(on_sqlite) >= 5
    assert on_sqlite == on_es


def test_real_samples_give_identical_incidents(es_url, shared_data, tmp_path):
    files = sorted((shared_data / "evtx").glob("*.evtx")) + [
        shared_data / "loghub" / "OpenSSH_2k.log",
        shared_data / "web" / "combined_attacks.log",
        shared_data / "firewall" / "fortigate.log",
        shared_data / "pcap" / "synscan.pcapng",
    ]
    on_sqlite, on_es = _both(files, es_url, "parityreal", tmp_path)
    rules = {r for _, r, *_ in on_sqlite}
    assert len(on_sqlite) >= 15 and len(rules) >= 8
    assert on_sqlite == on_es
