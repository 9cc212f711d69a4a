"""Enrichment: asset inventory, traffic direction and threat indicators added to events in place.

- Asset inventory CSV, one row per address or network:
  `address,name,department,security_level,criticality` (a header row with these names, in any
  order, or no header and this order). `security_level` is the information system's level 1-5
  (the Vietnamese 5-level classification of information systems), `criticality` one of
  low/medium/high/critical. The most specific matching row wins (an exact address, then the
  longest prefix), for IPv4 and IPv6. Matches become `source.soc.asset.*` / `destination.soc.asset.*`.
- `network.direction` from the internal networks (default RFC 1918 + ULA): internal, inbound,
  outbound or external, when the event has both addresses and no direction of its own.
- Indicator list (optional): a text file with one IP, CIDR, domain or hash per line, or a CSV
  with an `indicator` (or `value`) column and optional `type`, `description`, `provider`
  columns. A match fills `threat.indicator.*` (ECS) and adds the tag `threat-intel`. Domains
  match their subdomains too (an indicator `evil.example` matches `a.evil.example`).

Lookups cost one dict access per address after the first time an address is seen: each
address's asset, internal flag and indicator are resolved once and cached.
"""

from __future__ import annotations

import csv
import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Generic, Iterable, Iterator, TypeVar

from soc.config import Settings
from soc.errors import ConfigError
from soc.events import Event

DEFAULT_INTERNAL = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
CRITICALITIES = ("low", "medium", "high", "critical")
THREAT_TAG = "threat-intel"

_ASSET_COLUMNS = ("address", "name", "department", "security_level", "criticality")
_ASSET_ALIASES = {
    "address": "address", "ip": "address", "cidr": "address", "network": "address", "subnet": "address",
    "name": "name", "host": "name", "hostname": "name", "host_name": "name", "host.name": "name",
    "department": "department", "dept": "department", "owner": "department",
    "security_level": "security_level", "level": "security_level", "securitylevel": "security_level",
    "criticality": "criticality",
}
_CACHE_LIMIT = 200_000
_HASH_LENGTHS = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}
_HEX = re.compile(r"[0-9a-fA-F]+\Z")
_DOMAIN = re.compile(r"(?=.{1,253}\Z)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{2,63}\Z")
_DOMAIN_FIELDS = ("url.domain", "dns.question.name", "tls.client.server_name", "destination.domain")
_HASH_FIELDS = (
    "process.hash.md5", "process.hash.sha1", "process.hash.sha256", "file.hash.md5", "file.hash.sha1",
    "file.hash.sha256", "hash.md5", "hash.sha1", "hash.sha256",
)
_IP_ENDS = ("source", "destination")

T = TypeVar("T")


@dataclass(frozen=True)
class Asset:
    name: str
    department: str
    security_level: int
    criticality: str

    def fields(self, side: str) -> dict[str, Any]:
        prefix = f"{side}.soc.asset."
        return {prefix + "name": self.name, prefix + "department": self.department,
                prefix + "security_level": self.security_level, prefix + "criticality": self.criticality}


@dataclass(frozen=True)
class Indicator:
    value: str
    type: str  # ECS threat.indicator.type: ipv4-addr, ipv6-addr, domain-name, file
    description: str = ""
    provider: str = ""
    hash_algo: str = ""


class NetworkTable(Generic[T]):
    """Exact addresses in one dict, networks in one dict per prefix length (longest prefix wins)."""

    def __init__(self) -> None:
        self.exact: dict[ipaddress.IPv4Address | ipaddress.IPv6Address, T] = {}
        self._nets: dict[tuple[int, int], dict[int, T]] = {}  # (version, prefix length) -> network int -> value
        self._order: dict[int, list[int]] = {4: [], 6: []}  # prefix lengths, longest first

    def add(self, network: ipaddress.IPv4Network | ipaddress.IPv6Network, value: T) -> None:
        if network.prefixlen == network.max_prefixlen:
            self.exact[network.network_address] = value
            return
        key = (network.version, network.prefixlen)
        if key not in self._nets:
            self._nets[key] = {}
            self._order[network.version] = sorted({*self._order[network.version], network.prefixlen}, reverse=True)
        self._nets[key][int(network.network_address)] = value

    def lookup(self, addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> T | None:
        found = self.exact.get(addr)
        if found is not None:
            return found
        number, bits = int(addr), addr.max_prefixlen
        for plen in self._order[addr.version]:
            shift = bits - plen
            found = self._nets[(addr.version, plen)].get((number >> shift) << shift)
            if found is not None:
                return found
        return None

    def __len__(self) -> int:
        return len(self.exact) + sum(len(t) for t in self._nets.values())


class Enricher:
    """Adds asset, direction and threat-indicator fields to events (see the module doc)."""

    def __init__(self, assets_file: str | Path | None = None, indicators_file: str | Path | None = None,
                 internal_networks: Iterable[str] | None = None) -> None:
        self.assets: NetworkTable[Asset] = load_assets(assets_file) if assets_file else NetworkTable()
        self.internal: NetworkTable[bool] = NetworkTable()
        for text in internal_networks if internal_networks is not None else DEFAULT_INTERNAL:
            self.internal.add(_network(text, "internal_networks"), True)
        ips, domains, hashes = load_indicators(indicators_file) if indicators_file else (NetworkTable(), {}, {})
        self.ip_indicators, self.domain_indicators, self.hash_indicators = ips, domains, hashes
        self._check_ips = len(ips) > 0
        self._cache: dict[str, tuple[dict[str, Any] | None, dict[str, Any] | None, bool | None, Indicator | None]] = {}

    def enrich(self, event: Event) -> Event:
        """Add the fields in place and return the same event."""
        src, dst = event.get("source.ip"), event.get("destination.ip")
        src_info = self._address(src) if src else None
        dst_info = self._address(dst) if dst else None
        if src_info is not None and src_info[0] is not None:
            event.update(src_info[0])
        if dst_info is not None and dst_info[1] is not None:
            event.update(dst_info[1])
        if src_info is not None and dst_info is not None and "network.direction" not in event:
            s_in, d_in = src_info[2], dst_info[2]
            if s_in is not None and d_in is not None:
                event["network.direction"] = (
                    ("internal" if d_in else "outbound") if s_in else ("inbound" if d_in else "external"))
        if self._check_ips:
            for side, info in (("source.ip", src_info), ("destination.ip", dst_info)):
                if info is not None and info[3] is not None:
                    return _mark(event, info[3], side, event[side])
        if self.domain_indicators:
            for name in _DOMAIN_FIELDS:
                value = event.get(name)
                if value:
                    hit = self._domain(value)
                    if hit is not None:
                        return _mark(event, hit, name, value)
        if self.hash_indicators:
            for name in _HASH_FIELDS:
                value = event.get(name)
                if value:
                    hit = self.hash_indicators.get(value.lower())
                    if hit is not None:
                        return _mark(event, hit, name, value)
        return event

    def _address(self, text: str):
        info = self._cache.get(text)
        if info is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            info = self._cache[text] = self._resolve(text)
        return info

    def _resolve(self, text: str):
        try:
            addr = ipaddress.ip_address(text)
        except ValueError:
            return (None, None, None, None)
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
            addr = addr.ipv4_mapped
        asset = self.assets.lookup(addr)
        internal = self.internal.lookup(addr) is not None
        indicator = self.ip_indicators.lookup(addr) if self._check_ips else None
        if asset is None:
            return (None, None, internal, indicator)
        return (asset.fields("source"), asset.fields("destination"), internal, indicator)

    def _domain(self, value: str) -> Indicator | None:
        name = value.lower().rstrip(".")
        while True:
            hit = self.domain_indicators.get(name)
            if hit is not None:
                return hit
            dot = name.find(".")
            if dot < 0:
                return None
            name = name[dot + 1:]


def _mark(event: Event, ind: Indicator, field: str, value: Any) -> Event:
    event["threat.indicator.type"] = ind.type
    if ind.type in ("ipv4-addr", "ipv6-addr"):
        event["threat.indicator.ip"] = value
    elif ind.type == "domain-name":
        event["threat.indicator.url.domain"] = ind.value
    else:
        event[f"threat.indicator.file.hash.{ind.hash_algo}"] = ind.value
    event["threat.indicator.matched.field"] = field
    event["threat.indicator.matched.atomic"] = value
    event["threat.indicator.matched.type"] = "indicator_match_rule"
    if ind.description:
        event["threat.indicator.description"] = ind.description
    if ind.provider:
        event["threat.indicator.provider"] = ind.provider
    tags = event.get("tags")
    if not tags:
        event["tags"] = [THREAT_TAG]
    elif THREAT_TAG not in tags:
        event["tags"] = [*tags, THREAT_TAG]
    return event


# -- loading -----------------------------------------------------------------------------------


def load_assets(path: str | Path) -> NetworkTable[Asset]:
    """Read the asset inventory CSV; a bad row is a ConfigError naming the file and line."""
    table: NetworkTable[Asset] = NetworkTable()
    columns: dict[str, int] | None = None
    for line_no, row in _csv_rows(path):
        if columns is None:
            columns = _header(row, path, line_no)
            if columns:
                continue
            columns = {c: i for i, c in enumerate(_ASSET_COLUMNS)}
        where = f"{path}:{line_no}"
        try:
            values = {c: row[i].strip() for c, i in columns.items()}
        except IndexError:
            raise ConfigError(where, f"expected {len(columns)} columns ({', '.join(columns)}), got {len(row)}") from None
        network = _network(values["address"], where)
        level = values["security_level"]
        if not (level.isdigit() and 1 <= int(level) <= 5):
            raise ConfigError(where, f"security_level must be 1-5, got {level!r}")
        criticality = values["criticality"].lower()
        if criticality not in CRITICALITIES:
            raise ConfigError(where, f"criticality must be one of {', '.join(CRITICALITIES)}, got {values['criticality']!r}")
        if not values["name"]:
            raise ConfigError(where, "the host name is empty")
        table.add(network, Asset(values["name"], values["department"], int(level), criticality))
    return table


def load_indicators(path: str | Path) -> tuple[NetworkTable[Indicator], dict[str, Indicator], dict[str, Indicator]]:
    """Read an indicator list (text or CSV) into IP, domain and hash lookups."""
    ips: NetworkTable[Indicator] = NetworkTable()
    domains: dict[str, Indicator] = {}
    hashes: dict[str, Indicator] = {}
    columns: dict[str, int] | None = None
    for line_no, row in _csv_rows(path):
        if columns is None:
            names = [c.strip().lower() for c in row]
            key = next((k for k in ("indicator", "value", "ioc") if k in names), None)
            if key is not None:
                columns = {"indicator": names.index(key)}
                for extra in ("type", "description", "provider"):
                    if extra in names:
                        columns[extra] = names.index(extra)
                continue
            columns = {"indicator": 0}
        where = f"{path}:{line_no}"
        get = (lambda c: row[columns[c]].strip() if c in columns and columns[c] < len(row) else "")
        value = get("indicator")
        if not value:
            raise ConfigError(where, "empty indicator")
        kind = get("type").lower()
        desc, provider = get("description"), get("provider")
        _add_indicator(value, kind, desc, provider, where, ips, domains, hashes)
    return ips, domains, hashes


def _add_indicator(value: str, kind: str, desc: str, provider: str, where: str,
                   ips: NetworkTable[Indicator], domains: dict[str, Indicator], hashes: dict[str, Indicator]) -> None:
    if kind in ("", "ip", "ipv4", "ipv6", "ipv4-addr", "ipv6-addr", "cidr"):
        try:
            net = ipaddress.ip_network(value, strict=False)
        except ValueError:
            net = None
        if net is not None:
            ips.add(net, Indicator(value, f"ipv{net.version}-addr", desc, provider))
            return
        if kind:
            raise ConfigError(where, f"not an IP address or network: {value!r}")
    if kind in ("", "hash", "md5", "sha1", "sha256", "sha512", "file") and _HEX.match(value) \
            and len(value) in _HASH_LENGTHS:
        hashes[value.lower()] = Indicator(value.lower(), "file", desc, provider, _HASH_LENGTHS[len(value)])
        return
    if kind in ("", "domain", "domain-name", "hostname", "fqdn"):
        name = value.lower().rstrip(".")
        if _DOMAIN.match(name):
            domains[name] = Indicator(name, "domain-name", desc, provider)
            return
    raise ConfigError(where, f"not an IP, network, domain or hash{' of type ' + kind if kind else ''}: {value!r}")


def _csv_rows(path: str | Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of the non-blank, non-comment rows of a CSV file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(p), f"cannot read: {exc}") from None
    reader = csv.reader(text.splitlines())
    for row in reader:
        line_no = reader.line_num
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        yield line_no, row


def _header(row: list[str], path: str | Path, line_no: int) -> dict[str, int]:
    """Column positions from a header row; {} when the row is data (its first cell is an address)."""
    names = [c.strip().lower() for c in row]
    try:
        ipaddress.ip_network(names[0], strict=False)
        return {}
    except ValueError:
        pass
    columns: dict[str, int] = {}
    for i, name in enumerate(names):
        canonical = _ASSET_ALIASES.get(name)
        if canonical:
            columns[canonical] = i
    missing = [c for c in _ASSET_COLUMNS if c not in columns]
    if missing:
        raise ConfigError(f"{path}:{line_no}", f"header lacks column(s) {', '.join(missing)} "
                                              f"(expected {', '.join(_ASSET_COLUMNS)})")
    return columns


def _network(text: str, where: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise ConfigError(where, f"not an IP address or network: {text!r}") from None


def enricher_from(settings: Settings) -> Callable[[Event], Event] | None:
    """The enrichment configured in `[enrichment]` (assets, indicators), or None when there is none."""
    if settings.assets_file is None and settings.indicators_file is None:
        return None
    return Enricher(settings.assets_file, settings.indicators_file).enrich
