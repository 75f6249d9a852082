// Package shm is the shared-memory segment through which pgpoold's processes
// share state: node status and roles, per-node counters, health-check
// statistics, the child process table with its pool slots and cancel keys,
// and the request queue.
//
// Model (DESIGN.md "Shared memory"):
//
//   - The supervisor creates the segment, a file in /dev/shm named from the
//     port (Path), sized from the configuration, and maps it MAP_SHARED. Every
//     worker inherits the file descriptor and maps the same pages (Attach).
//   - A versioned header describes the layout; Attach refuses a segment of
//     another layout version or size.
//   - Only the supervisor changes node status and roles (SetNodeState,
//     SetPrimary, ...). Every change bumps Generation, so a process notices a
//     topology change with one atomic load. Everybody else posts a Request and
//     signals the supervisor.
//   - Each child slot is written only by the child that owns it (and cleared
//     by the supervisor when that child is gone). Counters are atomics;
//     multi-field records (strings, statistics) are written under a seqlock
//     by their single writer and read consistently by anyone.
//   - The request queue is the only multi-writer structure: a small spinlock
//     whose holder pid is recorded, so a lock left by a dead process is
//     taken over instead of blocking the pool forever.
//
// No other package knows an offset: everything goes through the typed
// accessors of this package.
package shm
