#!/usr/bin/env bash
# The db-replica service's entrypoint (compose.yaml). On an empty data folder it clones the
# primary with pg_basebackup -R, which also writes the standby's settings (standby.signal,
# primary_conninfo, primary_slot_name); then it runs its arguments, postgres, as that user.
# A data folder that already holds a cluster is started as it is, so a restarted replica
# resumes streaming from where it stopped.
#
# To clone again (say the primary dropped the slot after max_slot_wal_keep_size):
#   docker compose rm -sf db-replica && docker volume rm <project>_db-replica
set -euo pipefail

PGDATA=${PGDATA:-/var/lib/postgresql/data}
primary_host=${PRIMARY_HOST:-db}
primary_port=${PRIMARY_PORT:-5432}
replication_user=${REPLICATION_USER:-replicator}
slot=${REPLICATION_SLOT:-annals_replica}

# Root only fixes the folder's owner, then carries on as postgres.
if [[ $(id -u) == 0 ]]; then
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    exec gosu postgres bash "${BASH_SOURCE[0]}" "$@"
fi

if [[ ! -s $PGDATA/PG_VERSION ]]; then
    echo "replica: waiting for the primary at $primary_host:$primary_port"
    for attempt in $(seq 1 60); do
        pg_isready -q -h "$primary_host" -p "$primary_port" && break
        if ((attempt == 60)); then
            echo "replica: the primary did not answer in 60 s" >&2
            exit 1
        fi
        sleep 1
    done
    # pg_basebackup wants an empty folder; what a killed earlier attempt left is of no use.
    find "$PGDATA" -mindepth 1 -delete
    chmod 700 "$PGDATA"
    echo "replica: cloning the primary (slot $slot)"
    PGPASSWORD=${REPLICATION_PASSWORD:-replicator} pg_basebackup \
        -h "$primary_host" -p "$primary_port" -U "$replication_user" \
        -D "$PGDATA" -R -X stream -S "$slot" -c fast
    echo "replica: cloned; starting as a hot standby"
fi

if [[ $# -eq 0 ]]; then
    set -- postgres
fi
exec "$@"
