package postgres

import "database/sql"

// Waiting is how many Appends of b are queued and not yet answered.
func (b *AuditBatcher) Waiting() int { return int(b.waiting.Load()) }

// Reader is an SQLite database's pool of read-only connections (nil on
// PostgreSQL).
func (db *DB) Reader() *sql.DB { return db.reader }
