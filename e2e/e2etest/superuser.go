package e2etest

import (
	"context"

	"storagegw/adapters/postgres"
)

// Superuser runs statements on the instance's database with the
// append-only triggers out of the way, as a database superuser or someone
// with the disk could: on PostgreSQL with session_replication_role =
// replica, on SQLite by dropping every trigger and recreating it after.
func (a *API) Superuser(stmts ...string) {
	a.T.Helper()
	ctx := context.Background()
	conn, err := a.Svc.DB.SQL().Conn(ctx)
	if err != nil {
		a.T.Fatal(err)
	}
	defer conn.Close()
	exec := func(s string) {
		a.T.Helper()
		if _, err := conn.ExecContext(ctx, s); err != nil {
			a.T.Fatalf("%s: %v", s, err)
		}
	}
	if a.Svc.DB.Dialect() == postgres.DialectPostgres {
		exec("SET session_replication_role = replica")
		defer exec("RESET session_replication_role")
		for _, s := range stmts {
			exec(s)
		}
		return
	}
	rows, err := conn.QueryContext(ctx, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
	if err != nil {
		a.T.Fatal(err)
	}
	var names, sqls []string
	for rows.Next() {
		var n, s string
		if err := rows.Scan(&n, &s); err != nil {
			a.T.Fatal(err)
		}
		names, sqls = append(names, n), append(sqls, s)
	}
	if err := rows.Close(); err != nil {
		a.T.Fatal(err)
	}
	for _, n := range names {
		exec("DROP TRIGGER " + n)
	}
	for _, s := range stmts {
		exec(s)
	}
	for _, s := range sqls {
		exec(s)
	}
}
