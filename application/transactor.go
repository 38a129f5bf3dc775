package application

import "context"

// Transactor runs a unit of work over the persistence ports in one
// database transaction, so that a change and its audit event commit
// together or not at all.
//
// InTx begins a transaction and calls fn with a context that carries it:
// every FileRepository, UploadSessions and AuditLog method of the same
// store called with that context (or one derived from it, detached ones
// included) runs in the transaction. fn must make every such call with
// that context: a call made with another context runs outside, and on a
// store with a single connection (SQLite) it waits for the transaction
// to end.
//
// The transaction commits iff fn returns nil; then InTx returns the
// commit's error. When fn fails, everything it did through the ports is
// rolled back and fn's error is returned as is; a store error inside fn
// (a failed Append, say) is fn's to return, and the store may refuse
// further statements of a transaction that saw one (PostgreSQL), so fn
// should return it. A transaction that cannot begin or commit is
// domain.ErrUnavailable (wrapped); a failed commit may, rarely, have
// committed (the connection broke after COMMIT was sent).
//
// A nested InTx (ctx already carries a transaction of the same store)
// runs fn in the enclosing transaction: it commits or rolls back with it,
// and fn's error is returned to the enclosing fn.
//
// Transactions keep the ports' own rules: an optimistic Update or Delete
// that lost a race still fails with domain.CodeConcurrentUpdate, and a
// claim of ClaimPurgeBatch made inside a transaction holds its records
// until the transaction ends.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}
