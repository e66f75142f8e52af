#!/bin/sh
# Container start: bring the schema and the curated fixtures up to date, then run
# the given command (gunicorn by default). The database is not waited for here:
# docker-compose.yml starts this service only once PostgreSQL is healthy.
set -eu
cd "$(dirname "$0")/.."

python manage.py migrate --no-input
python manage.py load_fixtures

exec "$@"
