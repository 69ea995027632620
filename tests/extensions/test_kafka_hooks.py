"""The kafka chart's hook scripts.

No real broker here: Debian packages no Kafka broker and the Java artifact
repositories are not reachable from these machines, so the scripts cannot run
against a real engine (KRaft behaviour is left to the e2e suite on a cluster).
These tests check the scripts' own logic against recording stand-ins of
Kafka's command-line tools whose output has the shape Kafka 3.8 prints:
which brokers a reassignment targets, that the proposed plan is extracted and
executed, that the hook waits for the reassignment to finish, how dynamic
configs are passed and verified."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import run_hook

TOOLS = {
    "kafka-broker-api-versions": r'''
for id in $BROKERS; do
  echo "demo-$id.demo-headless.apps.svc:9092 (id: $id rack: null) -> ("
  echo "	Produce(0): 0 to 10 [usable: 10],"
  echo ")"
done''',
    "kafka-topics": r'''
case "$*" in
  *--list*) printf '%s\n' $TOPICS ;;
  *--under-replicated-partitions*) printf '%s' "${UNDER:-}" ;;
  *--unavailable-partitions*) : ;;
esac''',
    "kafka-reassign-partitions": r'''
echo "$*" >>"$CALLS"
case "$*" in
  *--generate*)
    cp "$(printf '%s\n' "$@" | sed -n '/--topics-to-move-json-file/{n;p;}')" "$STATE/topics.json"
    echo "Current partition replica assignment"
    echo '{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[0,1,2],"log_dirs":["any","any","any"]}]}'
    echo
    echo "Proposed partition reassignment configuration"
    echo '{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[1,2,3],"log_dirs":["any","any","any"]}]}'
    ;;
  *--execute*) echo "Successfully started partition reassignment for orders-0" ;;
  *--verify*)
    n=$(cat "$STATE/verifies" 2>/dev/null || echo 0)
    echo $((n + 1)) >"$STATE/verifies"
    if [ "$n" -lt 2 ]; then
      echo "Reassignment of partition orders-0 is still in progress."
    else
      echo "Reassignment of partition orders-0 is completed."
      echo "Clearing broker-level throttles on brokers 0,1,2,3"
    fi
    ;;
esac''',
    "kafka-configs": r'''
echo "$*" >>"$CALLS"
case "$*" in
  *--alter*) echo "Completed updating default config for brokers in the cluster." ;;
  *--describe*)
    echo "Default configs for brokers in the cluster are:"
    cat "$STATE/describe" 2>/dev/null || true
    ;;
esac''',
}


@pytest.fixture
def kafka_home(tmp_path):
    home = tmp_path / "kafka"
    (home / "bin").mkdir(parents=True)
    for name, body in TOOLS.items():
        f = home / "bin" / f"{name}.sh"
        f.write_text("#!/bin/sh\n" + body.strip() + "\n")
        f.chmod(f.stat().st_mode | stat.S_IXUSR)
    state = tmp_path / "state"
    state.mkdir()
    return home, state


def env_for(kafka_home, **extra) -> dict:
    home, state = kafka_home
    env = {"KAFKA_HOME": str(home), "KAFKA_CLIENT_CONFIG": "/dev/null", "CALLS": str(state / "calls"),
           "STATE": str(state), "BROKERS": "0 1 2 3", "TOPICS": "orders payments", "HOIST_REASSIGN_POLLS": "10",
           "HOIST_REASSIGN_INTERVAL": "0.1"}
    env.update(extra)
    return env


def test_member_leave_moves_partitions_off_the_leaving_broker(kafka_home):
    env = env_for(kafka_home, HOIST_OP="memberLeave", HOIST_PARAM_MEMBER="demo-3")
    out = run_hook("kafka", "reassign.sh", env=env, timeout=60)
    assert out.stdout == b"reassigned onto 0,1,2\n"
    calls = Path(env["CALLS"]).read_text().splitlines()
    assert "--broker-list 0,1,2 --generate" in calls[0]
    assert "--execute" in calls[1] and "--throttle 50000000" in calls[1]
    assert sum("--verify" in c for c in calls) == 3
    assert (Path(env["STATE"]) / "topics.json").read_text() == \
        '{"version":1,"topics":[{"topic":"orders"},{"topic":"payments"}]}\n'


def test_member_join_spreads_over_every_broker(kafka_home):
    env = env_for(kafka_home, HOIST_OP="memberJoin")
    assert run_hook("kafka", "reassign.sh", env=env, timeout=60).stdout == b"reassigned onto 0,1,2,3\n"


def test_reassignment_that_never_finishes_fails(kafka_home):
    env = env_for(kafka_home, HOIST_OP="memberJoin", HOIST_REASSIGN_POLLS="1")
    out = run_hook("kafka", "reassign.sh", env=env, check=False, timeout=60)
    assert out.returncode != 0 and b"still running" in out.stderr


def test_reload_brackets_lists_and_verifies(kafka_home):
    env = env_for(kafka_home)
    state = Path(env["STATE"])
    (state / "describe").write_text(
        "  log.retention.hours=72 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.hours=72}\n"
        "  compression.type=zstd sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:compression.type=zstd}\n")
    out = run_hook("kafka", "reload.sh", "log.retention.hours=72", "compression.type=zstd", env=env)
    assert out.stdout == b"reloaded\n"
    alter = Path(env["CALLS"]).read_text().splitlines()[0]
    assert "--entity-default --alter --add-config log.retention.hours=72,compression.type=zstd" in alter
    # a value the cluster did not take fails the hook
    bad = run_hook("kafka", "reload.sh", "min.insync.replicas=2", env=env, check=False)
    assert bad.returncode != 0 and b"min.insync.replicas is not 2" in bad.stderr
    run_hook("kafka", "reload.sh", "x=a,b", env=env, check=False)
    assert "--add-config x=[a,b]" in Path(env["CALLS"]).read_text().splitlines()[-2]


def test_pre_upgrade_check_refuses_under_replication(kafka_home):
    assert run_hook("kafka", "pre-upgrade-check.sh", env=env_for(kafka_home)).stdout == b"ok\n"
    out = run_hook("kafka", "pre-upgrade-check.sh", env=env_for(kafka_home, UNDER="orders 0\norders 1\n"), check=False)
    assert out.returncode == 1 and out.stdout == b"not ready for upgrade: 2 under-replicated partitions\n"
