from pathlib import Path

import pytest

from soc.config import DEFAULT_RULES, load_settings
from soc.errors import ConfigError


def test_defaults_put_the_sqlite_store_under_the_home_folder(tmp_path):
    s = load_settings(None, {"SOC_HOME": str(tmp_path)})
    assert s.home == tmp_path.resolve()
    assert s.store.url == f"sqlite:///{tmp_path.resolve() / 'soc.db'}"
    assert s.detection.rules == (DEFAULT_RULES,)
    assert (s.timezone, s.language) == ("Asia/Ho_Chi_Minh", "vi")


def test_environment_wins_over_the_file(tmp_path):
    cfg = tmp_path / "soc.toml"
    cfg.write_text('[store]\nurl = "sqlite:///from/file.db"\n[detection]\noverlap_seconds = 30\nrules = ["/a"]\n')
    s = load_settings(cfg, {"SOC_STORE": "http://127.0.0.1:9200", "SOC_RULES": "/x:/y"})
    assert s.store.url == "http://127.0.0.1:9200"
    assert s.detection.rules == (Path("/x"), Path("/y"))
    assert s.detection.overlap_seconds == 30
    assert load_settings(cfg, {}).store.url == "sqlite:///from/file.db"


@pytest.mark.parametrize(
    "text,key",
    [
        ("[detection]\noverlap_seconds = -5\n", "detection.overlap_seconds"),
        ("[detection]\nevidence_cap = 'many'\n", "detection.evidence_cap"),
        ("[store]\nurl = 'ftp://x'\n", "store.url"),
        ("[retention]\n'fortigate.traffic' = 0\n", "retention.fortigate.traffic"),
        ("timezone = 'Mars/Olympus'\n", "timezone"),
        ("colour = 'red'\n", "colour"),
        ("[[sources]]\npath = '/var/log/x'\n", "sources[0].type"),
        ("this is not toml = = \n", "config"),
    ],
)
def test_a_bad_value_names_its_key(tmp_path, text, key):
    cfg = tmp_path / "soc.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(cfg, {})
    assert err.value.key == key
    assert key in str(err.value)


def test_missing_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_settings(tmp_path / "nope.toml", {})
