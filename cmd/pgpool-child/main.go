// Command pgpool-child runs one session child by hand, joining the pool of
// a running pgpoold (found by its pgpool.conf) through the pool's shared
// memory and, with SO_REUSEPORT, its TCP port: for running and debugging
// one child against a live pool. pgpoold starts its own children from its
// own image; this program is the same child code.
//
//	pgpool-child -f /etc/pgpool2/pgpool.conf [-k keyfile]
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/pgpool-go/pgpool-go/internal/standalone"
	"github.com/pgpool-go/pgpool-go/pkg/child"
	"github.com/pgpool-go/pgpool-go/pkg/spawn"
)

func main() {
	conf := flag.String("f", "", "pgpool.conf of the running pool")
	key := flag.String("k", "", "key file for AES entries of pool_passwd")
	flag.Parse()
	env, passwords, err := standalone.Setup(spawn.RoleChild, *conf, *key)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgpool-child: %v\n", err)
		os.Exit(1)
	}
	os.Exit(child.Main(env, passwords))
}
