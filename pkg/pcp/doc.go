// Package pcp implements Pgpool-II's PCP protocol, both sides: the server
// that answers pcp_* commands on pcp_port, and the client that pcp_* tools
// use (reference/pgpool-pcp-recovery-setup.md §1).
//
// Model:
//
//   - Every packet, in both directions, is a type byte and a big-endian int32
//     length that counts itself but not the type byte (§1.2). A request must be
//     shorter than [MaxRequestLength]; the server ends a connection that sends a
//     longer one with Pgpool's FATAL "invalid PCP packet".
//   - A session is salt request (M → m), md5 login (R → r), then any number of
//     requests until X or EOF (§1.3). Replies are one packet, or an ArraySize
//     header, rows and a CommandComplete trailer (§1.5). Errors are E packets
//     (ERROR keeps the session, FATAL ends it); N packets (notices) may come
//     before any reply.
//   - Each packet family lives in its own file with an Encode/Decode pair
//     (pgproto3 style): Encode appends the whole packet to dst, Decode reads
//     the payload (after the length word).
//   - The protocol is unversioned; the field lists of node info and process
//     info grew between releases (§1.9). The client recognises the server's
//     layout by field count; the server emits the [Layout] it is configured
//     with (4.7 by default), because a C client of another release would
//     misparse it and the protocol offers no way to ask.
//
// The server side is [Server]: one goroutine per PCP client, requests
// dispatched to a [Handler] that the daemon implements over shared memory. The
// client side is [Client] ([Dial], [Client.Authenticate], one method per
// request).
package pcp
