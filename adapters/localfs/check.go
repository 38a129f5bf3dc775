package localfs

import (
	"context"
	"fmt"

	"storagegw/application"
)

var _ application.HealthChecker = (*Store)(nil)

// Check reports whether the store's directories are still there and are
// directories (a removed or unmounted data dir fails it): the readiness
// probe of the local store. It fails with domain.ErrUnavailable.
func (s *Store) Check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fsError("check", blobsDir, err)
	}
	for _, dir := range []string{blobsDir, tmpDir} {
		fi, err := s.root.Stat(dir)
		if err != nil {
			return application.StoreUnavailable(fmt.Errorf("localfs: check %q: %w", dir, err))
		}
		if !fi.IsDir() {
			return application.StoreUnavailable(fmt.Errorf("localfs: check %q: not a directory", dir))
		}
	}
	return nil
}
