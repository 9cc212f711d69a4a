"""One validated, immutable settings object from a TOML file plus `SOC_*` environment variables.

The environment wins over the file. Every invalid value raises ConfigError naming its key,
e.g. `detection.overlap_seconds`. Run state never lives here: this is configuration only.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from soc.errors import ConfigError
from soc.incidents import Severity

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RULES = REPO_ROOT / "rules"


@dataclass(frozen=True)
class StoreSettings:
    url: str
    api_key: str | None = None
    username: str | None = None
    password: str | None = None
    ca_file: str | None = None
    index_prefix: str | None = None  # Elasticsearch only: several deployments (or test runs) on one cluster

    def options(self) -> dict[str, str | None]:
        """Connection options for `open_store` (only what is set)."""
        opts = {"api_key": self.api_key, "username": self.username, "password": self.password, "ca_file": self.ca_file,
                "index_prefix": self.index_prefix}
        return {k: v for k, v in opts.items() if v}


@dataclass(frozen=True)
class DetectionSettings:
    rules: tuple[Path, ...] = (DEFAULT_RULES,)
    overlap_seconds: int = 120
    suppression_seconds: int = 3600
    evidence_cap: int = 1000
    interval_seconds: int = 60
    max_concurrent: int = 2
    webhook_url: str | None = None


@dataclass(frozen=True)
class NotifySettings:
    """`[notify]`: who hears about high and critical incidents (see docs/notify.md)."""

    min_severity: Severity = Severity.HIGH
    webhook_url: str | None = None
    webhook_secret: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str | None = None
    smtp_to: tuple[str, ...] = ()
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    console_url: str | None = None
    timeout_seconds: int = 10
    attempts: int = 3


@dataclass(frozen=True)
class Settings:
    home: Path
    store: StoreSettings
    detection: DetectionSettings = field(default_factory=DetectionSettings)
    notify: NotifySettings = field(default_factory=NotifySettings)
    timezone: str = "Asia/Ho_Chi_Minh"
    language: str = "vi"
    retention_days: Mapping[str, int] = field(default_factory=dict)
    retention_default_days: int | None = None
    sources: tuple[Mapping[str, Any], ...] = ()
    assets_file: Path | None = None
    indicators_file: Path | None = None
    source_path: Path | None = None  # the TOML file it came from, if any


_SECTIONS = {"home", "store", "detection", "timezone", "language", "retention", "sources", "enrichment", "ui", "notify"}


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read the TOML file (if any; `SOC_CONFIG` names it too) and apply `SOC_*` overrides."""
    env = os.environ if env is None else env
    path = path or env.get("SOC_CONFIG")
    raw = _read_toml(Path(path)) if path else {}
    unknown = set(raw) - _SECTIONS
    if unknown:
        raise ConfigError(sorted(unknown)[0], "unknown setting")

    home = Path(env.get("SOC_HOME") or _get(raw, "home", str, str(Path.cwd() / "data"))).expanduser().resolve()
    store_raw = _table(raw, "store")
    store = StoreSettings(
        url=env.get("SOC_STORE") or _get(store_raw, "store.url", str, f"sqlite:///{home / 'soc.db'}"),
        api_key=env.get("SOC_STORE_API_KEY") or _get(store_raw, "store.api_key", str, None),
        username=env.get("SOC_STORE_USER") or _get(store_raw, "store.username", str, None),
        password=env.get("SOC_STORE_PASSWORD") or _get(store_raw, "store.password", str, None),
        ca_file=env.get("SOC_STORE_CA_FILE") or _get(store_raw, "store.ca_file", str, None),
        index_prefix=env.get("SOC_STORE_INDEX_PREFIX") or _get(store_raw, "store.index_prefix", str, None),
    )
    if not store.url.startswith(("sqlite:///", "http://", "https://")):
        raise ConfigError("store.url", f"unsupported store URL {store.url!r}: use sqlite:///abs/path.db or http(s)://host:port")

    det_raw = _table(raw, "detection")
    rules_text = env.get("SOC_RULES")
    rules = (
        tuple(Path(p).expanduser().resolve() for p in rules_text.split(":") if p)
        if rules_text
        else tuple(Path(p).expanduser().resolve() for p in _get(det_raw, "detection.rules", list, [str(DEFAULT_RULES)]))
    )
    detection = DetectionSettings(
        rules=rules,
        overlap_seconds=_positive(det_raw, "detection.overlap_seconds", 120, allow_zero=True),
        suppression_seconds=_positive(det_raw, "detection.suppression_seconds", 3600, allow_zero=True),
        evidence_cap=_positive(det_raw, "detection.evidence_cap", 1000),
        interval_seconds=_positive(det_raw, "detection.interval_seconds", 60),
        max_concurrent=_positive(det_raw, "detection.max_concurrent", 2),
        webhook_url=env.get("SOC_WEBHOOK_URL") or _get(det_raw, "detection.webhook_url", str, None),
    )

    ret_raw = _table(raw, "retention")
    retention = {k: v for k, v in ret_raw.items() if k != "default_days"}
    for k, v in retention.items():
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise ConfigError(f"retention.{k}", "must be a positive number of days")
    enrich = _table(raw, "enrichment")
    sources = _get(raw, "sources", list, [])
    for i, s in enumerate(sources):
        if not isinstance(s, dict) or "type" not in s:
            raise ConfigError(f"sources[{i}].type", "every source needs a type")
    tz = env.get("SOC_TIMEZONE") or _get(raw, "timezone", str, "Asia/Ho_Chi_Minh")
    _check_tz(tz)
    language = env.get("SOC_LANGUAGE") or _get(raw, "language", str, "vi")
    if language not in ("vi", "en"):
        raise ConfigError("language", "must be 'vi' or 'en'")
    return Settings(
        home=home,
        store=store,
        detection=detection,
        timezone=tz,
        language=language,
        notify=_notify(raw, env, detection.webhook_url),
        retention_days=retention,
        retention_default_days=_positive(ret_raw, "retention.default_days", None) if "default_days" in ret_raw else None,
        sources=tuple(sources),
        assets_file=_opt_path(enrich, "enrichment.assets"),
        indicators_file=_opt_path(enrich, "enrichment.indicators"),
        source_path=Path(path).resolve() if path else None,
    )


_NOTIFY_KEYS = {f for f in NotifySettings.__dataclass_fields__}


def _notify(raw: Mapping[str, Any], env: Mapping[str, str], detection_webhook: str | None) -> NotifySettings:
    """`[notify]`, with secrets allowed from the environment (SOC_WEBHOOK_SECRET, SOC_SMTP_PASSWORD, ...).
    `detection.webhook_url` (the older place) is used when `notify.webhook_url` is not set."""
    n = _table(raw, "notify")
    unknown = set(n) - _NOTIFY_KEYS
    if unknown:
        raise ConfigError(f"notify.{sorted(unknown)[0]}", "unknown setting")
    level = env.get("SOC_NOTIFY_MIN_SEVERITY") or _get(n, "notify.min_severity", str, "high")
    if level not in {s.value for s in Severity}:
        raise ConfigError("notify.min_severity", f"must be one of {', '.join(s.value for s in Severity)}")
    from_detection = not env.get("SOC_WEBHOOK_URL") and not n.get("webhook_url")
    webhook_key = "detection.webhook_url" if from_detection else "notify.webhook_url"
    webhook = env.get("SOC_WEBHOOK_URL") or _get(n, "notify.webhook_url", str, None) or detection_webhook
    console_key = "notify.console_url" if n.get("console_url") else "ui.base_url"
    console = _get(n, "notify.console_url", str, None) or _get(_table(raw, "ui"), "ui.base_url", str, None)
    notify = NotifySettings(
        min_severity=Severity(level),
        webhook_url=_http_url(webhook, webhook_key),
        webhook_secret=env.get("SOC_WEBHOOK_SECRET") or _get(n, "notify.webhook_secret", str, None),
        smtp_host=env.get("SOC_SMTP_HOST") or _get(n, "notify.smtp_host", str, None),
        smtp_port=_port(n.get("smtp_port", 25)),
        smtp_from=_get(n, "notify.smtp_from", str, None),
        smtp_to=_addresses(n.get("smtp_to", [])),
        smtp_starttls=_get(n, "notify.smtp_starttls", bool, False),
        smtp_username=env.get("SOC_SMTP_USERNAME") or _get(n, "notify.smtp_username", str, None),
        smtp_password=env.get("SOC_SMTP_PASSWORD") or _get(n, "notify.smtp_password", str, None),
        console_url=_http_url(console, console_key),
        timeout_seconds=_positive(n, "notify.timeout_seconds", 10),
        attempts=_positive(n, "notify.attempts", 3),
    )
    _check_smtp(notify)
    return notify


def _http_url(value: str | None, key: str) -> str | None:
    if not value:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(key, f"must be an http:// or https:// URL with a host, got {value!r}")
    return value


def _port(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 65536:
        raise ConfigError("notify.smtp_port", "must be a port number (1-65535)")
    return value


def _addresses(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and "@" in v.strip("@") for v in value):
        raise ConfigError("notify.smtp_to", "must be a list of e-mail addresses")
    return tuple(v.strip() for v in value)


def _check_smtp(n: NotifySettings) -> None:
    if not n.smtp_host:
        return
    if not n.smtp_to:
        raise ConfigError("notify.smtp_to", "needs at least one recipient when notify.smtp_host is set")
    if not n.smtp_from or "@" not in n.smtp_from:
        raise ConfigError("notify.smtp_from", "needs a sender address when notify.smtp_host is set")
    if bool(n.smtp_username) != bool(n.smtp_password):
        raise ConfigError("notify.smtp_password" if n.smtp_username else "notify.smtp_username",
                          "smtp_username and smtp_password go together")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError("config", f"file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("config", f"{path}: invalid TOML: {exc}") from None


def _table(raw: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(key, "must be a table")
    return value


def _get(raw: Mapping[str, Any], key: str, typ: type, default: Any) -> Any:
    value = raw.get(key.rsplit(".", 1)[-1], default)
    if value is not None and not isinstance(value, typ):
        raise ConfigError(key, f"must be a {typ.__name__}, got {type(value).__name__}")
    return value


def _positive(raw: Mapping[str, Any], key: str, default: int | None, allow_zero: bool = False) -> Any:
    value = raw.get(key.rsplit(".", 1)[-1], default)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or (value == 0 and not allow_zero):
        raise ConfigError(key, "must be a positive whole number")
    return value


def _opt_path(raw: Mapping[str, Any], key: str) -> Path | None:
    value = _get(raw, key, str, None)
    return Path(value).expanduser().resolve() if value else None


def _check_tz(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("timezone", f"unknown time zone {name!r}") from None
