// Command pgpoold is the pgpool-go daemon: a drop-in replacement for Pgpool-II's pgpool.
package main

import "fmt"

func main() {
	fmt.Println("pgpoold: not built yet (see issue 3)")
}
