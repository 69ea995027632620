#!/bin/sh
# Engines for tests/extensions: the Debian packages come from
# hack/apt-packages.txt; this checks they are usable and installs pytest's
# Python dependencies. Service units are never started: the tests run their
# own servers on loopback ports.
set -eu

for bin in redis-server redis-sentinel redis-cli shellcheck mariadbd mariadb-install-db mariadb-dump; do
  command -v "$bin" >/dev/null 2>&1 || {
    echo "50-engines: $bin missing (see hack/apt-packages.txt)" >&2
    exit 1
  }
done
pg_bin=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -1)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "50-engines: PostgreSQL server binaries missing" >&2
  exit 1
fi
# Debian starts packaged services where it can; make sure none is left
# holding the default ports the tests avoid anyway.
for svc in redis-server redis-sentinel mariadb postgresql; do
  if command -v service >/dev/null 2>&1; then
    service "$svc" stop >/dev/null 2>&1 || true
  fi
done
python3 -m pip install --quiet 'pytest>=8' 'jsonschema>=4.18' 'PyYAML>=6' || {
  echo "50-engines: pip install failed" >&2
  exit 1
}
