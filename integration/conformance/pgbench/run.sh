#!/bin/bash
# Conformance scenarios for libpq through pgbench, in its three query
# modes and in pipeline mode, two clients at once.
# Usage: run.sh HOST PORT USER DBNAME SCENARIO...
# The transcript keeps what does not vary from run to run: transactions
# processed and failed, errors, and the tables' contents afterwards.
set -u
host=$1 port=$2 user=$3 db=$4
shift 4
dir=$(cd "$(dirname "$0")" && pwd)
bin=${PGBIN:-/usr/lib/postgresql/15/bin}
conn=(-h "$host" -p "$port" -U "$user")
sql() { "$bin/psql" -X -q -A -t -v ON_ERROR_STOP=1 "${conn[@]}" -d "$db" -c "$1" 2>&1; }
bench() {
	"$bin/pgbench" -n "${conn[@]}" "$@" "$db" 2>&1 |
		grep -E '^(number of transactions actually processed|number of failed transactions|pgbench: error|client [0-9]+ |.*(ERROR|FATAL|aborted))' |
		sed -E 's/ \(latency .*//'
	echo "pgbench exit status ${PIPESTATUS[0]}"
}
for s in "$@"; do
	echo "== $s"
	case $s in
	pgbench_simple | pgbench_extended | pgbench_prepared)
		sql "set client_min_messages = warning; drop table if exists pb; create table pb (client int, v int)"
		bench -c 2 -j 2 -t 25 -M "${s#pgbench_}" -f "$dir/rw.sql"
		sql "select client, count(*), sum(v) from pb group by client order by client"
		;;
	pgbench_pipeline)
		sql "set client_min_messages = warning; drop table if exists pb; create table pb (client int, v int)"
		bench -c 2 -j 2 -t 25 -M prepared -f "$dir/pipeline.sql"
		bench -c 1 -j 1 -t 5 -M extended -f "$dir/pipeline.sql"
		sql "select client, count(*), sum(v) from pb group by client order by client"
		;;
	pgbench_tpcb)
		"$bin/pgbench" -i -q -s 1 "${conn[@]}" "$db" 2>&1 | grep -E 'ERROR|FATAL|error'
		bench -c 2 -j 2 -t 50 -M prepared -b tpcb-like
		bench -c 2 -j 2 -t 50 -M simple -b select-only
		sql "select count(*), (select sum(abalance) from pgbench_accounts) = sum(delta) from pgbench_history"
		;;
	*)
		echo "unknown scenario $s"
		;;
	esac
	echo "== end"
done
