"""MITRE ATT&CK ids and names from Sigma tags, offline.

pySigma 1.5 does not bundle ATT&CK data: it downloads MITRE's enterprise-attack.json on first
use, and these machines have no internet. So a STIX bundle with the 14 Enterprise tactics and the
techniques our rules and the common public rules use is shipped in
`data/enterprise-attack-subset.json`; `use_local_attack_data()` points pySigma's loader (used by
the ATT&CK tag validator) at it. When `$SOC_ATTACK_STIX` names a local copy of MITRE's full
enterprise-attack.json, names and the validator read that instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path

ATTACK_STIX_ENV = "SOC_ATTACK_STIX"

SHIPPED_STIX = Path(__file__).with_name("data") / "enterprise-attack-subset.json"


def _read_bundle(path: Path) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """(tactic short name -> (TA id, name), technique id -> name) from a STIX bundle."""
    tactics: dict[str, tuple[str, str]] = {}
    techniques: dict[str, str] = {}
    for obj in json.loads(path.read_text(encoding="utf-8")).get("objects", []):
        if obj.get("revoked") or obj.get("x_mitre_deprecated"):
            continue
        ext = next((r.get("external_id") for r in obj.get("external_references", []) if r.get("source_name") == "mitre-attack"), None)
        if not ext:
            continue
        if obj.get("type") == "x-mitre-tactic":
            tactics[obj["x_mitre_shortname"]] = (ext, obj["name"])
        elif obj.get("type") == "attack-pattern":
            techniques[ext] = obj["name"]
    return tactics, techniques


TACTICS, TECHNIQUES = _read_bundle(SHIPPED_STIX)


def stix_path() -> Path:
    """The ATT&CK data in use: `$SOC_ATTACK_STIX` when it names a file, else the shipped subset."""
    env = os.environ.get(ATTACK_STIX_ENV, "").strip()
    return Path(env) if env and os.path.isfile(env) else SHIPPED_STIX


def is_subset() -> bool:
    return stix_path() == SHIPPED_STIX


def use_local_attack_data() -> Path:
    """Point pySigma's ATT&CK loader (sigma.data.mitre_attack) at our local file; never the network.

    pySigma caches what it parsed in a disk cache; ours is keyed by the file's path, size and
    mtime, so processes using different files never read each other's cache.
    """
    from sigma.data import mitre_attack

    path = stix_path()
    st = path.stat()
    key = hashlib.blake2b(f"{path.resolve()}:{st.st_size}:{st.st_mtime_ns}".encode(), digest_size=8).hexdigest()
    cache = Path(tempfile.gettempdir()) / f"soc-pysigma-{os.getuid()}" / key
    if _configured.get("key") != key:
        mitre_attack.set_cache_dir(str(cache))
        mitre_attack.set_url(str(path))
        _configured["key"] = key
    return path


_configured: dict[str, str] = {}

_TECHNIQUE_TAG = re.compile(r"^attack\.(t\d{4}(?:\.\d{3})?)$", re.IGNORECASE)


def from_tags(tags: list[str]) -> tuple[list[str], list[str]]:
    """(technique ids, tactic short names) from Sigma tags, in tag order, without repeats.

    attack.t1110.001 -> T1110.001; attack.credential-access (or credential_access) -> credential-access.
    """
    techniques: list[str] = []
    tactics: list[str] = []
    for tag in tags:
        tag = str(tag).strip()
        if m := _TECHNIQUE_TAG.match(tag):
            tid = m.group(1).upper()
            if tid not in techniques:
                techniques.append(tid)
            continue
        if tag.lower().startswith("attack."):
            name = tag[7:].lower().replace("_", "-")
            if name in TACTICS and name not in tactics:
                tactics.append(name)
    return techniques, tactics


@lru_cache(maxsize=2)
def _names(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    tactics, techniques = _read_bundle(path)
    return techniques, {short: name for short, (_tid, name) in tactics.items()}


def _stix_names() -> tuple[dict[str, str], dict[str, str]]:
    return _names(stix_path()) if not is_subset() else ({}, {})


def technique_name(tid: str) -> str:
    """'T1110.001' -> 'Password Guessing' ('' when unknown)."""
    return _stix_names()[0].get(tid) or TECHNIQUES.get(tid, "")


def tactic_name(short: str) -> str:
    """'credential-access' -> 'Credential Access'."""
    return _stix_names()[1].get(short) or TACTICS.get(short, ("", short.replace("-", " ").title()))[1]


def tactic_id(short: str) -> str:
    return TACTICS.get(short, ("", ""))[0]
