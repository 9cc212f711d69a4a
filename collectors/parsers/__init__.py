"""Log parsers: one module per format, all registered here.

Use `get_parser(name)`, `detect_format(sample_lines)`, `available_formats()` and one
`ParseContext` per source (file or listener); see `base.py` for the contract.

Formats (name: datasets): syslog: syslog; sshd (aliases linux_auth, auth): sshd.auth,
linux.auth, linux.syslog; nginx / apache_access / tomcat_access: *.access; apache_error,
nginx_error; iis: iis.access; fortigate: fortigate.traffic/utm/event; iptables: iptables.log;
pfsense: pfsense.log; cisco_asa: cisco.asa; paloalto: paloalto.traffic/threat;
suricata: suricata.eve; zeek: zeek.<log>; winlog_json: windows.<channel>.
"""

from __future__ import annotations

from .base import ParseContext, Parser, available_formats, detect_format, get_parser, register

# Importing a format module registers its parser.
from . import (  # noqa: E402,F401,I001  isort: skip
    syslog,
    linux_auth,
    web_access,
    apache_error,
    iis,
    fortigate,
    iptables,
    pfsense,
    cisco_asa,
    paloalto,
    suricata,
    zeek,
    winlog_json,
)



def compiled_modules() -> dict[str, bool]:
    """Each format module's name -> whether it runs as the extension Cython compiled (setup.py)."""
    import sys
    from pathlib import Path

    names = sorted(p.stem for p in Path(__file__).parent.glob("*.py") if p.stem != "__init__")
    return {n: not sys.modules[f"{__name__}.{n}"].__file__.endswith(".py")
            for n in names if f"{__name__}.{n}" in sys.modules}


__all__ = ["ParseContext", "Parser", "available_formats", "compiled_modules", "detect_format", "get_parser",
           "register"]
