#!/bin/sh
# One-shot (redis-cluster-init in docker-compose.yml): makes the six nodes one Redis Cluster of three masters with a
# replica each, then waits until every node serves all slots. A no-op when they already form a cluster.
set -eu

NODES="${CLUSTER_NODES:-redis-node-1 redis-node-2 redis-node-3 redis-node-4 redis-node-5 redis-node-6}"
PORT="${CLUSTER_PORT:-6379}"
WAIT_SECONDS="${CLUSTER_WAIT_SECONDS:-60}"

# A field of CLUSTER INFO (its lines end in \r\n), empty when the node does not answer.
info_field() {
  redis-cli -h "$1" -p "$PORT" cluster info 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"
}

# Every node answers PING (compose starts this after their health checks; this covers a manual run too).
for node in $NODES; do
  tries=0
  until [ "$(redis-cli -h "$node" -p "$PORT" ping 2>/dev/null)" = PONG ]; do
    tries=$((tries + 1))
    if [ "$tries" -ge "$WAIT_SECONDS" ]; then
      echo "redis-cluster-init: $node:$PORT does not answer PING" >&2
      exit 1
    fi
    sleep 1
  done
done

# Nodes that already know others were joined before: never create again (redis-cli would refuse non-empty nodes).
formed=no
for node in $NODES; do
  if [ "$(info_field "$node" cluster_known_nodes)" != 1 ]; then formed=yes; fi
done

if [ "$formed" = no ]; then
  # By IP: CLUSTER MEET takes only IPs (redis-cli 7 resolves names itself; this does not depend on it).
  addresses=""
  for node in $NODES; do
    ip="$(getent hosts "$node" | awk '{ print $1; exit }')"
    addresses="$addresses ${ip:-$node}:$PORT"
  done
  echo "redis-cluster-init: creating the cluster of$addresses"
  # Bounded: redis-cli waits for the nodes to agree with no limit of its own.
  # shellcheck disable=SC2086 # one argument per address
  timeout "$((WAIT_SECONDS * 2))" redis-cli --cluster create $addresses --cluster-replicas 1 --cluster-yes
else
  echo "redis-cluster-init: the nodes already form a cluster; waiting for it to be ok"
fi

# Done when every node says the cluster is ok with all 16384 slots assigned (gossip takes a few seconds after create).
waited=0
for node in $NODES; do
  until [ "$(info_field "$node" cluster_state)" = ok ] && [ "$(info_field "$node" cluster_slots_assigned)" = 16384 ]; do
    waited=$((waited + 1))
    if [ "$waited" -ge "$WAIT_SECONDS" ]; then
      echo "redis-cluster-init: $node does not report cluster_state:ok; its view:" >&2
      redis-cli -h "$node" -p "$PORT" cluster info >&2 || true
      echo "redis-cluster-init: to start the cluster afresh (it holds nothing PostgreSQL cannot rebuild):" >&2
      echo "  docker compose --profile scale rm -s -f -v $NODES" >&2
      exit 1
    fi
    sleep 1
  done
done
echo "redis-cluster-init: cluster ok"
redis-cli -h "$(echo "$NODES" | cut -d' ' -f1)" -p "$PORT" cluster nodes
