#!/bin/bash
# Conformance scenarios for libpq through psql: one script per scenario.
# Usage: run.sh HOST PORT USER DBNAME SCENARIO...
# psql echoes every statement (-a) and reports errors with their SQLSTATE
# (VERBOSITY verbose) on the same stream, so the transcript is the
# session as a person at the terminal sees it.
set -u
host=$1 port=$2 user=$3 db=$4
shift 4
dir=$(cd "$(dirname "$0")" && pwd)
bin=${PGBIN:-/usr/lib/postgresql/15/bin}
for s in "$@"; do
	echo "== $s"
	"$bin/psql" -X -a -v ON_ERROR_STOP=0 -v VERBOSITY=verbose -h "$host" -p "$port" -U "$user" -d "$db" -f "$dir/$s.sql" 2>&1
	echo "psql exit status $?"
	echo "== end"
done
