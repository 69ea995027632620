"""The postgresql chart's start and hook scripts against real PostgreSQL
servers (Debian's postgresql package) on loopback: bootstrap and cloning,
reload, switchover with fencing and pg_rewind rejoin, unplanned failover,
base backup with WAL archiving and point-in-time restore.

PostgreSQL refuses to run as root: servers run as the `postgres` system user
(runuser) in a world-traversable temporary directory."""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import documents, find, free_port, hook, render, run_hook, wait_for

PASSWORD = "pg-s3cret"
REPL_PASSWORD = "repl-s3cret"


def pg_bin() -> str:
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    if not dirs or shutil.which("runuser") is None:
        pytest.fail("PostgreSQL server binaries or runuser missing (see hack/apt-packages.txt)")
    return dirs[-1]


PATH = f"{pg_bin()}:{os.environ['PATH']}"


@pytest.fixture
def pgroot():
    root = Path(tempfile.mkdtemp(prefix="hoist-pg-", dir="/tmp"))
    os.chmod(root, 0o755)
    pw = pwd.getpwnam("postgres")
    os.chown(root, pw.pw_uid, pw.pw_gid)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def client_env(port: int, **extra: str) -> dict:
    env = {"PATH": PATH, "PGHOST": "127.0.0.1", "PGPORT": str(port), "PGUSER": "postgres",
           "PGPASSWORD": PASSWORD, "REPLICATION_USER": "replicator", "REPLICATION_PASSWORD": REPL_PASSWORD,
           "PGSSLMODE": "disable"}
    env.update(extra)
    return env


def psql(port: int, query: str, check: bool = True) -> str:
    out = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", query], env=client_env(port),
                         capture_output=True, text=True, timeout=60)
    if check and out.returncode != 0:
        raise AssertionError(out.stderr)
    return out.stdout.strip() if out.returncode == 0 else "ERROR: " + out.stderr


class Cluster:
    """Members started through the chart's pg-start.sh with the chart's
    rendered postgresql.conf and pg_hba.conf (port, socket directory, listen
    address and archive paths moved to the test directory)."""

    def __init__(self, procs, root: Path, size: int, values: dict | None = None):
        self.procs, self.root = procs, root
        self.ports = [free_port() for _ in range(size)]
        self.members = " ".join(f"127.0.0.1:{p}" for p in self.ports)
        self.archive = root / "backup" / "wal"
        rendered = documents(render("postgresql", values or {}))
        cm = find(rendered, "ConfigMap", "demo-config")["data"]
        self.conf_text, self.hba_text = cm["postgresql.conf"], cm["pg_hba.conf"]
        self.proc: dict[int, subprocess.Popen] = {}
        self.owned(root / "backup")
        self.owned(self.archive)

    def owned(self, path: Path) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        pw = pwd.getpwnam("postgres")
        os.chown(path, pw.pw_uid, pw.pw_gid)
        return path

    def member_dir(self, i: int) -> Path:
        return self.owned(self.root / f"member{i}")

    def start(self, i: int, wait: bool = True) -> None:
        d = self.member_dir(i)
        port = self.ports[i]
        sock = self.owned(d / "run")
        conf = (self.conf_text.replace("listen_addresses = '*'", "listen_addresses = '127.0.0.1'")
                .replace("port = 5432", f"port = {port}")
                .replace("'/var/run/postgresql'", f"'{sock}'")
                .replace("WAL_ARCHIVE_DIR=/backup/wal sh /hoist/hooks/", f"WAL_ARCHIVE_DIR={self.archive} sh {hook('postgresql', 'archive-wal.sh').parent}/"))
        (d / "postgresql.conf").write_text(conf)
        (d / "pg_hba.conf").write_text(self.hba_text)
        env = client_env(port, POD_NAME=f"demo-{i}", HOIST_NAME="demo", PGDATA=str(d / "data"),
                         BASE_CONF=str(d / "postgresql.conf"), HBA_CONF=str(d / "pg_hba.conf"),
                         SOCKET_DIR=str(sock), SELF_HOST="127.0.0.1", PG_MEMBERS=self.members, HOME=str(d))
        argv = ["runuser", "-u", "postgres", "--", "env", *[f"{k}={v}" for k, v in env.items()],
                "sh", str(hook("postgresql", "pg-start.sh"))]
        self.proc[i] = self.procs.start(argv, log=d / "server.log")
        if wait:
            wait_for(lambda: psql(port, "select 1") == "1", timeout=90, what=f"member {i} on {port}: "
                     + (d / "server.log").read_text()[-2000:] if (d / "server.log").exists() else "")

    def stop(self, i: int, mode: str = "fast") -> None:
        d = self.root / f"member{i}" / "data"
        subprocess.run(["runuser", "-u", "postgres", "--", f"{pg_bin()}/pg_ctl", "-D", str(d), "-m", mode,
                        "-w", "stop"], capture_output=True, timeout=60)
        self.procs.stop(self.proc[i])

    def stop_all(self) -> None:
        for i in list(self.proc):
            if self.proc[i].poll() is None:
                self.stop(i, "immediate")

    def env(self, i: int, **extra: str) -> dict:
        return client_env(self.ports[i], PG_MEMBERS=self.members, **extra)

    def role(self, i: int) -> str:
        return run_hook("postgresql", "role-probe.sh", env=self.env(i)).stdout.decode().strip()


@pytest.fixture
def cluster_factory(procs, pgroot):
    made = []

    def make(size: int, values: dict | None = None) -> Cluster:
        c = Cluster(procs, pgroot, size, values)
        made.append(c)
        return c

    yield make
    for c in made:
        c.stop_all()


def run_as_postgres(script: str, env: dict) -> subprocess.CompletedProcess:
    """A hook that writes files runs as the engine's user, as in the pod."""
    argv = ["runuser", "-u", "postgres", "--", "env", *[f"{k}={v}" for k, v in env.items()],
            "sh", str(hook("postgresql", script))]
    return subprocess.run(argv, capture_output=True, timeout=300)


def streaming(c: Cluster, i: int) -> bool:
    return run_hook("postgresql", "healthcheck.sh", "ready", env=c.env(i), check=False).returncode == 0


def three_members(cluster_factory, values=None) -> Cluster:
    c = cluster_factory(3, values)
    for i in range(3):
        c.start(i)
    for i in (1, 2):
        wait_for(lambda i=i: streaming(c, i), timeout=60, what=f"member {i} streaming")
    return c


def test_bootstrap_clone_and_roles(cluster_factory):
    c = three_members(cluster_factory)
    assert [c.role(i) for i in range(3)] == ["primary", "replica", "replica"]
    psql(c.ports[0], "create table t(v text); insert into t values ('replicated')")
    for i in (1, 2):
        wait_for(lambda i=i: psql(c.ports[i], "select v from t", check=False) == "replicated", what="replication")
    # the replication role exists, passwords from the environment work
    assert psql(c.ports[0], "select rolreplication from pg_roles where rolname = 'replicator'") == "t"
    assert psql(c.ports[0], "show data_checksums") == "on"
    assert int(psql(c.ports[0], "select count(*) from pg_stat_replication where state = 'streaming'")) == 2
    assert run_hook("postgresql", "pre-upgrade-check.sh", env=c.env(0, HOIST_EXPECTED_REPLICAS="2")).stdout == b"ok\n"
    refused = run_hook("postgresql", "pre-upgrade-check.sh", env=c.env(0, HOIST_EXPECTED_REPLICAS="3"), check=False)
    assert refused.returncode == 1 and b"2 of 3 standbys streaming" in refused.stdout


def test_reload_dynamic_and_refuse_static(cluster_factory):
    c = cluster_factory(1, {"hoist": {"config": {"work_mem": "8MB", "max_connections": 50}}})
    c.start(0)
    assert psql(c.ports[0], "show work_mem") == "8MB"
    assert psql(c.ports[0], "show max_connections") == "50"
    out = run_hook("postgresql", "reload.sh", "work_mem=16MB", "log_statement=ddl", "autovacuum=false",
                   "statement_timeout=30000", env=c.env(0))
    assert out.stdout == b"reloaded\n"
    assert psql(c.ports[0], "show work_mem") == "16MB"
    assert psql(c.ports[0], "show log_statement") == "ddl"
    assert psql(c.ports[0], "show autovacuum") == "off"
    assert psql(c.ports[0], "show statement_timeout") == "30s"
    static = run_hook("postgresql", "reload.sh", "max_connections=500", env=c.env(0), check=False)
    assert static.returncode != 0 and b"needs a restart" in static.stderr
    bad = run_hook("postgresql", "reload.sh", "work_mem=lots", env=c.env(0), check=False)
    assert bad.returncode != 0 and psql(c.ports[0], "show work_mem") == "16MB"
    # an empty value resets to the config file
    run_hook("postgresql", "reload.sh", "max_connections=", "work_mem=", env=c.env(0))
    assert psql(c.ports[0], "show work_mem") == "8MB"


def test_switchover_fences_old_primary_which_rejoins_with_pg_rewind(cluster_factory):
    c = three_members(cluster_factory)
    psql(c.ports[0], "create table t(v int); insert into t select generate_series(1, 1000)")
    out = run_hook("postgresql", "failover.sh", env=c.env(1, HOIST_PARAM_CANDIDATE=f"127.0.0.1:{c.ports[2]}"))
    assert out.stdout.decode().strip() == f"127.0.0.1:{c.ports[2]}"
    assert c.role(2) == "primary"
    assert psql(c.ports[2], "select count(*) from t") == "1000"  # nothing lost
    # the old primary is fenced: read-only, reported as replica, fails liveness
    assert "read-only" in psql(c.ports[0], "insert into t values (0)", check=False)
    assert c.role(0) == "replica"
    assert run_hook("postgresql", "healthcheck.sh", "live", env=c.env(0), check=False).returncode != 0
    # the other standby follows the new primary
    psql(c.ports[2], "insert into t values (1001)")
    wait_for(lambda: psql(c.ports[1], "select max(v) from t") == "1001", timeout=60, what="member 1 to follow")
    # the kubelet restarts the fenced member: pg-start.sh rewinds it into a standby
    c.stop(0)
    c.start(0)
    try:
        wait_for(lambda: streaming(c, 0), timeout=90, what="old primary streaming from the new one")
    except TimeoutError:
        print((c.root / "member0" / "server.log").read_text()[-6000:])
        raise
    assert c.role(0) == "replica"
    try:
        wait_for(lambda: psql(c.ports[0], "select max(v) from t") == "1001", what="rejoined member to catch up")
    except TimeoutError:
        print(psql(c.ports[0], "select max(v), pg_last_wal_replay_lsn() from t"), psql(c.ports[2], "select pg_current_wal_lsn()"))
        print(psql(c.ports[0], "select * from pg_stat_wal_receiver"))
        print((c.root / "member0" / "server.log").read_text()[-5000:])
        raise
    assert "hoist.fenced" not in (c.root / "member0" / "data" / "postgresql.auto.conf").read_text()


def test_unplanned_failover_promotes_most_advanced_standby(cluster_factory):
    c = three_members(cluster_factory)
    psql(c.ports[0], "create table t(v int); insert into t values (1)")
    for i in (1, 2):
        wait_for(lambda i=i: psql(c.ports[i], "select count(*) from t", check=False) == "1", what="replication")
    c.stop(0, "immediate")
    out = run_hook("postgresql", "failover.sh", env=c.env(1))
    new = out.stdout.decode().strip()
    assert new in (f"127.0.0.1:{c.ports[1]}", f"127.0.0.1:{c.ports[2]}")
    new_i = c.ports.index(int(new.split(":")[1]))
    other = 3 - new_i
    assert c.role(new_i) == "primary"
    psql(c.ports[new_i], "insert into t values (2)")
    wait_for(lambda: psql(c.ports[other], "select count(*) from t") == "2", timeout=60, what="other standby follows")
    # the crashed primary comes back as a standby, not as a second primary
    c.start(0)
    wait_for(lambda: streaming(c, 0), timeout=90, what="crashed primary rejoining")
    wait_for(lambda: psql(c.ports[0], "select count(*) from t") == "2", what="rejoined member to catch up")


def test_base_backup_and_point_in_time_restore(cluster_factory, pgroot):
    c = cluster_factory(1, {"hoist": {"backup": {"enabled": True, "method": "continuous"}}})
    c.start(0)
    port = c.ports[0]
    psql(port, "create table t(v text); insert into t values ('in-backup')")
    backups = c.root / "backup"
    out = run_as_postgres("backup.sh", c.env(0, HOIST_BACKUP_DIR=str(backups), HOIST_PARAM_BACKUPNAME="base1"))
    assert out.returncode == 0 and out.stdout == b"base1\n", out.stderr.decode()
    meta = json.loads((backups / "base1" / "backup.json").read_text())
    assert meta["engine"] == "postgresql" and meta["startLsn"] and meta["endLsn"]
    assert {"base.tar.gz", "pg_wal.tar.gz", "backup_manifest"} <= {p.name for p in (backups / "base1").iterdir()}

    psql(port, "insert into t values ('before-target')")
    time.sleep(1.1)
    target = psql(port, "select now()")
    time.sleep(1.1)
    psql(port, "insert into t values ('after-target')")
    last = psql(port, "select pg_walfile_name(pg_current_wal_lsn())")
    psql(port, "select pg_switch_wal()")
    wait_for(lambda: (c.archive / last).exists(), timeout=60, what=f"WAL {last} archived")
    c.stop(0)

    restore_env = c.env(0, HOIST_BACKUP_DIR=str(backups), HOIST_PARAM_BACKUPNAME="base1",
                        HOIST_PARAM_TARGETTIME=target, WAL_ARCHIVE_DIR=str(c.archive),
                        PGDATA=str(c.root / "member0" / "data"))
    proc = run_as_postgres("restore.sh", restore_env)
    assert proc.returncode == 0, proc.stderr.decode()
    c.start(0)
    wait_for(lambda: psql(port, "select pg_is_in_recovery()") == "f", timeout=120, what="recovery to finish")
    assert psql(port, "select string_agg(v, ',' order by v) from t") == "before-target,in-backup"
    assert c.role(0) == "primary"

    # a corrupted backup is refused before anything is touched
    tar = backups / "base1" / "base.tar.gz"
    tar.write_bytes(tar.read_bytes()[:-10] + b"0123456789")
    c.stop(0)
    proc = run_as_postgres("restore.sh", restore_env)
    assert proc.returncode != 0 and b"checksums" in proc.stderr
    c.start(0)
    assert psql(port, "select count(*) from t") == "2"


def test_archive_wal_never_overwrites(tmp_path):
    seg = tmp_path / "000000010000000000000001"
    seg.write_bytes(b"a" * 100)
    archive = tmp_path / "wal"
    env = {"WAL_ARCHIVE_DIR": str(archive)}
    run_hook("postgresql", "archive-wal.sh", str(seg), seg.name, env=env)
    run_hook("postgresql", "archive-wal.sh", str(seg), seg.name, env=env)  # retry: same content
    assert (archive / seg.name).read_bytes() == b"a" * 100
    seg.write_bytes(b"b" * 100)
    assert run_hook("postgresql", "archive-wal.sh", str(seg), seg.name, env=env, check=False).returncode != 0
    assert (archive / seg.name).read_bytes() == b"a" * 100
