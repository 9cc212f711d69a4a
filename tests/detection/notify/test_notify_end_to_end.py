"""Real sshd lines (loghub OpenSSH_2k) -> ingest -> the project's own sshd rules -> run_once with the
notifier built from a config file -> a real webhook receiver on 127.0.0.1."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors.ingest import ingest_paths
from detection.engine import run_once
from detection.notify import dispatch_from, notifiers_from
from detection.sigma.compile import load_ruleset
from soc.config import REPO_ROOT, load_settings
from soc.incidents import Severity
from soc.store.base import IncidentFilter
from soc.store.sqlite import SQLiteStore

ATTACKER = "183.62.140.253"
NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def attack_log(shared_data, tmp_path_factory):
    """The 867 lines of the one address that hammered the server, as their own log file."""
    lines = (shared_data / "loghub" / "OpenSSH_2k.log").read_text().splitlines()
    mine = [ln for ln in lines if ATTACKER in ln]
    assert len(mine) == 867  # PROVENANCE.md
    path = tmp_path_factory.mktemp("attack") / "auth.log"
    path.write_text("\n".join(mine) + "\n")
    return path


def settings_with(tmp_path, notify_toml: str):
    cfg = tmp_path / "soc.toml"
    cfg.write_text(f'[store]\nurl = "sqlite:///{tmp_path / "soc.db"}"\n[detection]\nrules = ["{REPO_ROOT / "rules" / "linux" / "sshd"}"]\n'
                   + notify_toml)
    return load_settings(cfg, {})


def test_a_brute_force_with_a_webhook_configured_sends_exactly_one_notification(attack_log, webhook, tmp_path):
    s = settings_with(tmp_path, f'[notify]\nwebhook_url = "{webhook.url}"\nwebhook_secret = "k"\n'
                                f'console_url = "https://soc.example.gov.vn"\n')
    with SQLiteStore(str(tmp_path / "soc.db")) as store:
        ingest_paths([attack_log], store)
        ruleset = load_ruleset(list(s.detection.rules))
        notify = dispatch_from(s, store)
        summary = run_once(store, ruleset, NOW, notify=notify)
        assert summary.errors == []
        incidents = store.list_incidents(IncidentFilter())
        high = [i for i in incidents if i.severity.rank >= Severity.HIGH.rank]
        assert [i.rule_title for i in high] == ["SSH brute force from one address"]
        assert len(incidents) > len(high)  # the low-severity failures are raised too, and not sent
        [got] = webhook.received
        body = got.json
        assert (body["id"], body["kind"], body["entity"]) == (high[0].id, "created", {"source.ip": ATTACKER})
        assert body["evidence_count"] == high[0].evidence_count > 10
        assert body["attack_techniques"] == ["T1110.001"]
        assert body["url"] == f"https://soc.example.gov.vn/incident?id={high[0].id}"
        # the next scheduled run and a restarted process send nothing more
        run_once(store, ruleset, NOW, notify=notify)
        run_once(store, ruleset, NOW, notify=dispatch_from(s, store))
        assert len(webhook.received) == 1


def test_an_unreachable_webhook_is_audited_and_detection_completes(attack_log, closed_url, tmp_path):
    s = settings_with(tmp_path, f'[notify]\nwebhook_url = "{closed_url}"\nattempts = 2\n')
    with SQLiteStore(str(tmp_path / "soc.db")) as store:
        ingest_paths([attack_log], store)
        ruleset = load_ruleset(list(s.detection.rules))
        notify = dispatch_from(s, store)
        notify.backoff_seconds = 0.01
        summary = run_once(store, ruleset, NOW, notify=notify)
        assert summary.errors == []
        [brute] = [i for i in store.list_incidents(IncidentFilter()) if i.severity == Severity.HIGH]
        assert brute.evidence_count > 10
        trail = [(a.actor, a.action) for a in store.list_audit(brute.id)]
        assert trail == [("detection", "created"), ("notify", "notify.failed")]
        failed = store.list_audit(brute.id)[-1].detail
        assert failed["attempts"] == 2 and "refused" in failed["error"]
        # detection moved on: every rule's checkpoint is at NOW
        for rule in ruleset.rules:
            if rule.enabled and rule.generate:
                assert store.get_checkpoint(f"rule:{rule.id}") == "2030-01-01T00:00:00.000Z"


def test_no_notifier_without_configuration_and_both_with_it(tmp_path):
    assert notifiers_from(settings_with(tmp_path, "")) == []
    s = settings_with(tmp_path, '[notify]\nwebhook_url = "https://hooks.example.gov.vn/soc"\nsmtp_host = "127.0.0.1"\n'
                                'smtp_from = "soc@x.example"\nsmtp_to = ["a@x.example"]\n')
    assert [n.name for n in notifiers_from(s)] == ["webhook", "email"]
    with SQLiteStore(str(tmp_path / "soc.db")) as store:
        assert dispatch_from(settings_with(tmp_path, ""), store) is None
