package postgres_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"storagegw/adapters/postgres"
)

// TestStoreSweepLock: one holder at a time, on either dialect; another
// caller (another process: another connection, another open of the lock
// file) is told it is held, and takes it once it is released.
func TestStoreSweepLock(t *testing.T) {
	for name, open := range dialects {
		t.Run(name, func(t *testing.T) {
			s := postgres.NewSessions(open(t))
			unlock, ok, err := s.LockStoreSweep(t.Context())
			require.NoError(t, err)
			require.True(t, ok, "the first caller takes the lock")
			_, ok, err = s.LockStoreSweep(t.Context())
			require.NoError(t, err)
			require.False(t, ok, "a second caller while it is held")
			unlock()
			unlock, ok, err = s.LockStoreSweep(t.Context())
			require.NoError(t, err)
			require.True(t, ok, "taken again once released")
			unlock()
		})
	}
}
