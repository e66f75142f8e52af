#!/bin/sh
# Runs once, when the primary's data directory is first made: lets the replica connect for
# streaming replication with the same password as every other client.
set -eu
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
