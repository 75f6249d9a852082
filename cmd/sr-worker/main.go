// Command sr-worker runs the replication-delay worker by hand against the
// pool of a running pgpoold (found by its pgpool.conf), for debugging: it
// measures and records delays in the pool's shared memory as the pool's
// own worker does.
//
//	sr-worker -f /etc/pgpool2/pgpool.conf [-k keyfile]
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/pgpool-go/pgpool-go/internal/standalone"
	"github.com/pgpool-go/pgpool-go/pkg/spawn"
	"github.com/pgpool-go/pgpool-go/pkg/srcheck"
)

func main() {
	conf := flag.String("f", "", "pgpool.conf of the running pool")
	key := flag.String("k", "", "key file for AES entries of pool_passwd")
	flag.Parse()
	env, passwords, err := standalone.Setup(spawn.RoleSRWorker, *conf, *key)
	if err != nil {
		fmt.Fprintf(os.Stderr, "sr-worker: %v\n", err)
		os.Exit(1)
	}
	os.Exit(srcheck.Main(env, passwords))
}
