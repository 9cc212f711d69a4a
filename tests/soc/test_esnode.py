"""tools/esnode.py: the real Elasticsearch node the tests and `make es` use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import elasticsearch

ROOT = Path(__file__).resolve().parents[2]
TOOL = [sys.executable, str(ROOT / "tools" / "esnode.py")]


def esnode(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(TOOL + list(args), capture_output=True, text=True, env={**os.environ, **(env or {})},
                          timeout=300)


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.load(resp)


def test_node_matches_the_client_and_runs_unprivileged_on_loopback(es_url):
    assert urlparse(es_url).hostname == "127.0.0.1"
    assert get(f"{es_url}/_cluster/health")["status"] in ("green", "yellow")
    (node,) = get(f"{es_url}/_nodes/_local/jvm,process,settings")["nodes"].values()
    assert node["version"].split(".")[0] == elasticsearch.__versionstr__.split(".")[0] == "9"
    assert int(node["jvm"]["version"].split(".")[0]) >= 21
    assert node["settings"]["discovery"]["type"] == "single-node"
    pid = node["process"]["id"]
    uid = int(next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("Uid:")).split()[1])
    if os.geteuid() == 0:
        assert uid != 0  # Elasticsearch refuses root: it runs as the system user the tool made


def test_start_again_reuses_the_running_node_and_status_reports_it(es_url):
    name = f"pytest-{os.getpid()}"
    if os.environ.get("SOC_TEST_ES_URL"):
        name = "default"  # the node is someone's `make es`: look at that one
    status = esnode("status", "--name", name)
    state = json.loads(status.stdout)
    if state.get("url") != es_url:
        raise AssertionError(f"es_url {es_url} is not the node named {name}: {state}")
    again = esnode("start", "--name", name)
    assert again.returncode == 0
    assert again.stdout.strip().splitlines()[-1] == f"SOC_STORE={es_url}"
    assert "already running" in again.stderr
    assert esnode("url", "--name", name).stdout.strip() == es_url


def test_unknown_node_is_reported_not_running():
    missing = esnode("url", "--name", "no-such-node")
    assert missing.returncode == 1 and "not running" in missing.stderr
    assert esnode("stop", "--name", "no-such-node").returncode == 0


def test_a_java_that_is_too_old_fails_with_the_reason(es_url, tmp_path):
    jdk17 = Path("/usr/lib/jvm/java-17-openjdk-amd64")
    home = str(jdk17) if jdk17.is_dir() else str(tmp_path)
    bad = esnode("start", "--name", f"bad-java-{os.getpid()}", env={"SOC_ES_JAVA_HOME": home})
    assert bad.returncode == 1
    assert "is not a Java 21+ home" in bad.stderr
    assert "SOC_STORE=" not in bad.stdout


def test_a_version_maven_cannot_find_fails_with_the_reason(tmp_path):
    bad = esnode("start", "--name", "no-version", env={"SOC_ES_VERSION": "9.0.99-none", "SOC_ES_CACHE": str(tmp_path)})
    assert bad.returncode == 1
    assert "could not fetch org.elasticsearch.distribution.integ-test-zip:elasticsearch:9.0.99-none:zip" in bad.stderr
