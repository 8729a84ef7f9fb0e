#!/bin/bash
# A hot standby of db: cloned on first start, then streaming (-R writes standby.signal).
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_basebackup -h db -U replicator -D "$PGDATA" -R -X stream; do
        echo "waiting for the primary"; sleep 1
    done
    chmod 0700 "$PGDATA"
fi
exec postgres
