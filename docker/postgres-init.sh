#!/bin/sh
# Runs once, when the postgres volume is first initialised (/docker-entrypoint-initdb.d): the role
# curfew's services connect as. It owns the curfew database (so migrations can create curfew's
# tables, views and functions) and is no superuser; the superuser stays for administration.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v password="$CURFEW_DB_PASSWORD" <<'SQL'
CREATE ROLE curfew LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
ALTER DATABASE curfew OWNER TO curfew;
SQL
