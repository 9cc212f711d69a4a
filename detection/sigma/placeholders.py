"""Sigma `|expand` placeholders (`%bad_ips%`, `%admin_ports%`...) filled from lists we keep on disk.

A placeholder's values come from a placeholders folder: `$SOC_PLACEHOLDERS` (folders separated by
':'), else the `placeholders/` folder of each rule folder being loaded, else the repo's
`rules/placeholders/`. Two file forms, both read:

- `<name>.txt`: one value per line; blank lines and `#` comments are ignored;
- `*.yml` / `*.yaml`: a mapping `name: [values]` (or `name: value`), several lists per file.

A value that is an IP network (`10.0.0.0/8`) becomes a CIDR match, so `%internal_networks%`
works on `source.ip|expand`. A placeholder no file defines (or defines empty) fails that rule's
conversion with a reason naming it; the other rules convert as usual.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml
from sigma.exceptions import SigmaValueError
from sigma.processing.transformations import ValueListPlaceholderTransformation
from sigma.types import Placeholder, SigmaCIDRExpression, SigmaRegularExpression, SigmaString, SigmaType

from soc.errors import ConfigError

PLACEHOLDERS_ENV = "SOC_PLACEHOLDERS"
PLACEHOLDER_FOLDER = "placeholders"
DEFAULT_PLACEHOLDERS_DIR = Path(__file__).resolve().parents[2] / "rules" / PLACEHOLDER_FOLDER

Values = dict[str, list[str]]


def placeholder_dirs(rule_dirs: Sequence[Path] = ()) -> list[Path]:
    """Where placeholder lists are read from (see the module docstring for the order)."""
    env = os.environ.get(PLACEHOLDERS_ENV, "").strip()
    if env:
        return [Path(p) for p in env.split(":") if p.strip()]
    beside = [d / PLACEHOLDER_FOLDER for d in rule_dirs if (d / PLACEHOLDER_FOLDER).is_dir()]
    return beside or [DEFAULT_PLACEHOLDERS_DIR]


def _text_values(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def _yaml_values(path: Path) -> Values:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise ConfigError(str(path), "a placeholder YAML file must map names to lists of values")
    out: Values = {}
    for name, values in doc.items():
        items = values if isinstance(values, list) else [values]
        if not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in items):
            raise ConfigError(f"{path}: {name}", "placeholder values must be strings or numbers")
        out[str(name)] = [str(v) for v in items]
    return out


def load_placeholders(dirs: Iterable[Path]) -> Values:
    """Every list in the folders; a later folder's list of the same name replaces an earlier one.

    A file that cannot be read or parsed raises `ConfigError` naming it (bad config is not
    silently an empty list).
    """
    out: Values = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for path in sorted(p for p in d.iterdir() if p.is_file()):
            try:
                if path.suffix == ".txt":
                    out[path.stem] = _text_values(path)
                elif path.suffix in (".yml", ".yaml"):
                    out.update(_yaml_values(path))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
                raise ConfigError(str(path), f"cannot read placeholder list: {exc}") from exc
    return out


def _as_value(text: str) -> SigmaType:
    if "/" in text:
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            return SigmaString(text)
        return SigmaCIDRExpression(text)
    return SigmaString(text)


@dataclass
class ListPlaceholderTransformation(ValueListPlaceholderTransformation):
    """pySigma's value-list placeholders, with a clear error for an unset list and CIDR values."""

    def apply_value(self, field: str | None, val: SigmaString | SigmaRegularExpression) -> Any:
        if isinstance(val, SigmaString) and len(val.s) == 1 and isinstance(val.s[0], Placeholder):
            if self.is_handled_placeholder(val.s[0]):
                return [_as_value(v) for v in self._values(val.s[0].name)]
        return super().apply_value(field, val)

    def placeholder_replacements(self, p: Placeholder) -> Iterable[SigmaString]:
        return [SigmaString(v) for v in self._values(p.name)]

    def _values(self, name: str) -> list[str]:
        values = self._pipeline.vars.get(name) if self._pipeline is not None else None
        if values is None:
            raise SigmaValueError(
                f"placeholder %{name}% is not configured: add {name}.txt (one value per line) to the "
                f"placeholders folder (rules/{PLACEHOLDER_FOLDER}/ or ${PLACEHOLDERS_ENV})"
            )
        if not values:
            raise SigmaValueError(f"placeholder %{name}% is configured with no values")
        return [str(v) for v in values]
