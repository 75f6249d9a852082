// Command pgpool-child is part of pgpool-go.
package main

import "fmt"

func main() {
	fmt.Println("pgpool-child: not built yet")
}
