"""Packet captures (pcap/pcapng) -> flow, DNS, HTTP and TLS events, through tshark's field output.

One tshark process dissects the capture and prints the fields we need as one tab-separated row
per packet (`-T fields`); Python only aggregates. `bench/bench_pcap.py` measured this path
against pyshark (one Python object per packet over tshark's PDML) and tshark's EK JSON on the
same captures: the field rows are the fastest by far, so pyshark is not used here.

Events (`event.dataset`):
- `pcap.flow`: one per 5-tuple (the first packet's sender is the source), with per-direction
  bytes/packets, `event.start/end/duration`; emitted when idle for `FLOW_IDLE_SECONDS` of
  capture time or at the end of the file.
- `pcap.dns`: one per DNS message (query or response) with question, response code, answers.
- `pcap.http`: one per HTTP request, completed with the status code of its response.
- `pcap.tls`: one per ClientHello with the SNI, completed by the ServerHello's version.

`event.id` is deterministic: the file path plus the frame number (and flow key for flows).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from collectors.parsers.web_access import url_fields
from soc.errors import SocError
from soc.events import Event, event_id, format_ts

FLOW_IDLE_SECONDS = 300
_SWEEP_EVERY = 20_000  # packets between idle-flow sweeps
_MAX_PENDING = 10_000  # requests/hellos waiting for their answer before being emitted as they are
AGGREGATOR = "\x1f"  # between repeated values of one field: never part of a dissected value

FIELDS = (
    "frame.number", "frame.time_epoch", "frame.len", "frame.protocols",
    "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "ip.proto", "ipv6.nxt",
    "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.flags", "tcp.stream",
    "dns.id", "dns.flags.response", "dns.qry.name", "dns.qry.type", "dns.flags.rcode",
    "dns.a", "dns.aaaa", "dns.cname", "dns.ptr.domain_name",
    "http.request.method", "http.request.uri", "http.request.version", "http.host", "http.user_agent",
    "http.referer", "http.response.code", "http.request_in",
    "tls.handshake.type", "tls.handshake.extensions_server_name", "tls.handshake.version",
    "tls.handshake.extensions.supported_version", "tls.handshake.ja3", "tls.handshake.ja3s",
)
(F_FRAME, F_TIME, F_LEN, F_PROTOS, F_IP_SRC, F_IP_DST, F_IP6_SRC, F_IP6_DST, F_IP_PROTO, F_IP6_NXT,
 F_TCP_SPORT, F_TCP_DPORT, F_UDP_SPORT, F_UDP_DPORT, F_TCP_FLAGS, F_TCP_STREAM,
 F_DNS_ID, F_DNS_RESPONSE, F_DNS_QNAME, F_DNS_QTYPE, F_DNS_RCODE, F_DNS_A, F_DNS_AAAA, F_DNS_CNAME, F_DNS_PTR,
 F_HTTP_METHOD, F_HTTP_URI, F_HTTP_VERSION, F_HTTP_HOST, F_HTTP_UA, F_HTTP_REFERER, F_HTTP_CODE,
 F_HTTP_REQUEST_IN,
 F_TLS_TYPE, F_TLS_SNI, F_TLS_VERSION, F_TLS_SUPPORTED, F_TLS_JA3, F_TLS_JA3S) = range(len(FIELDS))

_TRANSPORTS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "ipv6-icmp", "132": "sctp", "47": "gre", "50": "esp"}
# frame.protocols entries that are not an application protocol
_NOT_APP = frozenset({"eth", "ethertype", "ip", "ipv6", "tcp", "udp", "data", "tcp.segments", "vlan", "sll",
                      "icmp", "icmpv6", "arp", "llc", "gre", "urlencoded-form", "data-text-lines", "media",
                      "json", "xml", "image-gif", "image-jfif", "png", "x509sat", "pkix1explicit", "null",
                      "ftp.current-working-directory", "ftp-data.setup-frame", "ftp-data.setup-method",
                      "ftp-data.command", "ftp-data.command-frame", "ftp-data.current-working-directory"})
_APP_ALIASES = {"ssl": "tls", "ftp-data": "ftp-data", "mdns": "dns", "llmnr": "dns"}
_DNS_TYPES = {
    "1": "A", "2": "NS", "5": "CNAME", "6": "SOA", "12": "PTR", "15": "MX", "16": "TXT", "28": "AAAA",
    "33": "SRV", "35": "NAPTR", "43": "DS", "46": "RRSIG", "47": "NSEC", "48": "DNSKEY", "52": "TLSA",
    "64": "SVCB", "65": "HTTPS", "99": "SPF", "252": "AXFR", "255": "ANY", "257": "CAA", "32": "NB",
}
_DNS_RCODES = {
    "0": "NOERROR", "1": "FORMERR", "2": "SERVFAIL", "3": "NXDOMAIN", "4": "NOTIMP", "5": "REFUSED",
    "6": "YXDOMAIN", "7": "YXRRSET", "8": "NXRRSET", "9": "NOTAUTH", "10": "NOTZONE",
}
_TLS_VERSIONS = {
    "0x0300": ("ssl", "3.0"), "0x0301": ("tls", "1.0"), "0x0302": ("tls", "1.1"),
    "0x0303": ("tls", "1.2"), "0x0304": ("tls", "1.3"),
}
_SYN, _ACK = 0x02, 0x10
_ANSWER_FIELDS = (("CNAME", F_DNS_CNAME), ("A", F_DNS_A), ("AAAA", F_DNS_AAAA), ("PTR", F_DNS_PTR))


log = logging.getLogger(__name__)


@dataclass
class PcapError:
    """Something tshark reported about a capture (cut short, unreadable): the events read before it were kept."""

    path: str
    reason: str


def tshark_command(path: str | Path, fields: tuple[str, ...] = FIELDS) -> list[str]:
    """The tshark invocation that prints one tab-separated row of `fields` per packet."""
    cmd = [_tshark(), "-r", str(path), "-n", "-Q", "-T", "fields", "-E", "separator=/t",
           "-E", "occurrence=a", "-E", f"aggregator={AGGREGATOR}", "-E", "quote=n"]
    for f in fields:
        cmd += ["-e", f]
    return cmd


def tshark_rows(path: str | Path, errors: list[PcapError] | None = None) -> Iterator[list[str]]:
    """The field rows of every packet; tshark's complaints about the file go to `errors`."""
    source = str(path)
    proc = subprocess.Popen(tshark_command(path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            bufsize=1 << 20)
    assert proc.stdout is not None and proc.stderr is not None
    try:
        for raw in proc.stdout:
            yield raw.decode("utf-8", "backslashreplace").rstrip("\r\n").split("\t")
    finally:
        if proc.poll() is None:
            proc.stdout.close()
        stderr = proc.stderr.read().decode("utf-8", "replace")
        code = proc.wait()
        proc.stderr.close()
        complaint = "; ".join(ln.strip() for ln in stderr.splitlines()
                              if ln.strip() and "Running as user" not in ln and "dangerous" not in ln)
        if (code != 0 or complaint) and errors is not None:
            errors.append(PcapError(source, f"tshark exited {code}: {complaint or 'no message'}"))


def read_pcap(path: Path, errors: list[PcapError] | None = None) -> Iterator[Event]:
    """Flow, DNS, HTTP and TLS events of one capture (see the module doc). Raises only if tshark is missing.

    A capture that is cut short or damaged yields what tshark could read; the reason goes to `errors`.
    """
    source = str(Path(path).resolve())
    sink = errors if errors is not None else _LoggingList()
    state = _Capture(source)
    for n, row in enumerate(tshark_rows(source, sink), 1):
        if len(row) != len(FIELDS):
            sink.append(PcapError(source, f"unexpected tshark row with {len(row)} fields: {row[:3]}"))
            continue
        try:
            yield from state.packet(row)
        except (ValueError, IndexError) as exc:  # a damaged packet tshark only half dissected
            sink.append(PcapError(source, f"frame {row[F_FRAME]}: {type(exc).__name__}: {exc}"))
        if n % _SWEEP_EVERY == 0:
            yield from state.expire_flows()
    yield from state.finish()


@dataclass
class _Flow:
    key: tuple
    first_frame: int
    transport: str
    src: str
    sport: int | None
    dst: str
    dport: int | None
    start_ns: int
    end_ns: int
    protocol: str | None = None
    packets: list[int] = field(default_factory=lambda: [0, 0])  # source->destination, reverse
    octets: list[int] = field(default_factory=lambda: [0, 0])
    flags: list[int] = field(default_factory=lambda: [0, 0])  # TCP flags seen in each direction


class _Capture:
    """Per-file state: open flows, HTTP requests waiting for a response, TLS hellos waiting for the server."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.flows: dict[tuple, _Flow] = {}
        self.http: dict[str, Event] = {}  # request frame number -> event
        self.tls: dict[str, Event] = {}  # tcp.stream -> event
        self.last_ns = 0

    def packet(self, r: list[str]) -> Iterator[Event]:
        ts_ns = _epoch_ns(r[F_TIME])
        self.last_ns = ts_ns
        src, dst = _last(r[F_IP_SRC]) or _last(r[F_IP6_SRC]), _last(r[F_IP_DST]) or _last(r[F_IP6_DST])
        if not src or not dst:
            return  # ARP and other non-IP frames carry no flow
        proto = _last(r[F_IP_PROTO]) or _last(r[F_IP6_NXT])
        transport = _TRANSPORTS.get(proto, proto)
        if r[F_TCP_SPORT]:
            sport, dport = int(_last(r[F_TCP_SPORT])), int(_last(r[F_TCP_DPORT]))
        elif r[F_UDP_SPORT]:
            sport, dport = int(_last(r[F_UDP_SPORT])), int(_last(r[F_UDP_DPORT]))
        else:
            sport = dport = None
        pkt = _Packet(int(r[F_FRAME]), ts_ns, src, sport, dst, dport, transport)
        self._count(pkt, r)
        if r[F_DNS_ID]:
            yield self._dns(pkt, r)
        if r[F_HTTP_METHOD]:
            self._http_request(pkt, r)
            if len(self.http) > _MAX_PENDING:
                yield self.http.pop(next(iter(self.http)))
        if r[F_HTTP_CODE]:
            done = self._http_response(r)
            if done is not None:
                yield done
        if r[F_TLS_TYPE]:
            yield from self._tls(pkt, r)

    def expire_flows(self) -> Iterator[Event]:
        cutoff = self.last_ns - FLOW_IDLE_SECONDS * 1_000_000_000
        idle = [k for k, f in self.flows.items() if f.end_ns < cutoff]
        for key in idle:
            yield self._flow_event(self.flows.pop(key))

    def finish(self) -> Iterator[Event]:
        yield from self.http.values()
        yield from self.tls.values()
        for flow in self.flows.values():
            yield self._flow_event(flow)
        self.http, self.tls, self.flows = {}, {}, {}

    # -- flows -------------------------------------------------------------------------------

    def _count(self, p: "_Packet", r: list[str]) -> None:
        a, b = (p.src, p.sport), (p.dst, p.dport)
        key = (p.transport, a, b) if a <= b else (p.transport, b, a)
        flow = self.flows.get(key)
        flags = int(r[F_TCP_FLAGS].split(AGGREGATOR)[-1], 16) if r[F_TCP_FLAGS] else 0
        if flow is None:
            if flags & _SYN and flags & _ACK:  # the capture began with the server's answer
                flow = _Flow(key, p.frame, p.transport, p.dst, p.dport, p.src, p.sport, p.ts_ns, p.ts_ns)
            else:
                flow = _Flow(key, p.frame, p.transport, p.src, p.sport, p.dst, p.dport, p.ts_ns, p.ts_ns)
            self.flows[key] = flow
        way = 0 if (p.src == flow.src and p.sport == flow.sport) else 1
        flow.packets[way] += 1
        flow.octets[way] += int(r[F_LEN])
        flow.end_ns = p.ts_ns
        flow.flags[way] |= flags
        if flow.protocol is None:
            flow.protocol = _app_protocol(r[F_PROTOS])

    def _flow_event(self, f: _Flow) -> Event:
        ev = self._base("pcap.flow", f.start_ns, f.src, f.sport, f.dst, f.dport, f.transport)
        ev.update({
            "event.category": ["network"],
            "event.type": ["connection"],
            "event.action": "network_flow",
            "event.start": _ts(f.start_ns),
            "event.end": _ts(f.end_ns),
            "event.duration": f.end_ns - f.start_ns,
            "source.packets": f.packets[0],
            "source.bytes": f.octets[0],
            "destination.packets": f.packets[1],
            "destination.bytes": f.octets[1],
            "network.packets": f.packets[0] + f.packets[1],
            "network.bytes": f.octets[0] + f.octets[1],
        })
        if f.protocol:
            ev["network.protocol"] = f.protocol
        if f.transport == "tcp":
            ev["soc.flow.tcp_flags"] = _flag_names(f.flags[0] | f.flags[1])
            if f.flags[0] & _SYN:  # the handshake was captured: did the server accept it?
                accepted = f.flags[1] & _SYN and f.flags[1] & _ACK
                ev["event.outcome"] = "success" if accepted else "failure"
        summary = (f"flow {f.transport} {_endpoint(f.src, f.sport)} -> {_endpoint(f.dst, f.dport)} "
                   f"packets={f.packets[0]}/{f.packets[1]} bytes={f.octets[0]}/{f.octets[1]}")
        ev["message"] = ev["log.original"] = summary
        ev["soc.pcap.frame"] = f.first_frame
        ev["event.id"] = event_id(self.source, f"flow:{f.transport}:{_endpoint(f.src, f.sport)}:"
                                               f"{_endpoint(f.dst, f.dport)}:{f.first_frame}")
        return ev

    # -- DNS ---------------------------------------------------------------------------------

    def _dns(self, p: "_Packet", r: list[str]) -> Event:
        ev = self._packet_event("pcap.dns", p, "dns")
        is_response = _first(r[F_DNS_RESPONSE]) in ("1", "True", "true")
        dns_id = _first(r[F_DNS_ID])
        ev.update({
            "event.category": ["network"],
            "event.type": ["protocol", "info"],
            "event.action": "dns_response" if is_response else "dns_query",
            "network.protocol": "dns",
            "dns.type": "answer" if is_response else "query",
            "dns.id": str(int(dns_id, 16)) if dns_id.startswith("0x") else dns_id,
        })
        qname = _first(r[F_DNS_QNAME])
        qtype = _DNS_TYPES.get(_first(r[F_DNS_QTYPE]), _first(r[F_DNS_QTYPE]))
        if qname:
            ev["dns.question.name"] = qname
            ev["dns.question.type"] = qtype
        text = f"DNS {'response' if is_response else 'query'} {qname} {qtype}"
        if is_response:
            rcode = _first(r[F_DNS_RCODE])
            ev["dns.response_code"] = _DNS_RCODES.get(rcode, rcode)
            ev["event.outcome"] = "success" if rcode == "0" else "failure"
            answers = [{"type": t, "data": v} for t, col in _ANSWER_FIELDS for v in _all(r[col])]
            if answers:
                ev["dns.answers"] = answers
                resolved = [a["data"] for a in answers if a["type"] in ("A", "AAAA")]
                if resolved:
                    ev["dns.resolved_ip"] = resolved
            text += f" {ev['dns.response_code']} " + ",".join(a["data"] for a in answers)
        ev["message"] = ev["log.original"] = f"{text.rstrip()} {_endpoint(p.src, p.sport)} -> {_endpoint(p.dst, p.dport)}"
        return ev

    # -- HTTP --------------------------------------------------------------------------------

    def _http_request(self, p: "_Packet", r: list[str]) -> None:
        methods, uris = _all(r[F_HTTP_METHOD]), _all(r[F_HTTP_URI])
        hosts, agents = _all(r[F_HTTP_HOST]), _all(r[F_HTTP_UA])
        for i, method in enumerate(methods):  # pipelined requests share a frame
            uri = uris[i] if i < len(uris) else ""
            ev = self._packet_event("pcap.http", p, "http")
            ev.update({
                "event.category": ["network", "web"],
                "event.type": ["access", "protocol"],
                "event.action": "http_request",
                "network.protocol": "http",
                "http.request.method": method,
            })
            if uri:
                url_fields(ev, uri)
            host = hosts[i] if i < len(hosts) else (hosts[0] if hosts else "")
            if host:
                name, _, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
                ev["url.domain"] = name or host
                if port.isdigit():
                    ev["url.port"] = int(port)
                if uri.startswith("/"):
                    ev["url.full"] = f"http://{host}{uri}"
            agent = agents[i] if i < len(agents) else (agents[0] if agents else "")
            if agent:
                ev["user_agent.original"] = agent
            version = _first(r[F_HTTP_VERSION])
            if version.startswith("HTTP/"):
                ev["http.version"] = version[5:]
            referrer = _first(r[F_HTTP_REFERER])
            if referrer:
                ev["http.request.referrer"] = referrer
            ev["message"] = ev["log.original"] = (f"{method} {host}{uri} {version} "
                                                   f"{_endpoint(p.src, p.sport)} -> {_endpoint(p.dst, p.dport)}")
            key = str(p.frame) if i == 0 else f"{p.frame}.{i}"
            ev["event.id"] = event_id(self.source, f"http:{key}")
            self.http[key] = ev

    def _http_response(self, r: list[str]) -> Event | None:
        request_frame = _first(r[F_HTTP_REQUEST_IN])
        ev = self.http.pop(request_frame, None)
        if ev is None:
            return None
        code = _first(r[F_HTTP_CODE])
        if code.isdigit():
            status = int(code)
            ev["http.response.status_code"] = status
            ev["event.outcome"] = "success" if status < 400 else "failure"
            ev["message"] = ev["log.original"] = f"{ev['message']} {status}"
        return ev

    # -- TLS ---------------------------------------------------------------------------------

    def _tls(self, p: "_Packet", r: list[str]) -> Iterator[Event]:
        types = _all(r[F_TLS_TYPE])
        stream = _first(r[F_TCP_STREAM]) or f"{p.src}:{p.sport}-{p.dst}:{p.dport}"
        if "1" in types:
            ev = self._packet_event("pcap.tls", p, "tls")
            ev.update({
                "event.category": ["network"],
                "event.type": ["protocol", "connection"],
                "event.action": "tls_client_hello",
                "network.protocol": "tls",
            })
            sni = _first(r[F_TLS_SNI])
            if sni:
                ev["tls.client.server_name"] = sni
            _tls_version(ev, r)
            ja3 = _first(r[F_TLS_JA3])
            if ja3:
                ev["tls.client.ja3"] = ja3
            ev["message"] = ev["log.original"] = (f"TLS ClientHello {sni or '(no SNI)'} "
                                                   f"{_endpoint(p.src, p.sport)} -> {_endpoint(p.dst, p.dport)}")
            previous = self.tls.pop(stream, None)
            if previous is not None:
                yield previous
            self.tls[stream] = ev
            if len(self.tls) > _MAX_PENDING:
                yield self.tls.pop(next(iter(self.tls)))
        if "2" in types:
            ev = self.tls.pop(stream, None)
            if ev is not None:
                _tls_version(ev, r)
                ja3s = _first(r[F_TLS_JA3S])
                if ja3s:
                    ev["tls.server.ja3s"] = ja3s
                ev["tls.established"] = True
                yield ev

    # -- shared ------------------------------------------------------------------------------

    def _base(self, dataset: str, ts_ns: int, src: str, sport: int | None, dst: str, dport: int | None,
              transport: str) -> Event:
        ev: Event = {
            "@timestamp": _ts(ts_ns),
            "event.kind": "event",
            "event.dataset": dataset,
            "event.module": "pcap",
            "source.ip": src,
            "destination.ip": dst,
            "network.transport": transport,
            "network.type": "ipv6" if ":" in src else "ipv4",
            "log.file.path": self.source,
        }
        if sport is not None:
            ev["source.port"] = sport
        if dport is not None:
            ev["destination.port"] = dport
        return ev

    def _packet_event(self, dataset: str, p: "_Packet", kind: str) -> Event:
        ev = self._base(dataset, p.ts_ns, p.src, p.sport, p.dst, p.dport, p.transport)
        ev["soc.pcap.frame"] = p.frame
        ev["event.id"] = event_id(self.source, f"{kind}:{p.frame}")
        return ev


@dataclass
class _Packet:
    frame: int
    ts_ns: int
    src: str
    sport: int | None
    dst: str
    dport: int | None
    transport: str


def _tls_version(ev: Event, r: list[str]) -> None:
    """Highest known version among supported_versions (TLS 1.3 hides there), else the handshake version."""
    candidates = [v for v in _all(r[F_TLS_SUPPORTED]) if v in _TLS_VERSIONS] or [
        v for v in _all(r[F_TLS_VERSION]) if v in _TLS_VERSIONS]
    if candidates:
        protocol, version = _TLS_VERSIONS[max(candidates)]
        ev["tls.version_protocol"] = protocol
        ev["tls.version"] = version


def _app_protocol(protocols: str) -> str | None:
    for name in protocols.split(":")[2:]:
        if name not in _NOT_APP:
            return _APP_ALIASES.get(name, name)
    return None


def _flag_names(flags: int) -> list[str]:
    names = (("FIN", 0x01), ("SYN", 0x02), ("RST", 0x04), ("PSH", 0x08), ("ACK", 0x10), ("URG", 0x20))
    return [n for n, bit in names if flags & bit]


def _endpoint(ip: str, port: int | None) -> str:
    if port is None:
        return ip
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def _epoch_ns(text: str) -> int:
    sec, _, frac = text.partition(".")
    return int(sec) * 1_000_000_000 + int((frac + "000000000")[:9])


def _ts(ns: int) -> str:
    return format_ts(datetime.fromtimestamp(ns // 1_000_000_000, tz=timezone.utc).replace(
        microsecond=(ns % 1_000_000_000) // 1000))


def _first(value: str) -> str:
    i = value.find(AGGREGATOR)
    return value if i < 0 else value[:i]


def _last(value: str) -> str:
    i = value.rfind(AGGREGATOR)
    return value if i < 0 else value[i + 1:]


def _all(value: str) -> list[str]:
    return [v for v in value.split(AGGREGATOR) if v] if value else []


def _tshark() -> str:
    exe = shutil.which("tshark")
    if exe is None:
        raise SocError("tshark is not installed: install the Debian package 'tshark' (tools/system-deps.sh)")
    return exe


class _LoggingList(list):
    def append(self, item: PcapError) -> None:  # type: ignore[override]
        log.warning("%s: %s", item.path, item.reason)
