// Package standalone starts one pgpoold worker role by hand, joining the
// pool of a running supervisor found by its pgpool.conf: cmd/pgpool-child
// and cmd/sr-worker are thin wrappers around it, for running and
// debugging one worker against a live pool.
package standalone

import (
	"errors"
	"fmt"
	"os"

	"github.com/pgpool-go/pgpool-go/pkg/auth"
	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
	"github.com/pgpool-go/pgpool-go/pkg/spawn"
	"github.com/pgpool-go/pgpool-go/pkg/supervisor"
)

// Setup finds the running pool of the configuration file, attaches to its
// segment, and for a child claims a standalone slot and binds the pool's
// TCP addresses with SO_REUSEPORT (the kernel then shares connections
// between the pool's children and this one; the unix socket stays the
// pool's).
func Setup(role spawn.Role, configFile, keyFile string) (*spawn.Env, func(cfg *config.Config, user, configured string) backend.Password, error) {
	if configFile == "" {
		configFile = config.DefaultFile()
	}
	cfg, _, err := config.Load(configFile)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", configFile, err)
	}
	snapshot := shm.Path(cfg.Port) + ".conf"
	if _, err := os.Stat(snapshot); err != nil {
		return nil, nil, fmt.Errorf("no pool is running on port %d (%s: %w); start pgpoold first", cfg.Port, snapshot, err)
	}
	f, err := os.OpenFile(shm.Path(cfg.Port), os.O_RDWR, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open the shared memory of the pool on port %d: %w", cfg.Port, err)
	}
	seg, err := shm.Attach(f)
	if err != nil {
		return nil, nil, err
	}
	slot := 0
	var listeners []*os.File
	if role == spawn.RoleChild {
		var ok bool
		if slot, ok = seg.ClaimStandaloneSlot(os.Getpid()); !ok {
			return nil, nil, errors.New("every standalone child slot of the pool is taken")
		}
		ls, err := supervisor.Listen(supervisor.SocketOptions{Addresses: cfg.ListenAddresses, Port: cfg.Port,
			Backlog: cfg.NumInitChildren * cfg.ListenBacklogMultiplier}, func(string, error) {})
		if err != nil {
			seg.Child(slot).Clear()
			return nil, nil, fmt.Errorf("join the listening sockets (SO_REUSEPORT needs the pool's user): %w", err)
		}
		for _, l := range ls {
			listeners = append(listeners, l.File)
		}
	}
	seg.Close()
	f2, err := os.OpenFile(shm.Path(cfg.Port), os.O_RDWR, 0)
	if err != nil {
		return nil, nil, err
	}
	env := spawn.Standalone(role, slot, snapshot, f2, listeners)
	env.KeyFile = keyFile
	decrypt := auth.KeyFileDecrypter(keyFile)
	passwords := func(cfg *config.Config, user, configured string) backend.Password {
		return auth.InternalPassword(cfg, decrypt, user, configured)
	}
	return env, passwords, nil
}
