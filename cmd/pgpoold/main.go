// Command pgpoold is the pgpool-go daemon, a drop-in replacement for
// Pgpool-II's pgpool: the same options, the same stop and reload
// sub-commands, the same configuration files. Installed as `pgpool` too.
//
// The same binary runs every worker process: the supervisor re-executes it
// with a role in the environment (package spawn), and main dispatches.
package main

import (
	"fmt"
	"os"
	"sync"

	"github.com/pgpool-go/pgpool-go/pkg/auth"
	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/child"
	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/health"
	"github.com/pgpool-go/pgpool-go/pkg/pcpserver"
	"github.com/pgpool-go/pgpool-go/pkg/spawn"
	"github.com/pgpool-go/pgpool-go/pkg/srcheck"
)

func main() {
	if os.Getenv(spawn.EnvRole) != "" {
		os.Exit(runRole())
	}
	os.Exit(runCLI(os.Args))
}

// runRole runs the worker role the supervisor asked for.
func runRole() int {
	env, err := spawn.Inherited()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgpoold: %v\n", err)
		return spawn.ExitRestart
	}
	switch env.Role {
	case spawn.RoleChild:
		return child.Main(env, passwords)
	case spawn.RoleHealth:
		return health.Main(env, passwords)
	case spawn.RoleSRWorker:
		return srcheck.Main(env, passwords)
	case spawn.RolePCP:
		return pcpserver.Main(env, passwords)
	}
	fmt.Fprintf(os.Stderr, "pgpoold: unknown role %q\n", env.Role)
	return spawn.ExitNoRestart
}

// passwords resolves the password of an internal connection (health
// check, sr-worker, primary search, recovery): the configured one, or the
// user's pool_passwd entry (AES entries with the key file).
func passwords(cfg *config.Config, user, configured string) backend.Password {
	return auth.InternalPassword(cfg, keyDecrypter(), user, configured)
}

// keyDecrypter decrypts AES entries with the key file the supervisor
// found (-k, $PGPOOLKEYFILE, ~/.pgpoolkey), read once per process.
var keyDecrypter = sync.OnceValue(func() auth.Decrypter { return auth.KeyFileDecrypter(os.Getenv(spawn.EnvKey)) })
