package config

import (
	"os"
	"path/filepath"
)

// SysconfDir is where the programs look for pgpool.conf, pcp.conf and
// pool_hba.conf without -f/-F/-a: Pgpool-II's compile-time SYSCONFDIR for
// an installation in /usr/local. The Makefile sets it to $(PREFIX)/etc at
// link time (-X).
var SysconfDir = "/usr/local/etc"

// DefaultFile is the pgpool.conf used without -f: SysconfDir's, or
// Debian's /etc/pgpool2/pgpool.conf when only that one exists (a site
// that swapped in pgpool-go keeps its files where they are).
func DefaultFile() string {
	own := filepath.Join(SysconfDir, "pgpool.conf")
	if _, err := os.Stat(own); err != nil {
		if _, err := os.Stat("/etc/pgpool2/pgpool.conf"); err == nil {
			return "/etc/pgpool2/pgpool.conf"
		}
	}
	return own
}
