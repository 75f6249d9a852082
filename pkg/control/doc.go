// Package control is `pgpool stop` and `pgpool reload`: find the running
// pool by its pid file and signal it, as Pgpool-II's command line does.
package control
