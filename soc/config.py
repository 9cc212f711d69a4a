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
class Settings:
    home: Path
    store: StoreSettings
    detection: DetectionSettings = field(default_factory=DetectionSettings)
    timezone: str = "Asia/Ho_Chi_Minh"
    language: str = "vi"
    retention_days: Mapping[str, int] = field(default_factory=dict)
    retention_default_days: int | None = None
    sources: tuple[Mapping[str, Any], ...] = ()
    assets_file: Path | None = None
    indicators_file: Path | None = None
    source_path: Path | None = None  # the TOML file it came from, if any


_SECTIONS = {"home", "store", "detection", "timezone", "language", "retention", "sources", "enrichment", "ui"}


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
        retention_days=retention,
        retention_default_days=_positive(ret_raw, "retention.default_days", None) if "default_days" in ret_raw else None,
        sources=tuple(sources),
        assets_file=_opt_path(enrich, "enrichment.assets"),
        indicators_file=_opt_path(enrich, "enrichment.indicators"),
        source_path=Path(path).resolve() if path else None,
    )


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
