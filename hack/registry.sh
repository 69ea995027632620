#!/usr/bin/env bash
# A throw-away OCI registry for tests and local publishing: Debian's `docker-registry` (distribution 2.8)
# on a free loopback port, plain HTTP, no auth, storage in a state directory.
#
#   hack/registry.sh start [STATE_DIR]   starts one, prints HOST:PORT (e.g. 127.0.0.1:40123)
#   hack/registry.sh stop  [STATE_DIR]   stops it and removes STATE_DIR
#   hack/registry.sh host  [STATE_DIR]   prints HOST:PORT of a running one
#
# STATE_DIR defaults to $HOIST_REGISTRY_DIR or /tmp/hoist-registry. It holds config.yml, the pid,
# the address, the log and the blob storage (storage/), which tests may corrupt on purpose.
# Push with `helm push … --plain-http` or `hoist extension push … --plain-http`.
set -euo pipefail

cmd="${1:-}"
dir="${2:-${HOIST_REGISTRY_DIR:-/tmp/hoist-registry}}"
bin="${DOCKER_REGISTRY:-docker-registry}"

running() {
    [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null
}

free_port() {
    # Bind port 0 and report what the kernel chose; the tiny race with the registry's own bind is retried.
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start() {
    if running; then
        cat "$dir/address"
        return 0
    fi
    command -v "$bin" >/dev/null || { echo "registry.sh: $bin not found (apt-get install docker-registry)" >&2; exit 1; }
    mkdir -p "$dir/storage"
    local attempt port
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        cat >"$dir/config.yml" <<CFG
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
CFG
        "$bin" serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
        echo $! >"$dir/pid"
        echo "127.0.0.1:$port" >"$dir/address"
        local i
        for i in $(seq 1 100); do
            if curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; then
                echo "127.0.0.1:$port"
                return 0
            fi
            running || break
            sleep 0.05
        done
        kill "$(cat "$dir/pid")" 2>/dev/null || true
        rm -f "$dir/pid"
    done
    echo "registry.sh: registry did not start; log:" >&2
    cat "$dir/registry.log" >&2 || true
    exit 1
}

stop() {
    if running; then
        local pid
        pid="$(cat "$dir/pid")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}

case "$cmd" in
    start) start ;;
    stop) stop ;;
    host)
        running || { echo "registry.sh: no registry running in $dir" >&2; exit 1; }
        cat "$dir/address"
        ;;
    *)
        echo "usage: $0 start|stop|host [STATE_DIR]" >&2
        exit 2
        ;;
esac
