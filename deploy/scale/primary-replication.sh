#!/usr/bin/env bash
# pg-primary (scale profile): lets pg-replica stream from it. Mounted into /docker-entrypoint-initdb.d, so the image
# runs it ONCE, when it initialises an empty data directory (a fresh pgdata-scale-primary volume), after writing
# pg_hba.conf and before the server starts for real; on an existing volume it does not run again. It may be sourced
# rather than executed (when the mounted file is not executable): no `exit`, no `set -u`.
set -e

replication_user="${REPLICATION_USER:-replicator}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -c "CREATE ROLE \"$replication_user\" WITH REPLICATION LOGIN"

# POSTGRES_HOST_AUTH_METHOD=trust added `host all all all trust`, but `all` never matches a replication connection.
# Trust, as for the other connections: the server is reachable only on the compose network (no port published).
echo "host replication $replication_user all trust" >>"$PGDATA/pg_hba.conf"
