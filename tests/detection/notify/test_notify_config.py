"""The `[notify]` section of the config file: defaults, the older webhook places, and bad values named."""

from __future__ import annotations

import pytest

from soc.config import load_settings
from soc.errors import ConfigError
from soc.incidents import Severity


def load(tmp_path, text: str, env: dict | None = None):
    cfg = tmp_path / "soc.toml"
    cfg.write_text(text)
    return load_settings(cfg, env or {})


def test_defaults_announce_high_and_above_through_nothing(tmp_path):
    n = load(tmp_path, "").notify
    assert n.min_severity == Severity.HIGH
    assert (n.webhook_url, n.smtp_host, n.smtp_to, n.console_url) == (None, None, (), None)
    assert (n.smtp_port, n.smtp_starttls, n.attempts, n.timeout_seconds) == (25, False, 3, 10)


def test_a_full_section_is_read(tmp_path):
    n = load(tmp_path, """
[notify]
min_severity = "critical"
webhook_url = "https://chat.example.gov.vn/hooks/soc"
webhook_secret = "k"
smtp_host = "mail.example.gov.vn"
smtp_port = 587
smtp_from = "soc@example.gov.vn"
smtp_to = ["truc-ca@example.gov.vn", "lanh-dao@example.gov.vn"]
smtp_starttls = true
smtp_username = "soc"
smtp_password = "p"
console_url = "https://soc.example.gov.vn"
""").notify
    assert n.min_severity == Severity.CRITICAL and n.smtp_port == 587 and n.smtp_starttls is True
    assert n.smtp_to == ("truc-ca@example.gov.vn", "lanh-dao@example.gov.vn")
    assert n.console_url == "https://soc.example.gov.vn"


def test_the_older_webhook_places_still_work_and_secrets_come_from_the_environment(tmp_path):
    s = load(tmp_path, '[detection]\nwebhook_url = "http://127.0.0.1:9000/old"\n[ui]\nbase_url = "http://soc.local:8501"\n')
    assert s.detection.webhook_url == s.notify.webhook_url == "http://127.0.0.1:9000/old"
    assert s.notify.console_url == "http://soc.local:8501"
    env = {"SOC_WEBHOOK_URL": "https://env.example/h", "SOC_WEBHOOK_SECRET": "from-env", "SOC_SMTP_PASSWORD": "pw"}
    s = load(tmp_path, '[notify]\nwebhook_url = "https://file.example/h"\nsmtp_host = "m"\nsmtp_from = "a@b.c"\n'
                       'smtp_to = ["d@e.f"]\nsmtp_username = "u"\n', env)
    assert (s.notify.webhook_url, s.notify.webhook_secret, s.notify.smtp_password) == (
        "https://env.example/h", "from-env", "pw")


@pytest.mark.parametrize("text,key", [
    ('[notify]\nmin_severity = "urgent"\n', "notify.min_severity"),
    ('[notify]\nwebhook_url = "ftp://x/y"\n', "notify.webhook_url"),
    ('[detection]\nwebhook_url = "not a url"\n', "detection.webhook_url"),
    ('[notify]\nconsole_url = "soc.local"\n', "notify.console_url"),
    ('[notify]\nsmtp_port = 70000\n', "notify.smtp_port"),
    ('[notify]\nsmtp_to = ["nobody"]\n', "notify.smtp_to"),
    ('[notify]\nsmtp_host = "m"\nsmtp_from = "a@b.c"\n', "notify.smtp_to"),
    ('[notify]\nsmtp_host = "m"\nsmtp_to = ["a@b.c"]\n', "notify.smtp_from"),
    ('[notify]\nsmtp_host = "m"\nsmtp_from = "a@b.c"\nsmtp_to = ["d@e.f"]\nsmtp_username = "u"\n', "notify.smtp_password"),
    ('[notify]\nsmtp_starttls = "yes"\n', "notify.smtp_starttls"),
    ('[notify]\nattempts = 0\n', "notify.attempts"),
    ('[notify]\nwebhook = "https://x"\n', "notify.webhook"),
])
def test_a_bad_value_names_its_key(tmp_path, text, key):
    with pytest.raises(ConfigError) as err:
        load(tmp_path, text)
    assert err.value.key == key

