"""`soc`: the one command line, and the composition root.

This is the only module allowed to reach into every package; it imports each subcommand's
module lazily inside that command so `soc --help` stays fast and layers stay clean.
Every command exits 0 on success and 1 with a one-line reason on bad input.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import click

from soc.config import REPO_ROOT, Settings, load_settings
from soc.errors import SocError
from soc.store.base import User


def main() -> None:
    try:
        cli(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except SocError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="SOC_CONFIG", help="TOML config file.")
@click.option("--store", "store_url", envvar="SOC_STORE", help="Store URL: sqlite:///abs/path.db or http://host:9200.")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, store_url: str | None) -> None:
    """SOC log analysis: collect logs, detect attacks, triage incidents."""
    ctx.obj = _Lazy(config_path, store_url)


class _Lazy:
    """Settings and store opened on first use, so `--help` never touches the disk."""

    def __init__(self, config_path: str | None, store_url: str | None) -> None:
        self._config_path, self._store_url = config_path, store_url
        self._settings: Settings | None = None
        self._store: Any = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            import os

            env = dict(os.environ)
            if self._store_url:
                env["SOC_STORE"] = self._store_url
            self._settings = load_settings(self._config_path, env)
        return self._settings

    @property
    def store(self) -> Any:
        if self._store is None:
            from soc.store import open_store

            s = self.settings.store
            self._store = open_store(s.url, **s.options())
        return self._store


pass_lazy = click.pass_obj


def _out_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=None, default=str))


def _bytes_progress(total: int, label: str) -> tuple[Callable[[int], None], Callable[[], None]]:
    from tqdm import tqdm

    bar = tqdm(total=total, unit="B", unit_scale=True, desc=label, file=sys.stderr, disable=not sys.stderr.isatty())
    return bar.update, bar.close


# --- simulate / ingest / events ---------------------------------------------------------------


@cli.command()
@click.option("--days", type=click.IntRange(1, 365), default=3, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True)
@click.option("--start", "start_day", type=click.DateTime(["%Y-%m-%d"]), help="First simulated day (default: today minus --days).")
@click.option("--scale", type=click.FloatRange(0.01, 100), default=1.0, show_default=True, help="Volume multiplier.")
def simulate(days: int, seed: int, out_dir: str, start_day: datetime | None, scale: float) -> None:
    """Write simulated data-center logs with injected attacks and ground_truth.json."""
    from collectors.sources.simulator import simulate as run

    start = start_day.date() if start_day else date.today() - timedelta(days=days)
    res = run(days=days, seed=seed, out=Path(out_dir), start=start, scale=scale)
    for name, path in res.files.items():
        click.echo(f"{path}: {res.lines[name]} lines")
    click.echo(f"{res.ground_truth}: {len(res.attacks)} attacks")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", default="auto", show_default=True, help="Log format, or auto to detect per file.")
@click.option("--tz", default=None, help="Time zone of timestamps without one (default Asia/Ho_Chi_Minh).")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON object of counts.")
@pass_lazy
def ingest(lazy: _Lazy, paths: tuple[str, ...], fmt: str, tz: str | None, as_json: bool) -> None:
    """Parse log files into ECS events and store them (safe to run twice)."""
    from collectors.enrich import enricher_from
    from collectors.ingest import expand_paths, ingest_paths

    files = expand_paths(paths)
    update, close = _bytes_progress(sum(f.stat().st_size for f in files), "ingest")
    try:
        results = ingest_paths(files, lazy.store, fmt=fmt, tz=tz or lazy.settings.timezone, progress=update,
                               enrich=enricher_from(lazy.settings))
    finally:
        close()
    total = {"read": 0, "stored": 0, "duplicates": 0, "dead_lettered": 0}
    for r in results:
        counts = r.stats.as_dict()
        for k in total:
            total[k] += counts[k]
        if not as_json:
            click.echo(f"{r.path} [{r.format}]: read {counts['read']}, stored {counts['stored']}, "
                       f"duplicates {counts['duplicates']}, dead-lettered {counts['dead_lettered']}")
    if as_json:
        _out_json(total)
    else:
        click.echo(f"total: read {total['read']}, stored {total['stored']}, duplicates {total['duplicates']}, "
                   f"dead-lettered {total['dead_lettered']}")


# --- collect / sources: the running collector (collectors/collect.py, collectors/status.py) ----------


@cli.command()
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="TOML config with [store] and [[sources]] (same as soc --config).")
@pass_lazy
def collect(lazy: _Lazy, config_path: str | None) -> None:
    """Run the configured sources until stopped; SIGTERM or Ctrl-C stops cleanly (flush, commit offsets)."""
    import logging
    import signal
    import threading

    from collectors.collect import run_collect

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if config_path:
        lazy._config_path = config_path
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    settings = lazy.settings
    click.echo(f"collecting {len(settings.sources)} sources into {settings.store.url} (SIGTERM or Ctrl-C to stop)", err=True)
    summary = run_collect(settings, lazy.store, stop)
    for name, rec in summary.sources.items():
        click.echo(f"{name}: received {rec['received']}, stored {rec['stored']}, duplicates {rec['duplicates']}, "
                   f"dead-lettered {rec['dead_lettered']}, dropped {rec['dropped']}", err=True)
    if summary.delivery.get("buffered_batches"):
        click.echo(f"{summary.delivery['buffered_batches']} batches wait in the disk buffer for the store "
                   "(delivered on the next start)", err=True)


@cli.group()
def sources() -> None:
    """Health of the collector's sources."""


@sources.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON list of per-source records.")
@pass_lazy
def sources_status_cmd(lazy: _Lazy, as_json: bool) -> None:
    """Per source: events received, stored, dead-lettered, dropped, last event time, lag, silent."""
    from collectors.status import sources_status

    found = sources_status(lazy.store)
    if as_json:
        _out_json(found)
        return
    if not found:
        click.echo("no source has reported yet (is `soc collect` running on this store?)")
    for r in found:
        flags = ("SILENT " if r["silent"] else "") + ("" if r["running"] else "(collector not running)")
        click.echo(f"{r['name']} [{r['type']}]: received {r['received']}, stored {r['stored']}, "
                   f"dead-lettered {r['dead_lettered']}, dropped {r['dropped']}, {r['events_per_second']}/s, "
                   f"last event {r['last_event_time'] or '-'}, lag {r['lag_seconds']}s {flags}".rstrip())


@cli.group()
def events() -> None:
    """Look at stored events."""


@events.command("count")
@click.option("--dataset", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_lazy
def events_count(lazy: _Lazy, dataset: str | None, as_json: bool) -> None:
    """Count stored events (optionally of one dataset)."""
    n = lazy.store.count(dataset=dataset)
    _out_json({"count": n}) if as_json else click.echo(n)


@events.command("export")
@click.option("--dataset", default=None)
@pass_lazy
def events_export(lazy: _Lazy, dataset: str | None) -> None:
    """Print stored events as nested ECS JSON lines."""
    from soc.events import to_nested

    for ev in lazy.store.iter_events(dataset=dataset):
        click.echo(json.dumps(to_nested(ev), ensure_ascii=False))


@cli.command("dead-letters")
@click.option("--limit", type=int, default=20, show_default=True)
@pass_lazy
def dead_letters(lazy: _Lazy, limit: int) -> None:
    """Show the records that could not be parsed or stored, with their reason."""
    click.echo(f"{lazy.store.count_dead_letters()} dead letters")
    for d in lazy.store.list_dead_letters(limit):
        click.echo(f"{d.source}@{d.offset}: {d.reason}: {d.raw[:200]!r}")


# --- detection ----------------------------------------------------------------------------------


def _ruleset(settings: Settings) -> Any:
    from detection.sigma.compile import load_ruleset

    return load_ruleset(list(settings.detection.rules))


@cli.command()
@click.option("--once", is_flag=True, required=True, help="Run every enabled rule once, from its checkpoint to now.")
@click.option("--json", "as_json", is_flag=True)
@pass_lazy
def detect(lazy: _Lazy, once: bool, as_json: bool) -> None:
    """Run detection rules and raise incidents."""
    from detection.engine import run_once

    s = lazy.settings
    ruleset = _ruleset(s)
    for where, reason in ruleset.errors:
        click.echo(f"rule error: {where}: {reason}", err=True)
    summary = run_once(lazy.store, ruleset, now=_now(), overlap_seconds=s.detection.overlap_seconds,
                       suppression_seconds=s.detection.suppression_seconds, evidence_cap=s.detection.evidence_cap,
                       notify=_notify_hook(lazy))
    if as_json:
        _out_json(summary.as_dict())
    else:
        click.echo(summary.describe())


@cli.command()
@click.option("--interval", type=click.IntRange(1, 86400), default=None, help="Run every rule on this interval (seconds) instead of its own.")
@click.option("--max-concurrent", type=click.IntRange(1, 16), default=None, help="Rules run at the same time (default from config).")
@pass_lazy
def serve(lazy: _Lazy, interval: int | None, max_concurrent: int | None) -> None:
    """Run detection on schedule until stopped (SIGTERM or Ctrl-C): each rule on its interval."""
    import signal
    import threading

    from detection.scheduler import ServeContext, serve as run_schedule

    s = lazy.settings
    ruleset = _ruleset(s)
    for where, reason in ruleset.errors:
        click.echo(f"rule error: {where}: {reason}", err=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    ctx = ServeContext(
        store=lazy.store, ruleset=ruleset, overlap_seconds=s.detection.overlap_seconds,
        suppression_seconds=s.detection.suppression_seconds, evidence_cap=s.detection.evidence_cap,
        interval_override=interval, max_concurrent=max_concurrent or s.detection.max_concurrent,
        on_run=_report_run, housekeeping=_housekeeping(lazy), notify=_notify_hook(lazy),
    )
    click.echo(f"serving {len(ruleset.rules)} rules on {s.store.url}", err=True)
    run_schedule(ctx, stop)
    click.echo("stopped", err=True)


def _notify_hook(lazy: _Lazy) -> Any:
    """Announces high and critical incidents through the configured webhook / e-mail (None if none)."""
    from detection.notify import dispatch_from

    return dispatch_from(lazy.settings, lazy.store)


def _report_run(record: Any) -> None:
    if record.error or record.alerts:
        status = f"error: {record.error}" if record.error else f"{record.alerts} alerts, {record.hits} events"
        click.echo(f"{record.ran_at} {record.rule_id} [{record.start} .. {record.end}) {status}", err=True)


def _housekeeping(lazy: _Lazy) -> list[tuple[str, int, Callable[[], None]]]:
    """Jobs beside the rules: retention once an hour; a silent log source raised as an incident."""
    s = lazy.settings

    def retention() -> None:
        if s.retention_days or s.retention_default_days:
            lazy.store.apply_retention(s.retention_days, _now(), s.retention_default_days)

    def silent_sources() -> None:
        from collectors.status import silent_source_alerts
        from detection.incidents import apply_condition_alerts

        now = _now()
        apply_condition_alerts(lazy.store, silent_source_alerts(lazy.store, now), now)

    return [("retention", 3600, retention), ("silent-sources", 60, silent_sources)]


def _now() -> datetime:
    from soc.events import now_utc

    return now_utc()


@cli.group()
def incidents() -> None:
    """List and inspect incidents."""


@incidents.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--status", multiple=True, help="Only these statuses (repeatable).")
@click.option("--limit", type=int, default=1000, show_default=True)
@pass_lazy
def incidents_list(lazy: _Lazy, fmt: str, status: tuple[str, ...], limit: int) -> None:
    """List incidents, newest first."""
    from soc.store.base import IncidentFilter

    found = lazy.store.list_incidents(IncidentFilter(status=list(status) or None, limit=limit))
    if fmt == "json":
        _out_json([i.to_dict() for i in found])
        return
    for i in found:
        ent = ", ".join(f"{k}={v}" for k, v in i.entity.items())
        click.echo(f"{i.id}  {i.severity.value:<8} {i.status.value:<14} {i.evidence_count:>6}  {i.rule_title}  [{ent}]  {i.first_seen} .. {i.last_seen}")
    click.echo(f"{len(found)} incidents")


@cli.group()
def rules() -> None:
    """Validate, convert, test and backtest detection rules (folders from SOC_RULES)."""


@rules.command("test")
@click.option("--backend", "backends", multiple=True, type=click.Choice(["sqlite", "elasticsearch"]),
              help="Backends to test on (default: sqlite, plus elasticsearch when SOC_TEST_ES_URL is set).")
@pass_lazy
def rules_test(lazy: _Lazy, backends: tuple[str, ...]) -> None:
    """Run every rule's test events; exit 1 naming each rule and event that failed."""
    import os
    import tempfile

    from detection.ruletest import run_rule_tests
    from soc.store import open_store

    chosen = list(backends) or (["sqlite", "elasticsearch"] if os.environ.get("SOC_TEST_ES_URL") else ["sqlite"])
    tmp = Path(tempfile.mkdtemp(prefix="soc-ruletest-"))
    counter = iter(range(10**9))
    factories = {
        "sqlite": lambda: open_store(f"sqlite:///{tmp / f'rt{next(counter)}.db'}"),
        "elasticsearch": lambda: _es_test_store(next(counter)),
    }
    results = run_rule_tests(_ruleset(lazy.settings), {b: factories[b] for b in chosen})
    failed = [r for r in results if not r.passed]
    for r in results:
        click.echo(r.describe())
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        sys.exit(1)


def _es_test_store(n: int) -> Any:
    import os

    from soc.store import open_store

    return open_store(os.environ["SOC_TEST_ES_URL"], index_prefix=f"ruletest{os.getpid()}x{n}")


@rules.command("convert")
@click.argument("dirs", nargs=-1, type=click.Path(exists=True, file_okay=False))
@click.option("--report", is_flag=True, required=True, help="Print per backend how many rules converted and why others did not.")
@click.option("--json", "as_json", is_flag=True)
@pass_lazy
def rules_convert(lazy: _Lazy, dirs: tuple[str, ...], report: bool, as_json: bool) -> None:
    """Convert rules for every backend and report coverage."""
    from detection.sigma.compile import conversion_report, load_ruleset

    ruleset = load_ruleset([Path(d) for d in dirs] if dirs else list(lazy.settings.detection.rules))
    rep = conversion_report(ruleset)
    if as_json:
        _out_json(rep)
        return
    for backend, r in rep.items():
        click.echo(f"{backend}: {r['converted']}/{r['total']} converted")
        for f in r["failed"]:
            click.echo(f"  {f['rule']}: {f['reason']}")
    warnings = next(iter(rep.values()), {}).get("warnings", [])
    for w in warnings:
        click.echo(f"warning: {w['rule']}: {w['warning']}")


@rules.command("validate")
@click.argument("dirs", nargs=-1, type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True)
@pass_lazy
def rules_validate(lazy: _Lazy, dirs: tuple[str, ...], as_json: bool) -> None:
    """Load and validate rules with pySigma's validators; exit 1 when a rule has an error (not on warnings)."""
    from detection.sigma.compile import load_ruleset

    ruleset = load_ruleset([Path(d) for d in dirs] if dirs else list(lazy.settings.detection.rules))
    errors = [{"where": where, "reason": why} for where, why in ruleset.errors]
    warnings = [{"rule": r.title, "path": r.path, "warning": w} for r in ruleset.rules for w in r.warnings]
    if as_json:
        _out_json({"rules": len(ruleset.rules), "errors": errors, "warnings": warnings})
    else:
        for e in errors:
            click.echo(f"error: {e['where']}: {e['reason']}")
        for w in warnings:
            click.echo(f"warning: {w['path']}: {w['rule']}: {w['warning']}")
        click.echo(f"{len(ruleset.rules)} rules, {len(errors)} errors, {len(warnings)} warnings")
    if errors:
        sys.exit(1)


@rules.command("backtest")
@click.argument("rule")
@click.option("--since", default="7d", show_default=True, help="How far back: 7d, 24h, 90m.")
@pass_lazy
def rules_backtest(lazy: _Lazy, rule: str, since: str) -> None:
    """Show what a rule would have raised over past data, raising nothing."""
    from detection.backtest import backtest

    ruleset = _ruleset(lazy.settings)
    target = ruleset.by_ref(rule) or next((r for r in ruleset.rules if Path(r.path).stem == rule or r.path == rule), None)
    if target is None:
        raise SocError(f"no rule named {rule!r} (give its id, name or file)")
    end = _now()
    result = backtest(lazy.store, target, ruleset, end - _duration(since), end)
    click.echo(result.describe())


def _duration(text: str) -> timedelta:
    units = {"d": "days", "h": "hours", "m": "minutes"}
    try:
        return timedelta(**{units[text[-1]]: int(text[:-1])})
    except (KeyError, ValueError):
        raise SocError(f"bad duration {text!r}: use e.g. 7d, 24h or 90m") from None


# --- users, console, demo -----------------------------------------------------------------------


# The operator at the command line acts as an administrator; the audit trail names them "cli".
_CLI_ADMIN = User(username="cli", password_hash="", role="admin")


@cli.group()
def users() -> None:
    """Manage console users."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["analyst", "admin", "manager"]), required=True)
@click.password_option()
@pass_lazy
def users_add(lazy: _Lazy, username: str, role: str, password: str) -> None:
    """Create or replace a console user."""
    from soc.auth import create_user, set_password

    if lazy.store.get_user(username) is None:
        create_user(lazy.store, _CLI_ADMIN, username, password, role)
    else:
        set_password(lazy.store, _CLI_ADMIN, username, password)
    click.echo(f"user {username} ({role}) saved")


@cli.command()
@click.option("--port", type=int, default=8501, show_default=True)
@click.option("--address", default="127.0.0.1", show_default=True)
@pass_lazy
def ui(lazy: _Lazy, port: int, address: str) -> None:
    """Start the web console (Streamlit)."""
    _run_console(lazy.settings, port, address)


def _run_console(settings: Settings, port: int, address: str) -> None:
    import os
    import subprocess

    from soc.config import REPO_ROOT

    env = dict(os.environ, SOC_STORE=settings.store.url, SOC_HOME=str(settings.home))
    cmd = [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "ui" / "app.py"), "--server.port", str(port),
           "--server.address", address, "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--client.toolbarMode", "viewer"]
    click.echo(f"console: http://{address}:{port}")
    raise SystemExit(subprocess.call(cmd, env=env))


@cli.command()
@click.option("--headless", is_flag=True, help="Do not start the console; print a summary.")
@click.option("--days", type=click.IntRange(1, 60), default=3, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--port", type=int, default=8501, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="With --headless: print the summary as JSON.")
@pass_lazy
def demo(lazy: _Lazy, headless: bool, days: int, seed: int, port: int, as_json: bool) -> None:
    """Simulate -> ingest -> detect, then open the console with demo users."""
    summary = _run_demo(lazy, days=days, seed=seed)
    if as_json:
        _out_json(summary)
    else:
        _print_demo(summary)
    if not headless:
        _run_console(lazy.settings, port, "127.0.0.1")


def _run_demo(lazy: _Lazy, days: int, seed: int) -> dict[str, Any]:
    """The whole path on one store; returns events per dataset, incidents per rule and the
    comparison of incidents with the simulator's ground truth."""
    from collectors.ingest import ingest_paths
    from collectors.sources.simulator import simulate as run_sim
    from detection.engine import run_once
    from soc.store.base import IncidentFilter

    s, store = lazy.settings, lazy.store
    out = s.home / "demo-logs"
    click.echo(f"simulating {days} days (seed {seed}) into {out}", err=True)
    sim = run_sim(days=days, seed=seed, out=out, start=date.today() - timedelta(days=days))
    files = list(sim.files.values())
    click.echo(f"ingesting {len(files)} files into {s.store.url}", err=True)
    update, close = _bytes_progress(sum(f.stat().st_size for f in files), "ingest")
    try:
        ingest_paths(files, store, tz=s.timezone, progress=update)
    finally:
        close()
    click.echo("running detection", err=True)
    from detection.sigma.compile import load_ruleset

    # the demo's own environment (its mail relay) is tuned with filters kept beside the demo
    ruleset = load_ruleset([*s.detection.rules, REPO_ROOT / "demo" / "filters"])
    run_once(store, ruleset, now=_now(), overlap_seconds=s.detection.overlap_seconds,
             suppression_seconds=s.detection.suppression_seconds, evidence_cap=s.detection.evidence_cap,
             notify=_notify_hook(lazy))
    found = store.list_incidents(IncidentFilter(limit=100000))
    truth = json.loads(Path(sim.ground_truth).read_text())
    attackers = {a["entity"]["source.ip"] for a in truth}
    per_rule: dict[str, int] = {}
    for i in found:
        per_rule[i.rule_title] = per_rule.get(i.rule_title, 0) + 1
    detected = [a for a in truth if any(a["entity"]["source.ip"] in i.entity.values() for i in found)]
    benign = [i.id for i in found if not set(map(str, i.entity.values())) & attackers]
    return {
        "store": s.store.url,
        "events_per_dataset": dict(store.datasets()),
        "dead_letters": store.count_dead_letters(),
        "incidents_per_rule": dict(sorted(per_rule.items())),
        "attacks": len(truth),
        "attacks_detected": len(detected),
        "missed": [a for a in truth if a not in detected],
        "incidents_from_benign_sources": benign,
        "users": _demo_logins(store),
    }


def _demo_logins(store: Any) -> dict[str, tuple[str, str]]:
    """Demo accounts with fresh passwords on every demo run, so the printed ones always work."""
    import secrets

    from soc.auth import DEMO_USERS, ensure_demo_users, set_password

    created = ensure_demo_users(store)
    logins = {}
    for username, role, _ in DEMO_USERS:
        password = created.get(username)
        if password is None:
            password = secrets.token_urlsafe(12)
            set_password(store, _CLI_ADMIN, username, password)
        logins[username] = (password, role)
    return logins


def _print_demo(summary: dict[str, Any]) -> None:
    click.echo(f"store: {summary['store']}")
    click.echo("events per dataset:")
    for ds, n in summary["events_per_dataset"].items():
        click.echo(f"  {ds:<24} {n:>8}")
    click.echo(f"dead letters: {summary['dead_letters']}")
    click.echo("incidents per rule:")
    for rule, n in summary["incidents_per_rule"].items():
        click.echo(f"  {n:>4}  {rule}")
    click.echo(f"injected attacks detected: {summary['attacks_detected']}/{summary['attacks']}")
    for a in summary["missed"]:
        click.echo(f"  missed: {a['kind']} from {a['entity']}")
    click.echo(f"incidents from benign sources: {len(summary['incidents_from_benign_sources'])}")
    click.echo("console users (username / password / role):")
    for name, (password, role) in summary["users"].items():
        click.echo(f"  {name} / {password} / {role}")


if __name__ == "__main__":
    main()
