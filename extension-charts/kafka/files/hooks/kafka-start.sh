#!/bin/sh
# Container entrypoint: writes server.properties for this node (node.id from
# the ordinal; controller+broker for the first $KRAFT_CONTROLLERS ordinals,
# broker only above), PEM key material for TLS, a client config for the
# hooks, formats the log directory once (cluster id from the Secret) and
# execs the broker.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

home=${KAFKA_HOME:-/opt/kafka}
run=${RUN_DIR:-/run/hoist}
data=${KAFKA_DATA:-/var/lib/kafka/data}
ordinal=${POD_NAME##*-}
controllers=${KRAFT_CONTROLLERS:-3}
domain=$HEADLESS_SERVICE.$POD_NAMESPACE.svc
self=$POD_NAME.$domain
tls=${KAFKA_TLS:-false}
proto=PLAINTEXT
[ "$tls" = true ] && proto=SSL

voters=""
i=0
while [ "$i" -lt "$controllers" ]; do
  voters="$voters${voters:+,}$i@$HOIST_NAME-$i.$domain:9093"
  i=$((i + 1))
done

umask 077
conf=$run/server.properties
{
  cat "${BASE_CONF:-/etc/hoist/config/server.properties}"
  echo "node.id=$ordinal"
  if [ "$ordinal" -lt "$controllers" ]; then
    echo "process.roles=broker,controller"
    echo "listeners=CLIENT://:9092,INTERNAL://:9094,CONTROLLER://:9093"
  else
    echo "process.roles=broker"
    echo "listeners=CLIENT://:9092,INTERNAL://:9094"
  fi
  echo "advertised.listeners=CLIENT://$self:9092,INTERNAL://$self:9094"
  echo "listener.security.protocol.map=CLIENT:$proto,INTERNAL:$proto,CONTROLLER:PLAINTEXT"
  echo "inter.broker.listener.name=INTERNAL"
  echo "controller.listener.names=CONTROLLER"
  echo "controller.quorum.voters=$voters"
  echo "log.dirs=$data"
} >"$conf"

client=$run/client.properties
: >"$client"
if [ "$tls" = true ]; then
  tls_dir=${HOIST_TLS_DIR:-/etc/hoist/tls}
  # Kafka's PEM keystore wants the key and its chain in one file
  cat "$tls_dir/tls.key" "$tls_dir/tls.crt" >"$run/keystore.pem"
  {
    echo "ssl.keystore.type=PEM"
    echo "ssl.keystore.location=$run/keystore.pem"
    echo "ssl.truststore.type=PEM"
    echo "ssl.truststore.location=$tls_dir/ca.crt"
    echo "ssl.client.auth=requested"
  } >>"$conf"
  {
    echo "security.protocol=SSL"
    echo "ssl.truststore.type=PEM"
    echo "ssl.truststore.location=$tls_dir/ca.crt"
    # hooks talk to localhost, which is not in the certificate
    echo "ssl.endpoint.identification.algorithm="
  } >"$client"
fi

"$home/bin/kafka-storage.sh" format --ignore-formatted -t "${KAFKA_CLUSTER_ID:?KAFKA_CLUSTER_ID is required}" -c "$conf" >&2
exec "$home/bin/kafka-server-start.sh" "$conf"
