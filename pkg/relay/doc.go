// Package relay moves PostgreSQL protocol messages between a client and
// its backends without decoding what it does not act on.
//
// The unit is a frame: a type byte and a 4-byte big-endian length that
// counts itself. A Conn owns one socket's read buffer and write buffer,
// both allocated once per session and reused; frames are returned as
// sub-slices of the read buffer, valid until the next read from the Conn
// (pgproto3's Receive has the same rule).
//
// Sockets are non-blocking. Reads and writes never wait: ErrWouldBlock
// tells the caller's event loop to poll (package child owns that loop).
// A frame the caller must inspect is read whole (the buffer grows up to
// the protocol limit); any other frame larger than the buffer can be
// streamed through in pieces, so a 1 GB DataRow or CopyData never sits in
// memory (PgBouncer's sbuf does the same).
//
// Every ErrorResponse and NoticeResponse pgpoold originates is built by a
// named constructor in errors.go, in PostgreSQL's form with Pgpool's texts
// where Pgpool has one.
package relay
