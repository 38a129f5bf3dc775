// Command storagegw is the single gateway between an organisation's
// applications and its files: `storagegw serve` runs the REST API; see
// `storagegw help` for the operator commands.
package main

//go:generate go tool mockery
//go:generate go tool wire gen .

import (
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	if err := newRootCommand(os.Getenv).Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "storagegw:", err)
		os.Exit(1)
	}
}
