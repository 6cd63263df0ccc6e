#!/bin/sh
# Run once by the postgres image on its first start (compose.yaml): the two roles and the
# database that docs/server.md asks for.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" \
    -v owner_password="$OBSERVER_OWNER_PASSWORD" -v service_password="$OBSERVER_SERVICE_PASSWORD" <<'SQL'
CREATE ROLE observer_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE observer_service LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD :'service_password';
CREATE DATABASE observer OWNER observer_owner;
SQL
