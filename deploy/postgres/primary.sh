#!/bin/bash
# The primary: a role for streaming replication, allowed from the compose network.
set -euo pipefail
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
    -c "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'replication'"
echo "host replication replicator 172.28.0.0/24 scram-sha-256" >> "$PGDATA/pg_hba.conf"
