package postgres

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStmtCache: SQLite's reader runs a query text through one kept
// statement, keeps at most maxCachedStmts (the rest run unprepared, with
// the same answers), and fails a statement SQLite refuses.
func TestStmtCache(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "storagegw.db"), Options{})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	c := db.readStmts
	require.NotNil(t, c, "no statement cache on SQLite's reader")
	for i := range maxCachedStmts + 20 {
		rows, err := c.QueryContext(t.Context(), fmt.Sprintf("SELECT %d + ?", i), 1)
		require.NoError(t, err)
		var n int
		require.True(t, rows.Next())
		require.NoError(t, rows.Scan(&n))
		require.NoError(t, rows.Close())
		require.Equal(t, i+1, n)
	}
	require.Len(t, c.stmts, maxCachedStmts)
	first, err := c.stmt(t.Context(), "SELECT 0 + ?")
	require.NoError(t, err)
	again, err := c.stmt(t.Context(), "SELECT 0 + ?")
	require.NoError(t, err)
	require.Same(t, first, again, "the kept statement is prepared again")
	_, err = c.QueryContext(t.Context(), "SELEC nonsense")
	require.Error(t, err)
}
