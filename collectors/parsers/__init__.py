"""Log parsers: one module per format, all registered here.

Use `get_parser(name)`, `detect_format(sample_lines)`, `available_formats()` and a
`ParseContext` per source; see `base.py` for the contract.
"""

from __future__ import annotations

from .base import ParseContext, Parser, available_formats, detect_format, get_parser, register

# Importing a format module registers its parser.
from . import syslog, linux_auth, web_access, apache_error, fortigate, iptables, pfsense, cisco_asa, paloalto, suricata, zeek, winlog_json, iis  # noqa: E402,F401,I001

__all__ = ["ParseContext", "Parser", "available_formats", "detect_format", "get_parser", "register"]
