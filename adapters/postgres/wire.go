package postgres

import (
	"context"

	"github.com/google/wire"

	"storagegw/application"
)

// DSN is the database to open: a postgres:// URL or an SQLite file path.
type DSN string

// ProviderSet provides the database, the file repository, the upload
// sessions and the audit log, bound to their application ports.
var ProviderSet = wire.NewSet(
	ProvideDB,
	NewFileRepo,
	wire.Bind(new(application.FileRepository), new(*FileRepo)),
	NewSessions,
	wire.Bind(new(application.UploadSessions), new(*Sessions)),
	NewAuditLog,
	wire.Bind(new(application.AuditLog), new(*AuditLog)),
)

// ProvideDB opens dsn; the cleanup closes it. It does not migrate: call
// (*DB).Migrate (the migrate command, or serve in development).
func ProvideDB(ctx context.Context, dsn DSN) (*DB, func(), error) {
	db, err := Open(ctx, string(dsn))
	if err != nil {
		return nil, nil, err
	}
	return db, func() { db.Close() }, nil
}
