// Command sr-worker is part of pgpool-go.
package main

import "fmt"

func main() {
	fmt.Println("sr-worker: not built yet")
}
