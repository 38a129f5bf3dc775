package spaces

import (
	"net"
	"syscall"
	"unsafe"
)

// sendQueue is the number of bytes c has sent that the peer has not yet
// acknowledged (SIOCOUTQ), or -1 when it cannot tell.
func sendQueue(c net.Conn) int {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return -1
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	q := -1
	_ = raw.Control(func(fd uintptr) {
		var v int32
		if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCOUTQ, uintptr(unsafe.Pointer(&v))); errno == 0 {
			q = int(v)
		}
	})
	return q
}
