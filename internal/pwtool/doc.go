// Package pwtool holds what pg_md5 and pg_enc share: the command-line run
// (Pgpool's getopt semantics on top of urfave/cli), exit codes, writing an
// entry into the pool_passwd of a pgpool.conf, and C-like line reads and
// error texts so that their output matches Pgpool-II's tools.
package pwtool
