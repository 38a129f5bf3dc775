package postgres

// Waiting is how many Appends of b are queued and not yet answered.
func (b *AuditBatcher) Waiting() int { return int(b.waiting.Load()) }
