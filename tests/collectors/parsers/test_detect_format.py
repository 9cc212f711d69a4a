"""Auto-detection picks the right parser for the first lines of every text sample in shared/data."""

from __future__ import annotations

import pytest

from collectors.parsers import detect_format

EXPECTED = {
    "firewall/cisco_asa.log": "cisco_asa", "firewall/fortigate.log": "fortigate", "firewall/iptables.log": "iptables",
    "firewall/paloalto.log": "paloalto", "firewall/pfsense.log": "pfsense", "loghub/Apache_2k.log": "apache_error",
    # /var/log/messages with sshd(pam_unix) and su lines: the auth parser, which also keeps the other programs
    "loghub/Linux_2k.log": "sshd", "loghub/OpenSSH_2k.log": "sshd",
    "suricata/eve_mixed.json": "suricata", "suricata/eve_wrccdc2018_alerts.json": "suricata",
    "web/apache_combined_baseline.log": "nginx", "web/combined_attacks.log": "nginx",
    "web/tomcat_access_attacks.log": "nginx", "web/iis_w3c_tunna_webshell.log": "iis",
    "zeek/conn.log": "zeek", "zeek/dns.json": "zeek", "zeek/http.json": "zeek", "zeek/ssl.log": "zeek",
}


@pytest.mark.parametrize("name, expected", sorted(EXPECTED.items()))
def test_detects_sample(shared_data, name, expected):
    lines = (shared_data / name).read_bytes().decode("utf-8", "backslashreplace").splitlines()[:200]
    assert detect_format(lines) == expected


def test_plain_syslog_stays_syslog():
    sample = ["Jun 14 15:16:01 combo ftpd[1]: connection from 1.2.3.4", "Jun 14 15:16:02 combo kernel: eth0 up",
              "Jun 14 15:16:03 combo sshd[2]: Accepted password for a from 1.2.3.4 port 2 ssh2"] + \
             [f"Jun 14 15:17:{i:02d} combo named[3]: lame server" for i in range(20)]
    assert detect_format(sample) == "syslog"  # one auth line in 23 is not an auth log
