// Package process tests pgpoold's process model on a real cluster: the
// supervisor and its children and workers, their titles in ps, respawn,
// orphan protection, stop modes, reload, the pid file and the port lock
// (issue 3).
package process
