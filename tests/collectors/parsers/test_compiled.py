"""The parsers run compiled by Cython (setup.py): every module is built, fresh, and gives
exactly what its .py source gives when interpreted, line for line, on the real samples."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import collectors.parsers
from collectors.parsers import compiled_modules

DUMP = Path(__file__).with_name("parse_dump.py")
PARSERS = Path(collectors.parsers.__file__).parent

# format -> sample files under shared/data: every text format with a real sample
SAMPLES = {
    "syslog": ["loghub/Linux_2k.log"], "sshd": ["loghub/OpenSSH_2k.log"],
    "nginx": ["web/combined_attacks.log", "web/apache_combined_baseline.log"],
    "tomcat_access": ["web/tomcat_access_attacks.log"], "apache_error": ["loghub/Apache_2k.log"],
    "iis": ["web/iis_w3c_tunna_webshell.log"],
    "fortigate": ["firewall/fortigate.log"], "iptables": ["firewall/iptables.log"],
    "pfsense": ["firewall/pfsense.log"], "cisco_asa": ["firewall/cisco_asa.log"],
    "paloalto": ["firewall/paloalto.log"],
    "suricata": ["suricata/eve_mixed.json", "suricata/eve_wrccdc2018_alerts.json"],
    "zeek": ["zeek/conn.log", "zeek/dns.log", "zeek/http.json", "zeek/ssl.log"],
}


def test_every_parser_module_is_compiled_and_fresh():
    modules = compiled_modules()
    assert modules, "no parser modules found"
    missing = [name for name, built in modules.items() if not built]
    assert not missing, f"parser modules running uncompiled: {missing}; run `make venv` (needs a C compiler)"
    for name in modules:
        module = importlib.import_module(f"collectors.parsers.{name}")
        source = PARSERS / f"{name}.py"
        assert Path(module.__file__).stat().st_mtime >= source.stat().st_mtime, (
            f"{module.__file__} is older than {source.name}: run `make venv` to recompile")


def _dump(args: list[str]) -> list[bytes]:
    done = subprocess.run([sys.executable, str(DUMP), *args], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return done.stdout.splitlines()


def test_compiled_and_interpreted_parsers_agree_on_every_sample_line(shared_data):
    specs = [f"{fmt}={shared_data / f}" for fmt, files in SAMPLES.items() for f in files]
    compiled, interpreted = _dump(specs), _dump(["--interpreted", *specs])
    assert len(compiled) == len(interpreted) > 10_000
    differ = [i for i, (a, b) in enumerate(zip(compiled, interpreted)) if a != b]
    assert not differ, f"{len(differ)} lines differ, first: {compiled[differ[0]][:300]!r} vs {interpreted[differ[0]][:300]!r}"
    assert sum(b'"error"' not in line[:10] and line != b"null" for line in compiled) > 10_000
