//go:build unix

package spaces

import "syscall"

// mapAnon maps n bytes of private anonymous memory.
func mapAnon(n int64) ([]byte, bool) {
	b, err := syscall.Mmap(-1, 0, int(n), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	return b, err == nil
}

func unmap(b []byte) { _ = syscall.Munmap(b) }
