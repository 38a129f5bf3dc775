//go:build !linux

package localfs

import "os"

func openUnnamed(*os.File) (*os.File, error) { return nil, errUnnamedUnsupported }

func linkUnnamed(_, _ *os.File, _ string) error { return errUnnamedUnsupported }
