"""Parse-and-normalise speed per format on the real samples, beside a bare-regex baseline.

Each format's sample lines are replicated in memory to about 200,000 lines and parsed on one
core (the best of a few rounds, since these machines are noisy). The baseline is the cheapest
useful thing one could do with an sshd line: one precompiled regex, a dict, orjson.dumps;
it is measured in the same run, interleaved with the parsers, and every figure is printed
with its ratio to it. "+json" adds orjson.dumps of each event (what the shipper does next).

    .venv/bin/python bench/bench_parsers.py [--lines 200000] [--rounds 3] [--format sshd ...]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from collectors.parsers import ParseContext, compiled_modules, get_parser  # noqa: E402
from soc.errors import ParseError  # noqa: E402

# format -> sample files under shared/data (first match of each format that is registered)
SAMPLES: dict[str, list[str]] = {
    "syslog": ["loghub/Linux_2k.log"],
    "sshd": ["loghub/OpenSSH_2k.log"],
    "nginx": ["web/combined_attacks.log", "web/apache_combined_baseline.log"],
    "tomcat_access": ["web/tomcat_access_attacks.log"],
    "apache_error": ["loghub/Apache_2k.log"],
    "fortigate": ["firewall/fortigate.log"],
    "iptables": ["firewall/iptables.log"],
    "pfsense": ["firewall/pfsense.log"],
    "rfc5424": ["firewall/pfsense.log"],  # the generic syslog parser on OPNsense's RFC 5424 + RFC 3164 lines
    "cisco_asa": ["firewall/cisco_asa.log"],
    "paloalto": ["firewall/paloalto.log"],
    "suricata": ["suricata/eve_wrccdc2018_alerts.json", "suricata/eve_mixed.json"],
    "zeek": ["zeek/conn.log", "zeek/dns.json"],
    "iis": ["web/iis_w3c_tunna_webshell.log"],
}

_BASELINE_RE = re.compile(r"(\w{3} +\d+ [\d:]+) (\S+) ([\w-]+)\[(\d+)\]: (.*)")


def shared_data() -> Path:
    env = os.environ.get("SOC_SHARED_DATA")
    for c in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"]:
        if (c / "PROVENANCE.md").is_file():
            return c
    sys.exit("shared/data not found: set SOC_SHARED_DATA")


def read_lines(files: list[Path]) -> list[str]:
    lines: list[str] = []
    for f in files:
        lines += f.read_bytes().decode("utf-8", "backslashreplace").splitlines()  # as ingest decodes
    return lines


def replicate(lines: list[str], target: int) -> list[str]:
    return (lines * (target // max(len(lines), 1) + 1))[:target]


def _baseline_chunk(lines: list[str]) -> None:
    rx, dumps = _BASELINE_RE, orjson.dumps
    for line in lines:
        m = rx.match(line)
        if m is not None:
            dumps({"@timestamp": m.group(1), "host.name": m.group(2), "process.name": m.group(3),
                   "process.pid": int(m.group(4)), "message": m.group(5), "log.original": line})


def _parser_chunk(parser, ctx: ParseContext, lines: list[str], with_json: bool) -> int:
    dumps, errors = orjson.dumps, 0
    for line in lines:
        try:
            ev = parser.parse(line, ctx)
        except ParseError:
            errors += 1
            continue
        if with_json and ev is not None:
            dumps(ev)
    return errors


def measure(name: str, lines: list[str], sshd_lines: list[str], with_json: bool,
            chunk: int = 5_000) -> tuple[float, float, int]:
    """(parser lines/s, baseline lines/s, parse errors), the two interleaved chunk by chunk.

    Alternating small chunks makes both see the same machine load, so their ratio holds even
    when other processes come and go during the run.
    """
    parser, ctx = get_parser(name), ParseContext(source="bench")
    t_parser = t_base = 0.0
    errors = 0
    clock = time.perf_counter
    for at in range(0, len(lines), chunk):
        t0 = clock()
        _baseline_chunk(sshd_lines[at:at + chunk])
        t1 = clock()
        errors += _parser_chunk(parser, ctx, lines[at:at + chunk], with_json)
        t2 = clock()
        t_base += t1 - t0
        t_parser += t2 - t1
    return len(lines) / t_parser, len(sshd_lines) / t_base, errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--format", action="append", help="only these formats (repeatable)")
    args = ap.parse_args()
    data = shared_data()
    sshd_lines = replicate(read_lines([data / "loghub" / "OpenSSH_2k.log"]), args.lines)
    wanted = args.format or list(SAMPLES)
    built = compiled_modules()
    print(f"parser modules compiled by Cython: {sum(built.values())}/{len(built)}"
          + ("" if all(built.values()) else f" (interpreted: {[n for n, b in built.items() if not b]})"))
    print(f"{'format':<14}{'lines/s':>10}{'+json':>10}{'baseline':>10}{'ratio':>7}{'ratio+json':>11}  errors")
    base_all: list[float] = []
    for name in wanted:
        try:
            get_parser(name)
        except ParseError:
            print(f"{name:<14}  (not registered)")
            continue
        lines = replicate(read_lines([data / f for f in SAMPLES[name]]), args.lines)
        runs = [measure(name, lines, sshd_lines, False) for _ in range(args.rounds)]
        runs_json = [measure(name, lines, sshd_lines, True) for _ in range(args.rounds)]
        rate, base, errors = max(runs, key=lambda r: r[0] / r[1])  # the least disturbed round
        rate_j, base_j, _ = max(runs_json, key=lambda r: r[0] / r[1])
        base_all += [base, base_j]
        print(f"{name:<14}{rate:>10,.0f}{rate_j:>10,.0f}{base:>10,.0f}{rate / base:>7.2f}{rate_j / base_j:>11.2f}"
              f"  {errors}/{len(lines)}")
    if base_all:
        print(f"baseline = one regex + dict + orjson.dumps per sshd line, interleaved with each parser; "
              f"range in this run {min(base_all):,.0f}-{max(base_all):,.0f} lines/s")


if __name__ == "__main__":
    main()
