#!/bin/bash
# The standby: on first start, a base backup of the primary, written as a
# standby that streams from it (pg_basebackup -R); then PostgreSQL as usual.
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h postgres-primary -U kith -q; do sleep 1; done
  install -d -m 0700 -o postgres -g postgres "$PGDATA"
  gosu postgres env PGPASSWORD="$KITH_REPLICATION_PASSWORD" \
    pg_basebackup -h postgres-primary -U replicator -D "$PGDATA" -R -X stream -c fast
fi
exec docker-entrypoint.sh postgres -c hot_standby=on
