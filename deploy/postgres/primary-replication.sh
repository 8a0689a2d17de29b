#!/usr/bin/env bash
# Lets the replica in: a replication role, the physical slot the replica streams from, and
# the pg_hba.conf line that admits the role from other hosts (the image's own lines admit
# replication from the loopback only). Idempotent.
#
# compose.yaml mounts it in /docker-entrypoint-initdb.d/, which the postgres image runs only
# when it initialises an empty data folder. For a db volume made before, run it once:
#
#   docker compose exec -u postgres db bash /docker-entrypoint-initdb.d/10-replication.sh
#
# No `set -u`: the image sources rather than runs an init script that lost its execute bit,
# and the setting would leak into its entrypoint.
set -e -o pipefail

replication_user=${REPLICATION_USER:-replicator}
replication_password=${REPLICATION_PASSWORD:-replicator}
slot=${REPLICATION_SLOT:-annals_replica}

psql -X -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" \
    --dbname "${POSTGRES_DB:-postgres}" \
    -v user="$replication_user" -v password="$replication_password" -v slot="$slot" <<'SQL'
SELECT format('CREATE ROLE %I WITH LOGIN REPLICATION', :'user')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I WITH PASSWORD %L', :'user', :'password') \gexec
-- The slot keeps the WAL a stopped replica still needs (up to max_slot_wal_keep_size), so it
-- catches up when it returns instead of needing a new base backup.
SELECT pg_create_physical_replication_slot(:'slot')
WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = :'slot');
SQL

hba_line="host replication $replication_user all scram-sha-256"
if ! grep -qxF "$hba_line" "$PGDATA/pg_hba.conf"; then
    echo "$hba_line" >>"$PGDATA/pg_hba.conf"
fi
psql -X -q -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" \
    --dbname "${POSTGRES_DB:-postgres}" -c 'SELECT pg_reload_conf()' >/dev/null
