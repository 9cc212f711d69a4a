"""Helpers shared by the detection benchmarks: backends to open, an Elasticsearch node to run on.

`es_node(url)` yields the URL of an Elasticsearch node: the one given (`--es-url`, or
`SOC_STORE` when it is an http(s) URL), else a private node started with tools/esnode.py for
this run and stopped (data purged) at the end. `open_backend` opens a fresh store of each
kind: a new SQLite file, or a new index prefix on the node (dropped by `drop_indices`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from soc.store.base import Store  # noqa: E402

BACKENDS = ("sqlite", "elasticsearch")
ESNODE = [sys.executable, str(ROOT / "tools" / "esnode.py")]


def parse_backends(text: str) -> list[str]:
    names = [b.strip() for b in text.split(",") if b.strip()]
    bad = [b for b in names if b not in BACKENDS]
    if bad or not names:
        sys.exit(f"--backends: choose from {','.join(BACKENDS)} (got {text!r})")
    return names


def given_es_url(arg: str | None) -> str | None:
    """--es-url, else SOC_STORE when it names an Elasticsearch node, else None (start one)."""
    url = arg or os.environ.get("SOC_STORE", "")
    return url.rstrip("/") if url.startswith(("http://", "https://")) else None


@contextmanager
def es_node(url: str | None) -> Iterator[str]:
    """The given node, or a private one started for this run and stopped with its data at the end."""
    if url:
        yield url
        return
    name = f"bench-{os.getpid()}"
    t0 = time.perf_counter()
    proc = subprocess.run(ESNODE + ["start", "--name", name, "--fresh", "--owner", str(os.getpid())],
                          capture_output=True, text=True)
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    if proc.returncode != 0 or not last.startswith("SOC_STORE="):
        tail = "\n".join(proc.stderr.strip().splitlines()[-30:])
        sys.exit(f"could not start an Elasticsearch node (tools/esnode.py start):\n{tail}")
    started = last.split("=", 1)[1]
    print(f"[es] node {name} started at {started} in {time.perf_counter() - t0:.0f} s", flush=True)
    try:
        yield started
    finally:
        subprocess.run(ESNODE + ["stop", "--name", name, "--purge"], capture_output=True, text=True)


def open_backend(name: str, workdir: Path, es_url: str | None, tag: str) -> Store:
    """A fresh, empty store of kind `name`; `tag` keeps several stores of one run apart."""
    if name == "sqlite":
        from soc.store.sqlite import SQLiteStore

        return SQLiteStore(workdir / f"{tag}.db")
    if es_url is None:
        raise ValueError("an Elasticsearch URL is needed")
    from soc.store.elastic import ElasticStore

    return ElasticStore(es_url, index_prefix=es_prefix(tag))


def es_prefix(tag: str) -> str:
    return f"bench{os.getpid()}_{tag}".lower()


def drop_indices(es_url: str, tag: str) -> None:
    """Delete the indices of one benchmark store (on a node we did not start, leave no trace)."""
    prefix = es_prefix(tag)
    try:
        with urllib.request.urlopen(f"{es_url}/_cat/indices/{prefix}-*?h=index&format=json", timeout=30) as r:
            names = [row["index"] for row in json.load(r)]
        if names:
            req = urllib.request.Request(f"{es_url}/{','.join(names)}", method="DELETE")
            urllib.request.urlopen(req, timeout=60).close()
    except OSError as exc:
        print(f"[es] could not delete the benchmark indices {prefix}-*: {exc}", file=sys.stderr)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def machine() -> str:
    cpus = os.cpu_count() or 0
    try:
        load = "load %.1f %.1f %.1f" % os.getloadavg()
    except OSError:
        load = ""
    return f"{cpus} cores, Python {sys.version.split()[0]}, {load}"
