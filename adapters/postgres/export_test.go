package postgres

// Queued is how many events wait in b's queue, for the tests of
// back-pressure and shutdown.
func (b *AuditBatcher) Queued() int { return len(b.queue) }
