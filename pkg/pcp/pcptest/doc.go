// Package pcptest helps test PCP code: a scripted pcp.Handler over fixed
// data (SampleHandler), a pcp.Server on free loopback ports (NewServer), as
// net/http/httptest does for HTTP, and the real things to compare with:
// PostgreSQL 15 (StartPostgres) and Debian's Pgpool-II 4.3.5 (StartPgpool),
// which fail the test when missing.
package pcptest
