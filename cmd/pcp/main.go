// Command pcp is part of pgpool-go.
package main

import "fmt"

func main() {
	fmt.Println("pcp: not built yet")
}
