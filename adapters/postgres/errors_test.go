package postgres

import (
	"database/sql"
	"errors"
	"path/filepath"
	"strconv"
	"testing"

	"storagegw/application"
	"storagegw/domain"
)

// TestTranslateDiskFull fills an SQLite file to its page limit, which
// SQLite reports as it reports a full disk (SQLITE_FULL), and checks that
// translate makes it the one full-disk error, 507 insufficient_storage.
func TestTranslateDiskFull(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "full.db")+"?"+sqliteParams)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := t.Context()
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (b BLOB)"); err != nil {
		t.Fatalf("create: %v", err)
	}
	var pages int
	if err := db.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatalf("page_count: %v", err)
	}
	if _, err := db.ExecContext(ctx, "PRAGMA max_page_count = "+strconv.Itoa(pages)); err != nil {
		t.Fatalf("max_page_count: %v", err)
	}
	_, err = db.ExecContext(ctx, "INSERT INTO t VALUES (zeroblob(1048576))")
	if err == nil {
		t.Fatal("insert past max_page_count: got nil, want SQLITE_FULL")
	}
	got := translate(err)
	var de *domain.Error
	if !errors.Is(got, domain.ErrUnavailable) || !errors.As(got, &de) || de.Code != application.CodeInsufficientStorage {
		t.Errorf("translate(%v): got %v, want %s", err, got, application.CodeInsufficientStorage)
	}
}
