"""Packet capture -> events: pyshark per packet against tshark's field rows and EK JSON, same captures, same run.

All captures of shared/data/pcap are concatenated (mergecap -a) `--repeat` times into one file.
Each path reads the same per-packet fields (addresses, ports, DNS/HTTP/TLS fields):

- fields:   `tshark -T fields` rows split in Python (what collectors/sources/pcap.py uses),
- events:   the whole `read_pcap` (fields + flow/DNS/HTTP/TLS events),
- ek:       `tshark -T ek -e ...` JSON lines parsed with orjson,
- pyshark:  `pyshark.FileCapture` (tshark PDML -> one Python object per packet), attribute
            access per packet; only the first `--pyshark-packets` packets, as it is slow.

Figures are packets/s of wall time and of CPU time (this process plus its tshark children),
with the ratio of each path to pyshark measured in the same run.

    .venv/bin/python bench/bench_pcap.py [--repeat 10] [--pyshark-packets 1000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from collectors.sources.pcap import FIELDS, read_pcap, tshark_command, tshark_rows  # noqa: E402


def shared_data() -> Path:
    env = os.environ.get("SOC_SHARED_DATA")
    for c in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"]:
        if (c / "PROVENANCE.md").is_file():
            return c
    sys.exit("shared/data not found: set SOC_SHARED_DATA")


def build_capture(out: Path, repeat: int) -> Path:
    captures = sorted(str(p) for p in (shared_data() / "pcap").iterdir() if p.suffix in (".pcap", ".pcapng"))
    target = out / "bench.pcapng"
    subprocess.run(["mergecap", "-a", "-F", "pcapng", "-w", str(target), *(captures * repeat)], check=True)
    return target


def cpu_seconds() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn: Callable[[], int]) -> tuple[int, float, float]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    n = fn()
    return n, time.perf_counter() - wall, cpu_seconds() - cpu


def run_fields(path: Path) -> int:
    return sum(1 for _ in tshark_rows(path))


def run_events(path: Path) -> int:
    for _ in read_pcap(path):
        pass
    return count_packets(path)


def run_ek(path: Path) -> int:
    cmd = tshark_command(path)
    cmd[cmd.index("fields")] = "ek"
    n = 0
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            doc = orjson.loads(line)
            if "layers" in doc:  # every other line is the bulk-index header
                n += 1
    return n


def run_pyshark(path: Path, limit: int) -> int:
    import pyshark

    cap = pyshark.FileCapture(str(path), keep_packets=False)
    n = 0
    try:
        for pkt in cap:
            n += 1
            _touch(pkt)
            if n >= limit:
                break
    finally:
        cap.close()
    return n


def _touch(pkt) -> None:
    """Read what pcap.py reads, the way pyshark users do."""
    _ = pkt.number, pkt.sniff_timestamp, pkt.length, pkt.highest_layer
    if hasattr(pkt, "ip"):
        _ = pkt.ip.src, pkt.ip.dst, pkt.ip.proto
    for layer in ("tcp", "udp"):
        if hasattr(pkt, layer):
            _ = getattr(pkt, layer).srcport, getattr(pkt, layer).dstport
    if hasattr(pkt, "dns"):
        _ = pkt.dns.get_field("qry_name"), pkt.dns.get_field("a")
    if hasattr(pkt, "http"):
        _ = pkt.http.get_field("request_method"), pkt.http.get_field("request_uri"), pkt.http.get_field("user_agent")
    if hasattr(pkt, "tls"):
        _ = pkt.tls.get_field("handshake_extensions_server_name")


def count_packets(path: Path) -> int:
    out = subprocess.run(["capinfos", "-c", "-M", str(path)], capture_output=True, text=True, check=True).stdout
    return int(out.strip().splitlines()[-1].split(":")[-1].strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--pyshark-packets", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = build_capture(Path(tmp), args.repeat)
        total = count_packets(path)
        print(f"capture: {total:,} packets ({args.repeat} x shared/data/pcap), {len(FIELDS)} fields per packet")
        results = {
            "pyshark": timed(lambda: run_pyshark(path, args.pyshark_packets)),
            "ek": timed(lambda: run_ek(path)),
            "fields": timed(lambda: run_fields(path)),
            "events": timed(lambda: run_events(path)),
        }
    base_wall = results["pyshark"][0] / results["pyshark"][1]
    base_cpu = results["pyshark"][0] / max(results["pyshark"][2], 1e-9)
    print(f"{'path':<10}{'packets':>10}{'pkt/s wall':>14}{'pkt/s cpu':>14}{'x pyshark (wall)':>18}{'x pyshark (cpu)':>17}")
    for name, (n, wall, cpu) in results.items():
        pw, pc = n / wall, n / max(cpu, 1e-9)
        print(f"{name:<10}{n:>10,}{pw:>14,.0f}{pc:>14,.0f}{pw / base_wall:>18.1f}{pc / base_cpu:>17.1f}")
    fastest = max(("fields", "ek", "pyshark"), key=lambda k: results[k][0] / results[k][1])
    print(f"fastest path: {fastest} (read_pcap uses tshark fields)")


if __name__ == "__main__":
    main()
