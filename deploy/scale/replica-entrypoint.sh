#!/usr/bin/env bash
# pg-replica (scale profile): a hot standby streaming from pg-primary. On an empty data directory it first takes a base
# backup of the primary with the standby settings written in (-R: standby.signal and primary_conninfo) and the WAL
# needed to start streamed alongside (-X stream); then the image's own entrypoint finds an initialised directory and
# starts PostgreSQL, which, seeing standby.signal, replays the primary's WAL and answers read-only queries.
set -euo pipefail

: "${PGDATA:?PGDATA names the data directory, under the volume}"
primary="${PRIMARY_HOST:-pg-primary}"
replication_user="${REPLICATION_USER:-replicator}"
partial="$PGDATA.partial"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  # The backup goes to a sibling directory, renamed once complete: an interrupted one is started over, never used.
  volume="$(dirname "$PGDATA")"
  mkdir -p "$volume"
  chown postgres:postgres "$volume"
  rm -rf "$partial" "$PGDATA"
  until pg_isready -q -h "$primary" -p 5432; do
    echo "pg-replica: waiting for $primary"
    sleep 1
  done
  echo "pg-replica: base backup of $primary as $replication_user"
  gosu postgres pg_basebackup -h "$primary" -p 5432 -U "$replication_user" -D "$partial" \
    -R -X stream --checkpoint=fast --no-password
  mv "$partial" "$PGDATA"
fi

# The image's entrypoint: permissions, then postgres as the postgres user (no initdb: PG_VERSION is there).
exec docker-entrypoint.sh "$@"
