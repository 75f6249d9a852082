// Package version holds the version strings pgpool-go reports.
package version

// Pgpool is the Pgpool-II release whose behaviour and formats pgpool-go follows.
// Tools that parse `pgpool --version` or `SHOW pool_version` expect this shape.
const Pgpool = "4.7.2"

// Codename follows Pgpool-II's habit of naming releases.
const Codename = "pgpool-go"

// Build is set at link time (Makefile) to the git description of the source.
var Build = "dev"

// String is what `SHOW pool_version` reports: "<version> (<codename>)".
func String() string { return Pgpool + " (" + Codename + ")" }
