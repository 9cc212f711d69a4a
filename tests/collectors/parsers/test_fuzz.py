"""Fuzzing: no input makes any registered parser raise anything but ParseError.

Arbitrary text, and real lines from the shared samples mutated (characters replaced, inserted,
deleted, truncated). When a parser does return an event, it must be a well-formed one: a
`@timestamp` in the one event format, a dataset, the raw line, and serialisable by orjson.
"""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.parsers import ParseContext, available_formats, get_parser
from soc.errors import ParseError

TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
SAMPLES = ["loghub/OpenSSH_2k.log", "loghub/Linux_2k.log", "loghub/Apache_2k.log", "web/combined_attacks.log",
           "web/tomcat_access_attacks.log", "web/iis_w3c_tunna_webshell.log", "firewall/fortigate.log",
           "firewall/iptables.log", "firewall/pfsense.log", "firewall/cisco_asa.log", "firewall/paloalto.log",
           "suricata/eve_mixed.json", "zeek/conn.log", "zeek/ssh.json", "zeek/http.json"]


def _real_lines() -> list[str]:
    from tests.conftest import _shared_data_dir  # the same folder the shared_data fixture finds

    root: Path = _shared_data_dir()
    lines: list[str] = []
    for name in SAMPLES:
        text = (root / name).read_bytes().decode("utf-8", "backslashreplace").splitlines()
        lines += text[:40] + text[-5:]
    return lines


REAL = _real_lines()
FORMATS = available_formats()


def _check(name: str, line: str, ctx: ParseContext) -> None:
    try:
        ev = get_parser(name).parse(line, ctx)
    except ParseError as exc:
        assert exc.reason
        return
    if ev is None:
        return
    assert isinstance(ev, dict)
    assert TS.match(ev["@timestamp"]), ev["@timestamp"]
    assert ev["event.dataset"] and "log.original" in ev
    orjson.dumps(ev)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    line = draw(st.sampled_from(REAL))
    for _ in range(draw(st.integers(0, 4))):
        if not line:
            break
        at = draw(st.integers(0, len(line)))
        op = draw(st.sampled_from(["replace", "insert", "delete", "truncate"]))
        piece = draw(st.text(alphabet=st.sampled_from(list(' "=:,[]{}<>/\\.\t-0123456789aZ%\x00é')), max_size=6)
                     | st.text(max_size=6))
        if op == "replace":
            line = line[:at] + piece + line[at + len(piece):]
        elif op == "insert":
            line = line[:at] + piece + line[at:]
        elif op == "delete":
            line = line[:at] + line[at + draw(st.integers(1, 8)):]
        else:
            line = line[:at]
    return line


FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", FORMATS)
@FUZZ
@given(text=st.text(max_size=300))
def test_arbitrary_text(name: str, text: str) -> None:
    _check(name, text, ParseContext())


@pytest.mark.parametrize("name", FORMATS)
@FUZZ
@given(line=mutated())
def test_mutated_real_lines(name: str, line: str) -> None:
    _check(name, line, ParseContext())


@pytest.mark.parametrize("name", ["zeek", "iis"])
@FUZZ
@given(lines=st.lists(mutated() | st.sampled_from(["#fields\tts\tuid", "#types\ttime\tstring", "#separator \\x09",
                                                    "#Fields: date time c-ip", "#separator \\xZZ"]), max_size=6))
def test_header_state_sequences(name: str, lines: list[str]) -> None:
    ctx = ParseContext()
    for line in lines:
        _check(name, line, ctx)


def test_every_format_is_fuzzed() -> None:
    assert len(FORMATS) >= 15 and {"sshd", "fortigate", "nginx", "zeek", "winlog_json"} <= set(FORMATS)
