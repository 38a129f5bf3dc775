package localfs

import (
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// openUnnamed opens a new file in the directory d that has no name
// (O_TMPFILE): until linkUnnamed gives it one, nothing can see it, and
// the kernel frees it if the process dies. errUnnamedUnsupported when the
// filesystem cannot.
func openUnnamed(d *os.File) (*os.File, error) {
	fd, err := unix.Openat(int(d.Fd()), ".", unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o600)
	if err != nil {
		if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EINVAL) {
			return nil, errUnnamedUnsupported
		}
		return nil, &os.PathError{Op: "open", Path: d.Name() + "/<unnamed>", Err: err}
	}
	return os.NewFile(uintptr(fd), d.Name()+"/<unnamed>"), nil
}

// linkUnnamed gives f, opened by openUnnamed, the name base in the
// directory d, or fails with fs.ErrExist when base exists (a link never
// replaces) and fs.ErrNotExist when d was removed meanwhile. It links
// through /proc/self/fd, as open(2) shows: linkat's AT_EMPTY_PATH would
// need CAP_DAC_READ_SEARCH.
func linkUnnamed(f, d *os.File, base string) error {
	err := unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(int(f.Fd())), int(d.Fd()), base, unix.AT_SYMLINK_FOLLOW)
	if err != nil {
		return &os.LinkError{Op: "link", Old: f.Name(), New: d.Name() + "/" + base, Err: err}
	}
	return nil
}
