package localfs

import (
	"context"
	"fmt"
	"syscall"

	"storagegw/application"
	"storagegw/domain"
)

// FreeSpaceCheck is a readiness check on the filesystem holding dir: it
// fails, with code insufficient_storage, when fewer than minFreeMiB MiB are
// available to the service there (statfs's f_bavail, what an unprivileged
// writer may still use), so a load balancer stops sending uploads before
// they fail with 507.
func FreeSpaceCheck(dir string, minFreeMiB int) func(context.Context) error {
	return func(context.Context) error {
		var st syscall.Statfs_t
		if err := syscall.Statfs(dir, &st); err != nil {
			return application.StoreUnavailable(fmt.Errorf("localfs: statfs %q: %w", dir, err))
		}
		freeMiB := st.Bavail * uint64(st.Bsize) >> 20
		if freeMiB < uint64(minFreeMiB) {
			return domain.Errorf(domain.ErrUnavailable, application.CodeInsufficientStorage,
				"The data directory has %d MiB free, below the %d MiB floor.", freeMiB, minFreeMiB)
		}
		return nil
	}
}
