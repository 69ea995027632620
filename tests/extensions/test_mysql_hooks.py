"""The mysql chart's start and hook scripts against real MariaDB servers
(Debian's mariadb-server) on loopback: bootstrap and cloning with GTID
replication, reload, fenced switchover, unplanned failover, dump backup and
restore. Servers run as the `mysql` system user (runuser)."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import documents, find, free_port, hook, need, render, run_hook, wait_for

ROOT_PASSWORD = "my-s3cret"
REPL_PASSWORD = "repl-s3cret"


@pytest.fixture
def myroot():
    need("mariadbd", "mariadb", "mariadb-dump", "mariadb-install-db", "runuser")
    root = Path(tempfile.mkdtemp(prefix="hoist-my-", dir="/tmp"))
    os.chmod(root, 0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def chown_mysql(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    pw = pwd.getpwnam("mysql")
    os.chown(path, pw.pw_uid, pw.pw_gid)
    return path


def client_env(port: int, **extra: str) -> dict:
    env = {"PATH": os.environ["PATH"], "MYSQL_HOST": "127.0.0.1", "MYSQL_PORT": str(port), "MYSQL_USER": "hoist",
           "MYSQL_PWD": ROOT_PASSWORD, "REPLICATION_USER": "replicator", "REPLICATION_PASSWORD": REPL_PASSWORD}
    env.update(extra)
    return env


def sql(port: int, query: str, check: bool = True) -> str:
    out = subprocess.run(["mariadb", "-h", "127.0.0.1", "-P", str(port), "-u", "root", "-N", "-B", "-e", query],
                         env=client_env(port), capture_output=True, text=True, timeout=60)
    if check and out.returncode != 0:
        raise AssertionError(out.stderr)
    return out.stdout.strip() if out.returncode == 0 else "ERROR: " + out.stderr


class Cluster:
    def __init__(self, procs, root: Path, size: int, values: dict | None = None):
        self.procs, self.root = procs, root
        self.ports = [free_port() for _ in range(size)]
        self.members = " ".join(f"127.0.0.1:{p}" for p in self.ports)
        cm = find(documents(render("mysql", values or {})), "ConfigMap", "demo-config")["data"]
        self.cnf = cm["my.cnf"]
        assert "bind-address = 0.0.0.0" in self.cnf
        self.proc: dict[int, subprocess.Popen] = {}

    def start(self, i: int) -> None:
        d = chown_mysql(self.root / f"member{i}")
        run = chown_mysql(d / "run")
        tmp = chown_mysql(d / "tmp")
        (d / "my.cnf").write_text(self.cnf.replace("bind-address = 0.0.0.0", "bind-address = 127.0.0.1")
                                  .replace("tmpdir = /tmp", f"tmpdir = {tmp}"))
        env = client_env(self.ports[i], POD_NAME=f"demo-{i}", HOIST_NAME="demo", MYSQL_DATADIR=str(d / "data"),
                         BASE_CONF=str(d / "my.cnf"), MYSQL_SOCKET=str(run / "mysqld.sock"), SELF_HOST="127.0.0.1",
                         MYSQL_MEMBERS=self.members)
        argv = ["runuser", "-u", "mysql", "--", "env", *[f"{k}={v}" for k, v in env.items()],
                "sh", str(hook("mysql", "mysql-start.sh"))]
        self.proc[i] = self.procs.start(argv, log=d / "server.log")
        log = d / "server.log"
        try:
            wait_for(lambda: "member ready" in log.read_text() or self.proc[i].poll() is not None, timeout=120,
                     what=f"member {i}")
        finally:
            text = log.read_text() if log.exists() else ""
        assert "member ready" in text, text[-3000:]

    def stop(self, i: int) -> None:
        self.procs.stop(self.proc[i], timeout=60)

    def kill(self, i: int) -> None:
        """SIGKILL this member's mariadbd (by the pid it wrote), a crash."""
        for pidfile in (self.root / f"member{i}" / "data").glob("*.pid"):
            os.kill(int(pidfile.read_text().strip()), 9)
        self.proc[i].wait(30)

    def env(self, i: int, **extra: str) -> dict:
        return client_env(self.ports[i], MYSQL_MEMBERS=self.members, **extra)

    def role(self, i: int) -> str:
        return run_hook("mysql", "role-probe.sh", env=self.env(i)).stdout.decode().strip()

    def ready(self, i: int) -> bool:
        return run_hook("mysql", "healthcheck.sh", "ready", env=self.env(i), check=False).returncode == 0


@pytest.fixture
def cluster_factory(procs, myroot):
    def make(size: int, values: dict | None = None) -> Cluster:
        return Cluster(procs, myroot, size, values)
    return make


def three_members(cluster_factory) -> Cluster:
    c = cluster_factory(3)
    for i in range(3):
        c.start(i)
    for i in (1, 2):
        wait_for(lambda i=i: c.ready(i), timeout=60, what=f"member {i} replicating")
    return c


def test_bootstrap_clone_gtid_replication(cluster_factory):
    c = three_members(cluster_factory)
    assert [c.role(i) for i in range(3)] == ["primary", "replica", "replica"]
    sql(c.ports[0], "create database app; create table app.t(id int primary key, v varchar(20));"
                    "insert into app.t values (1, 'replicated')")
    for i in (1, 2):
        wait_for(lambda i=i: sql(c.ports[i], "select v from app.t", check=False) == "replicated", what="replication")
        assert sql(c.ports[i], "select @@read_only") == "1"
        assert "Slave_Pos" in sql(c.ports[i], "show slave status\\G").split("\n")  # Using_Gtid
    assert sql(c.ports[0], "select @@read_only") == "0"
    assert "read-only" in sql(c.ports[1], "insert into app.t values (2, 'x')", check=False).lower()
    assert run_hook("mysql", "pre-upgrade-check.sh", env=c.env(0, HOIST_EXPECTED_REPLICAS="2")).stdout == b"ok\n"
    refused = run_hook("mysql", "pre-upgrade-check.sh", env=c.env(0, HOIST_EXPECTED_REPLICAS="3"), check=False)
    assert refused.returncode == 1 and b"2 of 3 replicas attached" in refused.stdout


def test_reload_dynamic_variables(cluster_factory):
    c = cluster_factory(1, {"hoist": {"config": {"max_connections": 77, "slow_query_log": False}}})
    c.start(0)
    p = c.ports[0]
    assert sql(p, "select @@max_connections, @@slow_query_log") == "77\t0"
    out = run_hook("mysql", "reload.sh", "max_connections=250", "slow_query_log=true", "long_query_time=0.5",
                   "sql_mode=STRICT_TRANS_TABLES,NO_ZERO_DATE", "innodb_buffer_pool_size=268435456", env=c.env(0))
    assert out.stdout == b"reloaded\n"
    assert sql(p, "select @@max_connections, @@slow_query_log, @@long_query_time") == "250\t1\t0.500000"
    assert sql(p, "select @@sql_mode") == "STRICT_TRANS_TABLES,NO_ZERO_DATE"
    assert sql(p, "select @@innodb_buffer_pool_size") == "268435456"
    static = run_hook("mysql", "reload.sh", "lower_case_table_names=1", env=c.env(0), check=False)
    assert static.returncode != 0 and b"read only" in static.stderr.lower()
    assert run_hook("mysql", "reload.sh", "max_connections=lots", env=c.env(0), check=False).returncode != 0
    assert sql(p, "select @@max_connections") == "250"


def test_switchover_fences_and_reattaches_old_primary(cluster_factory):
    c = three_members(cluster_factory)
    sql(c.ports[0], "create database app; create table app.t(id int primary key);"
                    "insert into app.t select seq from app.seq_1_to_1000")
    out = run_hook("mysql", "failover.sh", env=c.env(1, HOIST_PARAM_CANDIDATE=f"127.0.0.1:{c.ports[2]}"))
    assert out.stdout.decode().strip() == f"127.0.0.1:{c.ports[2]}"
    assert c.role(2) == "primary" and sql(c.ports[2], "select @@read_only") == "0"
    assert sql(c.ports[2], "select count(*) from app.t") == "1000"
    sql(c.ports[2], "insert into app.t values (1001)")
    for i in (0, 1):
        wait_for(lambda i=i: sql(c.ports[i], "select max(id) from app.t") == "1001", timeout=60,
                 what=f"member {i} following the new primary")
        assert c.role(i) == "replica" and c.ready(i)
    assert "read-only" in sql(c.ports[0], "insert into app.t values (5000)", check=False).lower()
    # a restart keeps every member in its role
    c.stop(1)
    c.start(1)
    wait_for(lambda: c.ready(1), timeout=60, what="member 1 back")
    assert c.role(1) == "replica"


def test_unplanned_failover_and_return_of_the_old_primary(cluster_factory):
    c = three_members(cluster_factory)
    sql(c.ports[0], "create database app; create table app.t(id int primary key); insert into app.t values (1)")
    for i in (1, 2):
        wait_for(lambda i=i: sql(c.ports[i], "select count(*) from app.t", check=False) == "1", what="replication")
    c.kill(0)
    new = run_hook("mysql", "failover.sh", env=c.env(1)).stdout.decode().strip()
    new_i = c.ports.index(int(new.split(":")[1]))
    other = 3 - new_i
    assert c.role(new_i) == "primary"
    sql(c.ports[new_i], "insert into app.t values (2)")
    wait_for(lambda: sql(c.ports[other], "select count(*) from app.t") == "2", timeout=60, what="other follows")
    # the crashed primary restarts read-only and joins the new primary
    c.start(0)
    wait_for(lambda: c.ready(0), timeout=60, what="old primary rejoining")
    assert c.role(0) == "replica"
    wait_for(lambda: sql(c.ports[0], "select count(*) from app.t") == "2", what="old primary catching up")


def test_backup_and_restore(cluster_factory, myroot):
    c = three_members(cluster_factory)
    p = c.ports[0]
    sql(p, "create database shop; create table shop.orders(id int primary key, item varchar(50), price decimal(8,2));"
           "insert into shop.orders values (1, 'caf\u00e9', 3.50), (2, 'tea', 2.00);"
           "create database crm; create table crm.people(id int primary key, name text); insert into crm.people values (7, 'Ann');"
           "create user app@'%' identified by 'x'")
    backups = myroot / "backups"
    backups.mkdir()
    out = run_hook("mysql", "backup.sh", env=c.env(0, HOIST_BACKUP_DIR=str(backups), HOIST_PARAM_BACKUPNAME="b1"))
    assert out.stdout == b"b1\n"
    meta = json.loads((backups / "b1" / "backup.json").read_text())
    assert meta["databases"].split() == ["crm", "shop"] and meta["gtid"].startswith("0-1-")

    sql(p, "update shop.orders set price = 0; drop database crm; create database junk")
    out = run_hook("mysql", "restore.sh", env=c.env(0, HOIST_BACKUP_DIR=str(backups), HOIST_PARAM_BACKUPNAME="b1"))
    assert out.stdout == b"restored b1\n"
    want = "1\tcaf\u00e9\t3.50\n2\ttea\t2.00"
    assert sql(p, "select * from shop.orders order by id") == want
    assert sql(p, "select name from crm.people") == "Ann"
    assert "junk" not in sql(p, "show databases").split()
    # replicas got it through replication; accounts were left alone
    for i in (1, 2):
        wait_for(lambda i=i: sql(c.ports[i], "select * from shop.orders order by id", check=False) == want,
                 what=f"replica {i} restored")
    assert sql(p, "select count(*) from mysql.user where user = 'app'") == "1"
    # restore refuses a replica target and a corrupt archive
    assert run_hook("mysql", "restore.sh", env=c.env(1, HOIST_BACKUP_DIR=str(backups), HOIST_PARAM_BACKUPNAME="b1"),
                    check=False).returncode != 0
    dump = backups / "b1" / "dump.sql.gz"
    dump.write_bytes(dump.read_bytes()[:-8] + b"garbage!")
    bad = run_hook("mysql", "restore.sh", env=c.env(0, HOIST_BACKUP_DIR=str(backups), HOIST_PARAM_BACKUPNAME="b1"),
                   check=False)
    assert bad.returncode != 0 and b"checksums" in bad.stderr
