"""Access logs (combined/common) and error logs on the real web samples."""

from __future__ import annotations

from collections import Counter

import pytest

from collectors.parsers import ParseContext, detect_format, get_parser
from soc.errors import ParseError


def _lines(path):
    # as collectors/ingest.py does: bytes that are not UTF-8 become backslash escapes
    return path.read_bytes().decode("utf-8", "backslashreplace").splitlines()


def _parse_all(parser, lines):
    ctx = ParseContext()
    events, errors = [], []
    for ln in lines:
        try:
            ev = parser.parse(ln, ctx)
        except ParseError as exc:
            errors.append((ln, exc.reason))
        else:
            if ev is not None:
                events.append(ev)
    return events, errors


def test_combined_attacks_keep_encoded_url(shared_data):
    lines = _lines(shared_data / "web" / "combined_attacks.log")
    events, errors = _parse_all(get_parser("nginx"), lines)
    assert len(events) == 85 and not errors
    ev = events[1]
    assert ev["url.original"] == "/foo?a=%20union%20all%20select%20"
    assert ev["url.path"] == "/foo" and ev["url.query"] == "a=%20union%20all%20select%20"
    assert ev["soc.url.decoded"] == "/foo?a= union all select "
    assert ev["@timestamp"] == "2021-09-30T09:11:54.000Z"  # +0200 kept, not the default zone
    assert (ev["source.ip"], ev["http.request.method"], ev["http.response.status_code"]) == ("127.0.0.1", "GET", 404)
    assert ev["http.response.body.bytes"] == 162 and ev["user_agent.original"] == "curl/7.68.0"
    assert ev["event.dataset"] == "nginx.access" and ev["event.outcome"] == "failure"
    traversal = [e for e in events if "%252E%252E" in e["url.original"]]
    assert traversal and all("../" in e["soc.url.decoded"] for e in traversal)
    log4j = [e for e in events if "${jndi:" in e.get("user_agent.original", "") + e.get("http.request.referrer", "")]
    assert [e["source.ip"] for e in log4j] == ["192.168.1.3", "192.168.1.4", "192.168.1.5"]
    assert detect_format(lines) == "nginx"


def test_apache_combined_baseline(shared_data):
    events, errors = _parse_all(get_parser("apache_access"), _lines(shared_data / "web" / "apache_combined_baseline.log"))
    assert len(events) == 10000 and not errors
    first = events[0]
    assert first["event.dataset"] == "apache.access"
    assert first["source.ip"] == "83.149.9.216"
    assert first["url.path"] == "/presentations/logstash-monitorama-2013/images/kibana-search.png"
    assert first["http.request.referrer"] == "http://semicomplete.com/presentations/logstash-monitorama-2013/"
    assert first["http.response.body.bytes"] == 203023 and first["http.version"] == "1.1"
    assert first["user_agent.original"].startswith("Mozilla/5.0 (Macintosh")
    assert Counter(e["http.response.status_code"] for e in events)[200] > 9000


def test_tomcat_common_crlf_binary_and_unescaped_quotes(shared_data):
    lines = _lines(shared_data / "web" / "tomcat_access_attacks.log")
    events, errors = _parse_all(get_parser("tomcat_access"), lines)
    assert len(lines) == 2661 and len(events) == 2661 and not errors
    assert not any(e["log.original"].endswith("\r") for e in events)
    tls = events[26]  # a TLS ClientHello sent to the plain HTTP port, logged as the request line
    assert tls["http.request.line"].startswith("\x16\x03\x01") and "url.original" not in tls
    assert tls["http.response.status_code"] == 400
    xss = [e for e in events if e.get("url.query") == 'postdata="><script>foo</script>']
    assert len(xss) == 2 and xss[0]["http.request.method"] == "GET"
    statuses = Counter(e["http.response.status_code"] for e in events)
    assert statuses[404] == sum(1 for ln in lines if '" 404 ' in ln)
    shell = [e for e in events if e.get("url.path") == "/error/cmd.jsp" and e["http.request.method"] == "POST"]
    assert shell and all(e["source.ip"] == "192.168.105.76" for e in shell)


def test_access_bad_lines():
    parser = get_parser("nginx")
    assert parser.parse("", ParseContext()) is None
    with pytest.raises(ParseError, match="not an access-log line"):
        parser.parse("1.2.3.4 - - [30/Sep/2021:11:11:54] GET /", ParseContext())
    with pytest.raises(ParseError, match="bad access-log timestamp"):
        parser.parse('1.2.3.4 - - [30/Xyz/2021:11:11:54 +0200] "GET / HTTP/1.1" 200 1', ParseContext())


def test_apache_error_loghub(shared_data):
    lines = _lines(shared_data / "loghub" / "Apache_2k.log")
    events, errors = _parse_all(get_parser("apache_error"), lines)
    assert len(events) == 2000 and not errors
    levels = Counter(e["log.level"] for e in events)
    assert levels == {"notice": 1405, "error": 595}
    first = events[0]
    assert first["@timestamp"] == "2005-12-03T21:47:44.000Z"  # 04:47:44 in Asia/Ho_Chi_Minh
    assert first["message"] == "workerEnv.init() ok /etc/httpd/conf/workers2.properties"
    assert first["event.dataset"] == "apache.error"
    assert detect_format(lines[:100]) == "apache_error"


def test_apache_24_and_nginx_error_lines():
    ev = get_parser("apache_error").parse(
        "[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 5678] [client 10.1.2.3:5678] "
        "AH00124: Request exceeded the limit of 10 internal redirects", ParseContext(tz="UTC"))
    assert ev["@timestamp"] == "2000-10-11T14:32:52.123Z"
    assert (ev["apache.error.module"], ev["log.level"], ev["process.pid"]) == ("core", "error", 1234)
    assert (ev["source.ip"], ev["source.port"]) == ("10.1.2.3", 5678)
    ev = get_parser("nginx_error").parse(
        '2024/01/31 10:00:00 [error] 1234#0: *5 open() "/var/www/.env" failed (2: No such file or directory), '
        'client: 203.0.113.7, server: portal.gov.vn, request: "GET /.env HTTP/1.1", host: "portal.gov.vn"',
        ParseContext())
    assert ev["@timestamp"] == "2024-01-31T03:00:00.000Z"
    assert (ev["source.ip"], ev["url.path"], ev["http.request.method"]) == ("203.0.113.7", "/.env", "GET")
    assert ev["destination.domain"] == "portal.gov.vn" and ev["log.level"] == "error"
