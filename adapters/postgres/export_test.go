package postgres

import (
	"database/sql"
	"time"
)

// Waiting is how many Appends of b are queued and not yet answered.
func (b *AuditBatcher) Waiting() int { return int(b.waiting.Load()) }

// Reader is an SQLite database's pool of read-only connections (nil on
// PostgreSQL).
func (db *DB) Reader() *sql.DB { return db.reader }

// FileReadQueries is how many shared SELECTs FileRepo.Gets ran on db.
func (db *DB) FileReadQueries() int64 { return db.fileReads.queries.Load() }

// SetFileReadHook has hook run before each shared SELECT of the
// FileRepo.Gets of db; set it before the first Get.
func (db *DB) SetFileReadHook(hook func()) { db.fileReads.hook = hook }

// SetSQLiteCursor puts c's SQLite seal cursor at rowid, as found now.
func (c *AuditChain) SetSQLiteCursor(rowid int64) {
	c.cursor.mu.Lock()
	c.cursor.rowid, c.cursor.refreshed = rowid, time.Now()
	c.cursor.mu.Unlock()
}
