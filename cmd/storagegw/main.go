// Command storagegw is the single gateway between an organisation's
// applications and its files: `storagegw serve` runs the REST API; see
// `storagegw help` for the operator commands. It assembles the service
// through the composition root, package storagegw.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…"; the
// metrics report it.
var version = "dev"

func main() { os.Exit(runMain(os.Args[1:], os.Getenv, os.Stderr)) }

// runMain runs the command line args and returns the exit status; a failure
// is printed to stderr.
func runMain(args []string, getenv func(string) string, stderr io.Writer) int {
	root := newRootCommand(getenv)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		fmt.Fprintln(stderr, "storagegw:", err)
		return exitCode(err)
	}
	return 0
}

// exitError is an error that asks for a particular exit status. The
// operator commands use 1 for "ran, but found or left problems" and 2 for
// "could not run".
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode is err's exit status: its own for an exitError, else 1.
func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// failed wraps err as an exit status 2 ("could not run").
func failed(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: 2, err: err}
}
