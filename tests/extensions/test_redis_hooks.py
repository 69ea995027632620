"""The redis chart's hook and start scripts against real redis-server and
redis-sentinel processes (Debian packages) on loopback."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import documents, find, free_port, need, render, run_hook, wait_for, hook

PASSWORD = "s3cret-pw"


def cli(port: int, *args: str, password: str | None = PASSWORD) -> str:
    env = dict(os.environ)
    if password:
        env["REDISCLI_AUTH"] = password
    out = subprocess.run(["redis-cli", "--no-auth-warning", "-h", "127.0.0.1", "-p", str(port), *args],
                         capture_output=True, env=env, timeout=30, check=True)
    return out.stdout.decode().rstrip("\n")


def rendered_redis_conf(tmp: Path, config: dict, extra: dict | None = None) -> Path:
    """redis.conf as the chart renders it, with the data dir and bind address
    moved to the test's temporary directory and loopback."""
    values = {"hoist": {"config": config}}
    values.update(extra or {})
    cm = find(documents(render("redis", values)), "ConfigMap", "demo-config")
    text = cm["data"]["redis.conf"]
    assert "bind * -::*" in text and "dir /data" in text
    text = text.replace("bind * -::*", "bind 127.0.0.1").replace("dir /data", f"dir {tmp}")
    path = tmp / "redis.conf"
    path.write_text(text)
    return path


def start_with_chart_script(procs, tmp: Path, config: dict, **env_extra) -> int:
    """Start redis-server through the chart's redis-start.sh."""
    need("redis-server", "redis-cli")
    port = free_port()
    run = tmp / "run"
    run.mkdir(exist_ok=True)
    conf = rendered_redis_conf(tmp, config)
    env = {"PATH": os.environ["PATH"], "POD_NAME": "demo-0", "HEADLESS_SERVICE": "demo-headless",
           "POD_NAMESPACE": "apps", "HOIST_NAME": "demo", "REDIS_PASSWORD": PASSWORD, "REDIS_PORT": str(port),
           "RUN_DIR": str(run), "BASE_CONF": str(conf), "REDIS_TOPOLOGY": "standalone"}
    env.update(env_extra)
    procs.start(["sh", str(hook("redis", "redis-start.sh"))], env=env, log=tmp / "redis.log")
    wait_for(lambda: cli(port, "PING") == "PONG", what=f"redis on {port}")
    return port


def start_plain(procs, tmp: Path, *args: str, password: str = PASSWORD) -> int:
    need("redis-server")
    port = free_port()
    d = tmp / f"redis-{port}"
    d.mkdir()
    procs.start(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(d),
                 "--requirepass", password, "--masterauth", password, "--save", "", *args],
                log=d / "log")
    wait_for(lambda: cli(port, "PING", password=password) == "PONG", what=f"redis on {port}")
    return port


def env_for(port: int, **extra: str) -> dict:
    env = {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(port), "REDIS_PASSWORD": PASSWORD}
    env.update(extra)
    return env


def test_rendered_config_runs_and_requires_auth(procs, tmp_path):
    config = {"maxmemory": "64mb", "maxmemory-policy": "allkeys-lru", "timeout": 300, "appendonly": True,
              "save": "900 1 300 10", "databases": 4, "notify-keyspace-events": "Ex"}
    port = start_with_chart_script(procs, tmp_path, config)
    assert cli(port, "CONFIG", "GET", "maxmemory").split("\n")[1] == str(64 * 1024 * 1024)
    assert cli(port, "CONFIG", "GET", "maxmemory-policy").split("\n")[1] == "allkeys-lru"
    assert cli(port, "CONFIG", "GET", "timeout").split("\n")[1] == "300"
    assert cli(port, "CONFIG", "GET", "appendonly").split("\n")[1] == "yes"
    assert cli(port, "CONFIG", "GET", "save").split("\n")[1] == "900 1 300 10"
    assert cli(port, "CONFIG", "GET", "databases").split("\n")[1] == "4"
    assert set(cli(port, "CONFIG", "GET", "notify-keyspace-events").split("\n")[1]) == set("xE")
    assert cli(port, "PING", password=None).startswith("NOAUTH")
    # the password is in the runtime config file, which is private
    assert (tmp_path / "run" / "redis.conf").stat().st_mode & 0o077 == 0


def test_healthcheck_and_role_probe(procs, tmp_path):
    primary = start_plain(procs, tmp_path)
    replica = start_plain(procs, tmp_path, "--replicaof", "127.0.0.1", str(primary))
    wait_for(lambda: "master_link_status:up" in cli(replica, "INFO", "replication"), what="replication link")
    assert run_hook("redis", "role-probe.sh", env=env_for(primary)).stdout.decode() == "primary\n"
    assert run_hook("redis", "role-probe.sh", env=env_for(replica)).stdout.decode() == "replica\n"
    run_hook("redis", "healthcheck.sh", "ready", env=env_for(replica))
    run_hook("redis", "healthcheck.sh", env=env_for(primary))
    # a replica whose primary is gone is alive but not ready
    cli(primary, "SHUTDOWN", "NOSAVE", password=PASSWORD) if False else None
    procs.stop(procs.procs[0])
    wait_for(lambda: "master_link_status:down" in cli(replica, "INFO", "replication"), what="link down")
    assert run_hook("redis", "healthcheck.sh", "ready", env=env_for(replica), check=False).returncode != 0
    run_hook("redis", "healthcheck.sh", env=env_for(replica))
    assert run_hook("redis", "role-probe.sh", env=env_for(primary), check=False).returncode != 0


def test_reload_applies_dynamic_parameters(procs, tmp_path):
    port = start_with_chart_script(procs, tmp_path, {"maxmemory-policy": "noeviction", "timeout": 0})
    out = run_hook("redis", "reload.sh", "maxmemory-policy=allkeys-lfu", "timeout=120", "appendonly=true",
                   "maxmemory=32mb", "save=60 1000", env=env_for(port))
    assert out.stdout.decode().strip() == "reloaded"
    assert cli(port, "CONFIG", "GET", "maxmemory-policy").split("\n")[1] == "allkeys-lfu"
    assert cli(port, "CONFIG", "GET", "timeout").split("\n")[1] == "120"
    assert cli(port, "CONFIG", "GET", "appendonly").split("\n")[1] == "yes"
    assert cli(port, "CONFIG", "GET", "maxmemory").split("\n")[1] == str(32 * 1024 * 1024)
    assert cli(port, "CONFIG", "GET", "save").split("\n")[1] == "60 1000"
    bad = run_hook("redis", "reload.sh", "maxmemory-policy=sometimes", env=env_for(port), check=False)
    assert bad.returncode != 0
    assert cli(port, "CONFIG", "GET", "maxmemory-policy").split("\n")[1] == "allkeys-lfu"
    assert run_hook("redis", "reload.sh", "no-equals-sign", env=env_for(port), check=False).returncode != 0


def populate(port: int) -> None:
    cli(port, "SET", "plain", "value with spaces")
    cli(port, "SET", "bin:\u00e9", "caf\u00e9")
    cli(port, "HSET", "hash", "a", "1", "b", "2")
    cli(port, "RPUSH", "list", "x", "y", "z")
    cli(port, "SADD", "set", "m1", "m2")
    cli(port, "ZADD", "zset", "1", "one", "2", "two")
    cli(port, "XADD", "stream", "1-1", "f", "v")
    cli(port, "SET", "ttl", "soon", "EX", "5000")
    for i in range(1200):  # more than one MIGRATE batch
        cli(port, "SET", f"k{i}", str(i)) if i % 400 == 0 else None
    cli(port, "EVAL", "for i=1,1200 do redis.call('SET','bulk:'..i,i) end", "0")
    cli(port, "-n", "3", "SET", "in-db3", "yes")


def snapshot(port: int) -> dict:
    """Every key of every database with its type and value."""
    state = {}
    for db in range(16):
        for key in cli(port, "-n", str(db), "--scan").split("\n"):
            if not key:
                continue
            t = cli(port, "-n", str(db), "TYPE", key)
            if t == "string":
                v = cli(port, "-n", str(db), "GET", key)
            elif t == "hash":
                v = cli(port, "-n", str(db), "HGETALL", key)
            elif t == "list":
                v = cli(port, "-n", str(db), "LRANGE", key, "0", "-1")
            elif t == "set":
                v = sorted(cli(port, "-n", str(db), "SMEMBERS", key).split("\n"))
            elif t == "zset":
                v = cli(port, "-n", str(db), "ZRANGE", key, "0", "-1", "WITHSCORES")
            else:
                v = cli(port, "-n", str(db), "XRANGE", key, "-", "+")
            state[(db, key)] = (t, v)
    return state


def test_backup_and_restore_into_fresh_server(procs, tmp_path):
    need("redis-server", "redis-cli", "sha256sum")
    source = start_plain(procs, tmp_path)
    populate(source)
    want = snapshot(source)
    assert len(want) > 1200
    backups = tmp_path / "backups"
    backups.mkdir()

    out = run_hook("redis", "backup.sh", env=env_for(source, HOIST_BACKUP_DIR=str(backups),
                                                  HOIST_PARAM_BACKUPNAME="b1"))
    assert out.stdout.decode().strip() == "b1"
    meta = json.loads((backups / "b1" / "backup.json").read_text())
    assert meta["engine"] == "redis" and meta["kind"] == "full" and meta["db0Keys"] == sum(1 for k in want if k[0] == 0)
    assert meta["files"]["dump.rdb"]["size"] == (backups / "b1" / "dump.rdb").stat().st_size
    # a second backup of the same name is refused, nothing half-written is left
    assert run_hook("redis", "backup.sh", env=env_for(source, HOIST_BACKUP_DIR=str(backups),
                                                     HOIST_PARAM_BACKUPNAME="b1"), check=False).returncode != 0
    assert sorted(p.name for p in backups.iterdir()) == ["b1"]

    # fresh target with a replica: the restore must reach both
    target = start_plain(procs, tmp_path)
    replica = start_plain(procs, tmp_path, "--replicaof", "127.0.0.1", str(target))
    cli(target, "SET", "stale", "must go")
    out = run_hook("redis", "restore.sh", env=env_for(target, HOIST_BACKUP_DIR=str(backups),
                                                     HOIST_PARAM_BACKUPNAME="b1", SCRATCH_DIR=str(tmp_path),
                                                     SCRATCH_PORT=str(free_port())))
    assert out.stdout.decode().strip() == f"restored {len(want)} keys from b1"
    assert snapshot(target) == want
    ttl = int(cli(target, "TTL", "ttl"))
    assert 4000 < ttl <= 5000
    wait_for(lambda: snapshot(replica) == want, timeout=30, what="replica to follow the restore")
    # the scratch server is gone
    assert not any(p.name.startswith("restore.") for p in tmp_path.iterdir())


def test_restore_refuses_corrupt_backup(procs, tmp_path):
    source = start_plain(procs, tmp_path)
    cli(source, "SET", "a", "1")
    backups = tmp_path / "backups"
    backups.mkdir()
    run_hook("redis", "backup.sh", env=env_for(source, HOIST_BACKUP_DIR=str(backups), HOIST_PARAM_BACKUPNAME="b"))
    rdb = backups / "b" / "dump.rdb"
    data = bytearray(rdb.read_bytes())
    data[-12] ^= 0xFF
    rdb.write_bytes(bytes(data))
    cli(source, "SET", "keep", "me")
    out = run_hook("redis", "restore.sh", env=env_for(source, HOIST_BACKUP_DIR=str(backups),
                                                     HOIST_PARAM_BACKUPNAME="b", SCRATCH_DIR=str(tmp_path)),
                   check=False)
    assert out.returncode != 0 and b"sha256" in out.stderr
    assert cli(source, "GET", "keep") == "me"


def test_backup_retention(procs, tmp_path):
    source = start_plain(procs, tmp_path)
    cli(source, "SET", "a", "1")
    backups = tmp_path / "backups"
    backups.mkdir()
    for name in ["one", "two", "three"]:
        run_hook("redis", "backup.sh", env=env_for(source, HOIST_BACKUP_DIR=str(backups),
                                                  HOIST_PARAM_BACKUPNAME=name, HOIST_BACKUP_RETENTION="2"))
        os.utime(backups / name, (1_700_000_000 + len(list(backups.iterdir())),) * 2)
    assert sorted(p.name for p in backups.iterdir()) == ["three", "two"]


def test_pre_upgrade_check_and_pre_terminate(procs, tmp_path):
    primary = start_plain(procs, tmp_path)
    replica = start_plain(procs, tmp_path, "--replicaof", "127.0.0.1", str(primary))
    wait_for(lambda: "master_link_status:up" in cli(replica, "INFO", "replication"), what="link")
    assert run_hook("redis", "pre-upgrade-check.sh", env=env_for(primary, HOIST_EXPECTED_REPLICAS="1")).stdout == b"ok\n"
    refused = run_hook("redis", "pre-upgrade-check.sh", env=env_for(primary, HOIST_EXPECTED_REPLICAS="2"), check=False)
    assert refused.returncode == 1 and b"1 of 2 replicas connected" in refused.stdout

    cli(primary, "SET", "durable", "yes")
    run_hook("redis", "pre-terminate.sh", env=env_for(primary))
    dump = tmp_path / f"redis-{primary}" / "dump.rdb"
    assert dump.exists() and b"durable" in dump.read_bytes()


class Sentinels:
    """One primary, two replicas and three Sentinels, all on loopback."""

    def __init__(self, procs, tmp: Path):
        need("redis-server", "redis-sentinel")
        self.primary = start_plain(procs, tmp)
        self.replicas = [start_plain(procs, tmp, "--replicaof", "127.0.0.1", str(self.primary)) for _ in range(2)]
        self.sentinels = []
        for i in range(3):
            port = free_port()
            conf = tmp / f"sentinel-{i}.conf"
            conf.write_text(
                f"port {port}\nbind 127.0.0.1\ndir {tmp}\n"
                f"sentinel monitor mymaster 127.0.0.1 {self.primary} 2\n"
                f"sentinel auth-pass mymaster {PASSWORD}\n"
                "sentinel down-after-milliseconds mymaster 2000\n"
                "sentinel failover-timeout mymaster 10000\n")
            procs.start(["redis-sentinel", str(conf)], log=tmp / f"sentinel-{i}.log")
            self.sentinels.append(port)
        for s in self.sentinels:
            wait_for(lambda s=s: cli(s, "SENTINEL", "replicas", "mymaster", password=None).count("ip") >= 2
                     and int(self.sentinel_info(s)["num-other-sentinels"]) == 2,
                     timeout=40, what=f"sentinel {s} to discover the set")

    def sentinel_info(self, port: int) -> dict:
        flat = cli(port, "SENTINEL", "master", "mymaster", password=None).split("\n")
        return dict(zip(flat[0::2], flat[1::2]))

    def primary_port(self) -> int:
        return int(cli(self.sentinels[0], "SENTINEL", "get-master-addr-by-name", "mymaster", password=None)
                   .split("\n")[1])

    def env(self, **extra: str) -> dict:
        env = {"SENTINEL_HOST": "127.0.0.1", "SENTINEL_PORT": str(self.sentinels[0]),
               "REDIS_PASSWORD": PASSWORD, "SENTINEL_MASTER_SET": "mymaster", "HOIST_FAILOVER_TIMEOUT": "60"}
        env.update(extra)
        return env


def test_sentinel_failover_to_candidate(procs, tmp_path):
    s = Sentinels(procs, tmp_path)
    cli(s.primary, "SET", "before", "failover")
    candidate = s.replicas[1]
    other = s.replicas[0]
    before_prio = cli(other, "CONFIG", "GET", "replica-priority").split("\n")[1]
    out = run_hook("redis", "failover.sh", env=s.env(HOIST_PARAM_CANDIDATE=f"127.0.0.1:{candidate}"), timeout=120)
    assert out.stdout.decode().strip() == f"127.0.0.1 {candidate}"
    assert s.primary_port() == candidate
    assert run_hook("redis", "role-probe.sh", env=env_for(candidate)).stdout == b"primary\n"
    # priorities are restored, the data survived, the old primary follows
    assert cli(other, "CONFIG", "GET", "replica-priority").split("\n")[1] == before_prio
    assert cli(candidate, "GET", "before") == "failover"
    wait_for(lambda: run_hook("redis", "role-probe.sh", env=env_for(s.primary)).stdout == b"replica\n",
             timeout=30, what="old primary to become a replica")
    # an unknown candidate is refused before anything changes
    bad = run_hook("redis", "failover.sh", env=s.env(HOIST_PARAM_CANDIDATE="127.0.0.1:1"), check=False)
    assert bad.returncode != 0 and s.primary_port() == candidate


def test_member_leave_moves_the_primary_away(procs, tmp_path):
    s = Sentinels(procs, tmp_path)
    leaving = f"127.0.0.1:{s.primary}"
    run_hook("redis", "member-leave.sh", env=s.env(HOIST_PARAM_MEMBER=leaving, HOIST_HOOK_PHASE="before"),
             timeout=120)
    assert s.primary_port() != s.primary
    assert cli(s.primary, "CONFIG", "GET", "replica-priority").split("\n")[1] == "0"
    run_hook("redis", "member-leave.sh", env=s.env(HOIST_PARAM_MEMBER=leaving, HOIST_HOOK_PHASE="after"))


def test_start_script_joins_the_primary_sentinel_reports(procs, tmp_path):
    """redis-start.sh in replication mode asks the Sentinel service for the
    primary instead of assuming ordinal 0 (which may have been failed over)."""
    s = Sentinels(procs, tmp_path)
    run_hook("redis", "failover.sh", env=s.env(HOIST_PARAM_CANDIDATE=f"127.0.0.1:{s.replicas[0]}"), timeout=120)
    newcomer_dir = tmp_path / "newcomer"
    newcomer_dir.mkdir()
    port = start_with_chart_script(procs, newcomer_dir, {}, REDIS_TOPOLOGY="replication",
                                   SENTINEL_SERVICE="127.0.0.1", SENTINEL_SERVICE_PORT=str(s.sentinels[1]),
                                   SENTINEL_MASTER_SET="mymaster", SELF_HOST="127.0.0.1")
    info = cli(port, "INFO", "replication")
    assert "role:slave" in info and f"master_port:{s.replicas[0]}" in info
