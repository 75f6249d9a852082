// Package spawn is the contract between the supervisor and the processes
// it starts by re-executing its own image: the role, the inherited file
// descriptors at fixed slots, readiness, parent death and the process
// title operators see in ps.
//
// Inherited descriptors (ExtraFiles[i] is fd 3+i):
//
//	3  life pipe, read end: EOF means the supervisor is gone; exit
//	4  ready pipe, write end: one byte once the worker can serve
//	5  shared-memory segment
//	6… listening sockets (children: the pool's; pcp: the PCP sockets)
//
// Their names travel in PGPOOLGO_FDS so a worker can check each one's kind
// at start and fail clearly (tableflip's names pipe). Everything else is
// close-on-exec.
package spawn
