package recovery

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/pgpool-go/pgpool-go/pkg/backend"
	"github.com/pgpool-go/pgpool-go/pkg/config"
	"github.com/pgpool-go/pgpool-go/pkg/pcp"
	"github.com/pgpool-go/pgpool-go/pkg/relay"
	"github.com/pgpool-go/pgpool-go/pkg/shm"
)

// Deps are what a recovery needs from its process.
type Deps struct {
	Cfg       *config.Config
	Seg       *shm.Segment
	Log       zerolog.Logger
	Passwords func(cfg *config.Config, user, configured string) backend.Password
	// Attach queues the failback of the node and waits (bounded) for it.
	Attach func(node int) error
}

// host is a node's host as the recovery scripts get it: localhost for a
// unix socket directory (Pgpool §5.2 step 5).
func host(b config.Backend) string {
	if b.Hostname == "" || strings.HasPrefix(b.Hostname, "/") {
		return "localhost"
	}
	return b.Hostname
}

// Run recovers node (already checked by the caller: configured, not the
// primary, streaming mode, no other recovery running).
func Run(ctx context.Context, node int, d Deps) error {
	cfg, seg := d.Cfg, d.Seg
	b := cfg.Backends[node]
	if !b.InUse() {
		return pcp.Errorf("node recovery failed", "node id: %d is unused", node)
	}
	if seg.Node(node).Valid() {
		return pcp.Errorf("node recovery failed", "node id: %d is alive", node)
	}
	source := seg.PrimaryOrMain()
	if source < 0 {
		return pcp.Errorf("node recovery failed", "no primary node is available to recover from")
	}
	src := cfg.Backends[source]
	log := d.Log.With().Int("node", node).Int("source", source).Logger()
	log.Info().Msgf("starting recovering node %d", node)

	db := cfg.RecoveryDatabase
	if db == "" {
		db = "postgres"
	}
	target := backend.Target{Node: source, Host: src.Host(), Port: src.Port}
	conn, err := backend.Connect(target, relay.StartupPacket(
		relay.Param{Name: "application_name", Value: "pgpool"},
		relay.Param{Name: "database", Value: db}, relay.Param{Name: "user", Value: cfg.RecoveryUser}),
		backend.Options{ConnectTimeout: 10 * time.Second, Deadline: time.Now().Add(30 * time.Second),
			User: cfg.RecoveryUser, Password: d.Passwords(cfg, cfg.RecoveryUser, cfg.RecoveryPassword)})
	if err != nil {
		return pcp.Errorf("node recovery failed", "unable to connect to main node: %d (%v)", source, err)
	}
	defer conn.Terminate()

	args := []string{cfg.Recovery1stStageCommand, host(b), b.DataDirectory, strconv.Itoa(src.Port), strconv.Itoa(node),
		strconv.Itoa(b.Port), host(src)}
	if cfg.Recovery1stStageCommand != "" {
		if err := firstStage(ctx, conn, src, args, log); err != nil {
			return err
		}
	}
	if err := remoteStart(ctx, conn, src, host(b), b.DataDirectory, log); err != nil {
		return err
	}
	if err := waitStarted(ctx, cfg, node, d, log); err != nil {
		return err
	}
	if err := d.Attach(node); err != nil {
		return err
	}
	log.Info().Msgf("recovery done for node %d", node)
	return nil
}

// firstStage runs recovery_1st_stage_command on the primary through
// pgpool_recovery() (Pgpool 4.3+'s 7-argument form).
func firstStage(ctx context.Context, conn *backend.Conn, src config.Backend, args []string, log zerolog.Logger) error {
	if _, err := conn.Query("SET statement_timeout To 0", time.Now().Add(30*time.Second)); err != nil {
		return pcp.Errorf("executing recovery, execution of command failed at \"1st stage\"", "command:\"%s\" (%v)", args[0], err)
	}
	sql := fmt.Sprintf("SELECT pgpool_recovery('%s', '%s', '%s', '%s', %s, '%s', '%s')",
		args[0], args[1], args[2], args[3], args[4], args[5], args[6])
	log.Info().Str("command", args[0]).Msg("executing recovery: 1st stage")
	_, err := conn.Query(sql, time.Time{})
	if missingExtension(err) {
		log.Info().Str("hint", "CREATE EXTENSION pgpool_recovery on the primary (Debian: postgresql-15-pgpool2)").
			Msg("the pgpool_recovery extension is not installed on the primary; running the 1st stage script from its data directory on this host")
		return runLocal(ctx, src.DataDirectory, args[0], append([]string{src.DataDirectory}, args[1:]...), "1st stage", log)
	}
	if err != nil {
		return pcp.Errorf("executing recovery, execution of command failed at \"1st stage\"", "command:\"%s\" (%v)", args[0], err)
	}
	return nil
}

// remoteStart starts the recovered node through pgpool_remote_start().
func remoteStart(ctx context.Context, conn *backend.Conn, src config.Backend, targetHost, targetDir string, log zerolog.Logger) error {
	sql := fmt.Sprintf("SELECT pgpool_remote_start('%s', '%s')", targetHost, targetDir)
	_, err := conn.Query(sql, time.Now().Add(5*time.Minute))
	if missingExtension(err) {
		log.Info().Msg("the pgpool_recovery extension is not installed on the primary; running pgpool_remote_start from its data directory on this host")
		return runLocal(ctx, src.DataDirectory, "pgpool_remote_start", []string{targetHost, targetDir}, "remote start", log)
	}
	if err != nil {
		return pcp.Errorf(fmt.Sprintf("executing remote start failed with error: \"%v\"", err), "")
	}
	return nil
}

// missingExtension reports that pgpool_recovery()/pgpool_remote_start()
// does not exist on the primary.
func missingExtension(err error) bool {
	var se *backend.ServerError
	return errors.As(err, &se) && se.Code == "42883"
}

// runLocal runs a recovery script from dataDir, as the extension would,
// with the data directory as working directory.
func runLocal(ctx context.Context, dataDir, script string, args []string, stage string, log zerolog.Logger) error {
	path := filepath.Join(dataDir, script)
	if _, err := os.Stat(path); err != nil {
		return pcp.Errorf(fmt.Sprintf("executing recovery, execution of command failed at \"%s\"", stage),
			"command:\"%s\": the primary's data directory is not on this host and the pgpool_recovery extension is not installed (%v)", script, err)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = dataDir
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line != "" {
			log.Info().Str("command", script).Msg(line)
		}
	}
	if err != nil {
		return pcp.Errorf(fmt.Sprintf("executing recovery, execution of command failed at \"%s\"", stage), "command:\"%s\" (%v)", script, err)
	}
	return nil
}

// waitStarted waits until the recovered node accepts connections
// (check_postmaster_started): database postgres 4 times 3 s apart, then
// template1 until recovery_timeout.
func waitStarted(ctx context.Context, cfg *config.Config, node int, d Deps, log zerolog.Logger) error {
	b := cfg.Backends[node]
	t := backend.Target{Node: node, Host: b.Host(), Port: b.Port}
	try := func(db string) bool {
		c, err := backend.Connect(t, relay.StartupPacket(relay.Param{Name: "database", Value: db}, relay.Param{Name: "user", Value: cfg.RecoveryUser}),
			backend.Options{ConnectTimeout: 3 * time.Second, Deadline: time.Now().Add(10 * time.Second), User: cfg.RecoveryUser,
				Password: d.Passwords(cfg, cfg.RecoveryUser, cfg.RecoveryPassword)})
		if err != nil {
			log.Debug().Err(err).Str("db", db).Msg("recovered node not ready yet")
			return false
		}
		c.Terminate()
		return true
	}
	deadline := time.Now().Add(time.Duration(cfg.RecoveryTimeout) * time.Second)
	for i := 0; ; i++ {
		db := "postgres"
		if i >= 4 {
			db = "template1"
		}
		if try(db) {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return pcp.Errorf("recovery is checking if postmaster is started",
				"postmaster on hostname:\"%s\" database:\"template1\" user:\"%s\" failed to start in %d second", b.Host(), cfg.RecoveryUser, cfg.RecoveryTimeout)
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}
