//go:build !unix

package spaces

func mapAnon(int64) ([]byte, bool) { return nil, false }

func unmap([]byte) {}
