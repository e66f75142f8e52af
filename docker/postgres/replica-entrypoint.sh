#!/bin/sh
# The replica's start: on the first start its data directory is cloned from the primary with
# pg_basebackup -R (which also writes the settings to follow it); then a hot standby runs.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    gosu postgres pg_basebackup -h "$PRIMARY_HOST" -U postgres -D "$PGDATA" -R -X stream -c fast
fi
exec gosu postgres postgres -c hot_standby=on -c effective_cache_size=1GB
