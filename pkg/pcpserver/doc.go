// Package pcpserver is pgpoold's PCP process: it serves the PCP protocol
// (package pcp) on the PCP sockets the supervisor passes it, authenticates
// against pcp.conf (read again at every login, as Pgpool does), answers
// the reports from shared memory and configuration, and turns node and
// control commands into requests for the supervisor.
package pcpserver
