// Package pcp tests the PCP process of pgpoold with our pcp_* commands
// and with Pgpool-II 4.3's own clients from Debian's pgpool2 package
// (issue 8): reports compared with SHOW at the same moment, node
// commands, stop, errors.
package pcp
