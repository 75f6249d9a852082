// Package session tests client sessions through pgpoold on a real cluster
// (issue 4): the relay of the simple and extended protocol, COPY,
// LISTEN/NOTIFY, cancel, the connection pool and its reset, SHOW
// pool_pools and PGPOOL SET, and bad input from clients. Everything a
// client sees through pgpoold is compared with what it sees directly.
package session
