// Package harness holds the tests that prove the integration-test harness
// (package pgcluster) against real PostgreSQL 15 and Debian's Pgpool-II.
package harness
