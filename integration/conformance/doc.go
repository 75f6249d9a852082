// Package conformance runs real PostgreSQL drivers through pgpoold and
// checks that an application sees exactly what it sees without it.
//
// Every driver (Go pgx, libpq through psql and pgbench, Python psycopg2
// and asyncpg, Java PgJDBC, Node.js pg and pg-cursor) has a small program
// that plays the same scripted scenarios (autocommit, transactions,
// savepoints, prepared statements, cursors, COPY, LISTEN/NOTIFY, errors,
// timeouts and cancel, large rows, pipelines, SET and temporary tables,
// two-phase commit) against the host and port it is given and prints a
// normalised transcript: one line per thing the application can observe
// (rows, command tags, errors with their SQLSTATE, transaction status,
// notices, notifications). The tests run each program twice, directly
// against the primary and through pgpoold in streaming-replication mode
// with load balancing on and every read balanced to the standby
// (backend_weight0 = 0), and fail on any difference, and on any scenario
// that does not finish within its deadline.
//
// The tests are in the package's _test files; the driver programs are in
// python/, java/, node/, psql/ and pgbench/ beside them. README.md lists the
// scenarios, the driver versions, how to run the suite, and where
// Pgpool-II 4.3 fails (CONFORMANCE_TARGET=pgpool2 runs the suite against
// Debian's Pgpool-II instead of pgpoold).
package conformance
