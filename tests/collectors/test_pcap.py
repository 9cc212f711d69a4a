"""Packet captures through real tshark: flow, DNS, HTTP and TLS events of the samples in shared/data/pcap."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.sources.pcap import PcapError, read_pcap
from soc.events import event_id


def _read(shared_data: Path, name: str) -> list[dict]:
    errors: list[PcapError] = []
    events = list(read_pcap(shared_data / "pcap" / name, errors))
    assert errors == []
    return events


def _of(events: list[dict], dataset: str) -> list[dict]:
    return [e for e in events if e["event.dataset"] == dataset]


def test_tshark_is_installed():
    assert shutil.which("tshark"), "tshark is a required system package (tools/system-deps.sh)"


def test_dns_lab_queries_and_answers(shared_data):
    events = _read(shared_data, "dns_lab.pcapng")
    dns = _of(events, "pcap.dns")
    assert len(dns) == 22  # every packet of the capture is a DNS message
    queries = [e for e in dns if e["dns.type"] == "query"]
    assert len(queries) == 11
    assert {(e["source.ip"], e["destination.ip"], e["destination.port"]) for e in queries} == {
        ("172.16.16.170", "4.2.2.1", 53)}
    first = dns[0]
    assert (first["dns.question.name"], first["dns.question.type"], first["source.port"]) == (
        "microsoft.com", "A", 49905)
    assert first["@timestamp"] == "2017-03-31T14:45:23.828Z"
    answer = dns[1]
    assert answer["dns.type"] == "answer" and answer["dns.response_code"] == "NOERROR"
    assert answer["dns.id"] == first["dns.id"] == str(0x1A16)
    assert answer["dns.resolved_ip"][0] == "104.43.195.251" and len(answer["dns.answers"]) == 5
    (nx,) = [e for e in dns if e.get("dns.response_code") == "NXDOMAIN"]
    assert nx["dns.question.name"] == "test.chrissanders.org" and nx["event.outcome"] == "failure"
    (ptr,) = [e for e in dns if e.get("dns.question.name") == "25.206.119.75.in-addr.arpa" and e["dns.type"] == "answer"]
    assert ptr["dns.answers"] == [{"type": "PTR", "data": "apache2-rank.fullsail.dreamhost.com"}]
    flows = _of(events, "pcap.flow")
    assert len(flows) == 11 and {f["network.protocol"] for f in flows} == {"dns"}
    assert all(f["network.packets"] == 2 and f["network.transport"] == "udp" for f in flows)


def test_dvwa_sql_injection_requests(shared_data):
    events = _read(shared_data, "http_dvwa_sqlinjection.pcapng")
    http = _of(events, "pcap.http")
    assert [e["http.request.method"] for e in http] == ["GET", "GET", "GET"]
    assert {(e["source.ip"], e["destination.ip"], e["destination.port"]) for e in http} == {
        ("10.2.2.101", "10.2.2.104", 80)}
    assert all(e["url.path"] == "/dvwa/vulnerabilities/sqli/" for e in http)
    assert http[0]["url.query"] == "id=%25%27+or+%270%27%3D%270&Submit=Submit"
    union = [e for e in http if "union+select" in e["url.original"]]
    assert len(union) == 2
    assert "union+select+null,+version()" in union[0]["soc.url.decoded"]
    assert all(e["http.response.status_code"] == 200 and e["url.domain"] == "10.2.2.104" for e in http)
    assert http[0]["user_agent.original"].startswith("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_4)")


def test_directory_traversal_request(shared_data):
    (req,) = _of(_read(shared_data, "http_dvwa_directorytraversal.pcapng"), "pcap.http")
    assert req["url.original"] == "/dvwa/vulnerabilities/fi/?page=../../../../../../etc/passwd"
    assert req["url.query"] == "page=../../../../../../etc/passwd"


def test_synscan_thousand_ports(shared_data):
    flows = _of(_read(shared_data, "synscan.pcapng"), "pcap.flow")
    assert {(f["source.ip"], f["destination.ip"]) for f in flows} == {("172.16.0.8", "64.13.134.52")}
    assert len({f["destination.port"] for f in flows}) == 1000
    assert sum(f["network.packets"] for f in flows) == 2011
    answered = sorted(f["destination.port"] for f in flows if f["event.outcome"] == "success")
    assert answered == [22, 53, 80]  # the open ports answered SYN-ACK
    assert Counter(tuple(f["soc.flow.tcp_flags"]) for f in flows)[("SYN",)] > 1900


def test_cryptowall_c2_beacons(shared_data):
    events = _read(shared_data, "cryptowall4_c2.pcapng")
    http = _of(events, "pcap.http")
    assert len(http) == 3
    for e in http:
        assert e["http.request.method"] == "POST"
        assert e["url.domain"] == "homealldaylong.com"
        assert e["url.path"] == "/76N1Lm.php"
        assert "MSIE 7.0" in e["user_agent.original"]
        assert (e["source.ip"], e["destination.ip"]) == ("192.168.122.145", "184.170.149.44")
        assert e["http.response.status_code"] == 200
    assert http[0]["url.full"] == "http://homealldaylong.com/76N1Lm.php?n=x4tk7t4jo6"
    assert http[0]["@timestamp"].startswith("2016-01-04T")


def test_tls_sni_of_chrome_session(shared_data):
    events = _read(shared_data, "tls_chrome-34-google.pcap")
    (tls,) = _of(events, "pcap.tls")
    assert tls["tls.client.server_name"] == "google.de"
    assert (tls["tls.version"], tls["tls.version_protocol"]) == ("1.2", "tls")
    assert (tls["destination.ip"], tls["destination.port"]) == ("74.125.239.152", 443)
    assert tls["tls.established"] is True and len(tls["tls.client.ja3"]) == 32
    (flow,) = _of(events, "pcap.flow")
    assert flow["network.packets"] == 42 and flow["network.bytes"] == 10886
    assert flow["network.protocol"] == "tls"


def test_ftp_and_ssh_guessing_connections(shared_data):
    ftp = _of(_read(shared_data, "ftp_bruteforce.pcap"), "pcap.flow")
    assert len(ftp) == 30
    assert {(f["source.ip"], f["destination.ip"], f["destination.port"]) for f in ftp} == {
        ("192.168.56.1", "192.168.56.101", 21)}
    assert sum(f["network.packets"] for f in ftp) == 606
    assert {f["network.protocol"] for f in ftp} == {"ftp"}
    starts = sorted(f["event.start"] for f in ftp)
    assert starts[0] < starts[-1] and all(f["event.duration"] >= 0 for f in ftp)
    ssh = _of(_read(shared_data, "ssh_sshguess.pcap"), "pcap.flow")
    assert len(ssh) == 11 and {f["destination.port"] for f in ssh} == {22}
    assert sum(f["network.packets"] for f in ssh) == 431


def test_event_ids_are_deterministic_and_unique(shared_data):
    name = "dns_lab.pcapng"
    a, b = _read(shared_data, name), _read(shared_data, name)
    assert [e["event.id"] for e in a] == [e["event.id"] for e in b]
    assert len({e["event.id"] for e in a}) == len(a)
    path = str((shared_data / "pcap" / name).resolve())
    assert a[0]["event.id"] == event_id(path, "dns:1")


def test_truncated_capture_keeps_what_was_read(shared_data, tmp_path):
    data = (shared_data / "pcap" / "synscan.pcapng").read_bytes()
    cut = tmp_path / "cut.pcapng"
    cut.write_bytes(data[: len(data) // 2])
    errors: list[PcapError] = []
    flows = _of(list(read_pcap(cut, errors)), "pcap.flow")
    assert 500 < len(flows) < 1994
    (err,) = errors
    assert "cut short" in err.reason


@pytest.mark.parametrize("content, n_errors", [(b"", 0), (b"not a capture at all" * 50, 1)])
def test_not_a_capture_is_an_error_not_a_crash(tmp_path, content, n_errors):
    f = tmp_path / "bad.pcap"
    f.write_bytes(content)
    errors: list[PcapError] = []
    assert list(read_pcap(f, errors)) == []
    assert len(errors) == n_errors
    assert all("isn't a capture file" in e.reason for e in errors)


def test_soc_ingest_stores_capture_events_once(shared_data, sqlite_store, tmp_path):
    from collectors.ingest import ingest_paths

    path = shared_data / "pcap" / "dns_lab.pcapng"
    (first,) = ingest_paths([path], sqlite_store)
    assert (first.format, first.stats.stored) == ("pcap", 33)  # 22 DNS messages + 11 flows
    (again,) = ingest_paths([path], sqlite_store)
    assert (again.stats.stored, again.stats.duplicates) == (0, 33)
    assert sqlite_store.count("`event.dataset` = 'pcap.dns' AND `dns.question.name` = 'cnn.com'") == 2
    cut = tmp_path / "cut.pcap"
    cut.write_bytes((shared_data / "pcap" / "ftp_bruteforce.pcap").read_bytes()[:20000])
    (res,) = ingest_paths([cut], sqlite_store)
    assert res.stats.stored > 0 and res.stats.dead_lettered == 1
    (dl,) = sqlite_store.list_dead_letters()
    assert "cut short" in dl.reason


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_damage_never_raises(shared_data, tmp_path, data):
    raw = bytearray((shared_data / "pcap" / "http_dvwa_sqlinjection.pcapng").read_bytes())
    for _ in range(data.draw(st.integers(1, 40))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    f = tmp_path / "damaged.pcapng"
    f.write_bytes(bytes(raw))
    errors: list[PcapError] = []
    events = list(read_pcap(f, errors))
    assert all(e["event.dataset"].startswith("pcap.") and e["event.id"] for e in events)
