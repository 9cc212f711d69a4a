"""Suricata EVE and Zeek (TSV and JSON) parsers on the real samples."""

from __future__ import annotations

from collections import Counter

import orjson
import pytest

from collectors.parsers import ParseContext, detect_format, get_parser
from soc.errors import ParseError


def _parse_file(name, path):
    parser, ctx = get_parser(name), ParseContext()
    events = [parser.parse(ln, ctx) for ln in path.read_text().splitlines()]
    return [e for e in events if e is not None]


def test_suricata_alert_samples(shared_data):
    wrccdc = _parse_file("suricata", shared_data / "suricata" / "eve_wrccdc2018_alerts.json")
    assert len(wrccdc) == 207 and all(e["event.kind"] == "alert" for e in wrccdc)
    categories = Counter(e["rule.category"] for e in wrccdc)
    assert categories["Misc Attack"] == 52 and categories["A Network Trojan was detected"] == 26
    first = wrccdc[0]
    assert first["@timestamp"] == "2018-03-24T20:37:19.037Z"  # -0600 offset kept
    assert (first["rule.name"], first["rule.id"], first["event.severity"]) == ("ET SCAN Potential SSH Scan", "2001219", 2)
    assert (first["destination.ip"], first["destination.port"], first["network.transport"]) == ("10.47.8.150", 22, "tcp")
    assert (first["source.bytes"], first["destination.bytes"]) == (74, 0)
    honeypot = _parse_file("eve", shared_data / "suricata" / "eve_honeypot2018_alerts.json")
    assert len(honeypot) == 44
    for ev in wrccdc + honeypot:
        orjson.dumps(ev)  # what the shipper does with it


def test_suricata_mixed_event_types(shared_data):
    lines = (shared_data / "suricata" / "eve_mixed.json").read_text().splitlines()
    events = _parse_file("suricata", shared_data / "suricata" / "eve_mixed.json")
    assert Counter(e["event.action"] for e in events) == {"alert": 8, "flow": 2, "stats": 2}
    traversal = next(e for e in events if "CVE-2021-41773" in e.get("rule.name", ""))
    assert traversal["url.original"].startswith("/cgi-bin/.")
    assert traversal["url.domain"] == "34.245.178.108" and traversal["http.request.method"]
    assert all(e["event.kind"] == "metric" for e in events if e["event.action"] == "stats")
    assert detect_format(lines) == "suricata"


def test_suricata_bad_json():
    parser = get_parser("suricata")
    with pytest.raises(ParseError, match="invalid JSON"):
        parser.parse('{"timestamp": "2020-01-01T00:00:00Z", "event_type": ', ParseContext())
    with pytest.raises(ParseError, match="JSON object"):
        parser.parse("[1, 2]", ParseContext())
    with pytest.raises(ParseError, match="event_type"):
        parser.parse('{"src_ip": "1.2.3.4"}', ParseContext())


def test_zeek_conn_tsv(shared_data):
    events = _parse_file("zeek", shared_data / "zeek" / "conn.log")
    assert len(events) == 92 and all(e["event.dataset"] == "zeek.conn" for e in events)
    states = Counter(e["zeek.connection.state"] for e in events)
    assert states == {"S0": 56, "RSTO": 18, "RSTR": 6, "RSTOS0": 6, "REJ": 5, **{k: v for k, v in states.items()
                                                                                if k not in ("S0", "RSTO", "RSTR", "RSTOS0", "REJ")}}
    assert Counter(e.get("network.protocol") for e in events)["http"] == 14
    first = events[0]
    assert (first["source.ip"], first["source.port"], first["destination.ip"], first["destination.port"]) == (
        "10.164.94.120", 39681, "10.47.3.155", 3389)
    assert (first["source.bytes"], first["destination.bytes"], first["event.duration"]) == (97, 19, 4266000)


def test_zeek_tsv_and_json_give_the_same_ssh_events(shared_data):
    tsv = _parse_file("zeek", shared_data / "zeek" / "ssh.log")
    js = _parse_file("zeek", shared_data / "zeek" / "ssh.json")
    assert len(tsv) == len(js) == 22
    strip = lambda e: {k: v for k, v in e.items() if k != "log.original"}  # noqa: E731
    assert [strip(e) for e in tsv] == [strip(e) for e in js]
    assert Counter(e.get("event.outcome") for e in tsv) == {None: 15, "success": 5, "failure": 2}


def test_zeek_dns_http_ssl(shared_data):
    dns = _parse_file("zeek", shared_data / "zeek" / "dns.log")
    assert len(dns) == 2000
    assert Counter(e.get("dns.question.type") for e in dns)["A"] == 1395
    assert Counter(e.get("dns.response_code") for e in dns)["NXDOMAIN"] == 74
    http = _parse_file("zeek", shared_data / "zeek" / "http.log")
    assert len(http) == 1 and http[0]["http.response.status_code"] == 101
    assert http[0]["url.original"] == "/echo?.kl=Y" and http[0]["url.domain"] == "sandbox.kaazing.net"
    http_json = _parse_file("zeek", shared_data / "zeek" / "http.json")  # no _path: guessed from the fields
    assert [e["event.dataset"] for e in http_json] == ["zeek.http", "zeek.http"]
    assert http_json[0]["url.domain"] == "ocsp.apple.com" and http_json[0]["user.name"] == "user"
    ssl = _parse_file("zeek", shared_data / "zeek" / "ssl.log")
    assert len(ssl) == 1000 and all(e["event.dataset"] == "zeek.ssl" for e in ssl)
    assert any(e.get("tls.client.server_name") == e.get("destination.domain") for e in ssl if "destination.domain" in e)


def test_zeek_record_without_header_and_bad_columns(shared_data):
    parser = get_parser("zeek")
    line = (shared_data / "zeek" / "conn.log").read_text().splitlines()[8]
    with pytest.raises(ParseError, match="before its #fields header"):
        parser.parse(line, ParseContext())
    ctx = ParseContext()
    for header in (shared_data / "zeek" / "conn.log").read_text().splitlines()[:8]:
        assert parser.parse(header, ctx) is None
    assert parser.parse(line, ctx)["event.dataset"] == "zeek.conn"
    with pytest.raises(ParseError, match="columns"):
        parser.parse("1521911721.2\tC8T\t10.0.0.1", ctx)
    assert detect_format((shared_data / "zeek" / "dns.log").read_text().splitlines()[:30]) == "zeek"
