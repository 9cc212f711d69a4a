"""MITRE ATT&CK ids and names from Sigma tags, offline.

pySigma 1.5 does not bundle ATT&CK data: it downloads it on first use, and these machines have
no internet. So the 14 Enterprise tactics and the techniques our rules and the common public
rules use are shipped here; when `$SOC_ATTACK_STIX` names a local copy of MITRE's
enterprise-attack.json, pySigma's loader reads every name from it instead.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

ATTACK_STIX_ENV = "SOC_ATTACK_STIX"

TACTICS: dict[str, tuple[str, str]] = {  # Sigma tag -> (TA id, name)
    "reconnaissance": ("TA0043", "Reconnaissance"),
    "resource-development": ("TA0042", "Resource Development"),
    "initial-access": ("TA0001", "Initial Access"),
    "execution": ("TA0002", "Execution"),
    "persistence": ("TA0003", "Persistence"),
    "privilege-escalation": ("TA0004", "Privilege Escalation"),
    "defense-evasion": ("TA0005", "Defense Evasion"),
    "credential-access": ("TA0006", "Credential Access"),
    "discovery": ("TA0007", "Discovery"),
    "lateral-movement": ("TA0008", "Lateral Movement"),
    "collection": ("TA0009", "Collection"),
    "command-and-control": ("TA0011", "Command and Control"),
    "exfiltration": ("TA0010", "Exfiltration"),
    "impact": ("TA0040", "Impact"),
}

TECHNIQUES: dict[str, str] = {
    "T1003": "OS Credential Dumping",
    "T1003.001": "LSASS Memory",
    "T1021": "Remote Services",
    "T1021.001": "Remote Desktop Protocol",
    "T1021.002": "SMB/Windows Admin Shares",
    "T1021.004": "SSH",
    "T1027": "Obfuscated Files or Information",
    "T1046": "Network Service Discovery",
    "T1048": "Exfiltration Over Alternative Protocol",
    "T1053": "Scheduled Task/Job",
    "T1053.003": "Cron",
    "T1053.005": "Scheduled Task",
    "T1059": "Command and Scripting Interpreter",
    "T1059.001": "PowerShell",
    "T1059.004": "Unix Shell",
    "T1068": "Exploitation for Privilege Escalation",
    "T1070": "Indicator Removal",
    "T1070.001": "Clear Windows Event Logs",
    "T1071": "Application Layer Protocol",
    "T1071.001": "Web Protocols",
    "T1071.004": "DNS",
    "T1078": "Valid Accounts",
    "T1078.003": "Local Accounts",
    "T1083": "File and Directory Discovery",
    "T1098": "Account Manipulation",
    "T1105": "Ingress Tool Transfer",
    "T1110": "Brute Force",
    "T1110.001": "Password Guessing",
    "T1110.003": "Password Spraying",
    "T1133": "External Remote Services",
    "T1136": "Create Account",
    "T1136.001": "Local Account",
    "T1136.002": "Domain Account",
    "T1189": "Drive-by Compromise",
    "T1190": "Exploit Public-Facing Application",
    "T1505": "Server Software Component",
    "T1505.003": "Web Shell",
    "T1543": "Create or Modify System Process",
    "T1543.002": "Systemd Service",
    "T1543.003": "Windows Service",
    "T1548": "Abuse Elevation Control Mechanism",
    "T1548.003": "Sudo and Sudo Caching",
    "T1562": "Impair Defenses",
    "T1562.001": "Disable or Modify Tools",
    "T1562.004": "Disable or Modify System Firewall",
    "T1569": "System Services",
    "T1569.002": "Service Execution",
    "T1571": "Non-Standard Port",
    "T1572": "Protocol Tunneling",
    "T1573": "Encrypted Channel",
    "T1595": "Active Scanning",
    "T1595.001": "Scanning IP Blocks",
    "T1595.002": "Vulnerability Scanning",
    "T1595.003": "Wordlist Scanning",
    "T1568": "Dynamic Resolution",
    "T1568.002": "Domain Generation Algorithms",
    "T1204": "User Execution",
    "T1218": "System Binary Proxy Execution",
    "T1036": "Masquerading",
    "T1047": "Windows Management Instrumentation",
    "T1055": "Process Injection",
    "T1112": "Modify Registry",
    "T1486": "Data Encrypted for Impact",
    "T1490": "Inhibit System Recovery",
    "T1499": "Endpoint Denial of Service",
    "T1498": "Network Denial of Service",
    "T1557": "Adversary-in-the-Middle",
    "T1558": "Steal or Forge Kerberos Tickets",
    "T1558.003": "Kerberoasting",
    "T1570": "Lateral Tool Transfer",
    "T1583": "Acquire Infrastructure",
}

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


@lru_cache(maxsize=1)
def _stix_names() -> tuple[dict[str, str], dict[str, str]]:
    """Technique and tactic names from a local STIX bundle, when one is configured."""
    path = os.environ.get(ATTACK_STIX_ENV)
    if not path or not os.path.isfile(path):
        return {}, {}
    from sigma.data import mitre_attack  # pySigma's loader; reads a file path without network

    mitre_attack.set_url(path)
    techniques = dict(mitre_attack.mitre_attack_techniques)
    tactic_names = {short: TACTICS.get(short, (tid, short))[1] for tid, short in mitre_attack.mitre_attack_tactics.items()}
    return techniques, tactic_names


def technique_name(tid: str) -> str:
    """'T1110.001' -> 'Password Guessing' ('' when unknown)."""
    return _stix_names()[0].get(tid) or TECHNIQUES.get(tid, "")


def tactic_name(short: str) -> str:
    """'credential-access' -> 'Credential Access'."""
    return _stix_names()[1].get(short) or TACTICS.get(short, ("", short.replace("-", " ").title()))[1]


def tactic_id(short: str) -> str:
    return TACTICS.get(short, ("", ""))[0]
