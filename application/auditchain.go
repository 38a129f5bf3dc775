package application

import (
	"context"
	"crypto/ed25519"
	"time"

	"storagegw/domain"
)

// AuditChain is the tamper-evident seal over the AuditLog: per org, a hash
// chain of links (domain.ChainLink), one per event, and signed checkpoints
// of its head. Links and checkpoints are append-only, like the events.
type AuditChain interface {
	// Seal runs fn in one transaction as the cluster's only sealer and
	// commits what it appended when fn returns nil. When another sealer
	// holds the seal, it returns false without running fn. A database
	// that cannot be reached is domain.ErrUnavailable (wrapped).
	Seal(ctx context.Context, fn func(ctx context.Context, tx SealTx) error) (bool, error)

	// Orgs lists, sorted, every org that has an event or a link.
	Orgs(ctx context.Context) ([]string, error)
	// Links calls fn with org's links in seq order from afterSeq+1 on, each
	// with its event, or a nil event when the link's event is gone; fn's
	// error stops the walk and is returned.
	Links(ctx context.Context, org string, afterSeq int64, fn func(domain.ChainLink, *domain.AuditEvent) error) error
	// Unlinked returns up to limit of org's events older than before that
	// have no link, oldest first.
	Unlinked(ctx context.Context, org string, before time.Time, limit int) ([]*domain.AuditEvent, error)
	// Checkpoints calls fn with org's checkpoints in seq order.
	Checkpoints(ctx context.Context, org string, fn func(domain.SignedCheckpoint) error) error
	// LatestCheckpoint returns org's checkpoint of the highest seq;
	// domain.ErrNotFound when it has none.
	LatestCheckpoint(ctx context.Context, org string) (domain.SignedCheckpoint, error)
}

// SealTx is what the sealer reads and appends inside its transaction.
type SealTx interface {
	// Pending returns up to limit events that are committed, have no
	// link, have a timestamp at or after since (zero: any), and were
	// inserted by a transaction older than every transaction still
	// running, so no transaction in flight can add an event to the set;
	// ordered by timestamp, then id.
	Pending(ctx context.Context, since time.Time, limit int) ([]*domain.AuditEvent, error)
	// Head returns org's last link; seq 0 and domain.GenesisHash when the
	// org has none.
	Head(ctx context.Context, org string) (domain.ChainLink, error)
	// AppendLinks stores links. A taken event id or (org, seq) is
	// domain.ErrExists.
	AppendLinks(ctx context.Context, links []domain.ChainLink) error
	// RecentHeads returns, per org with a link sealed at or after since,
	// its last link.
	RecentHeads(ctx context.Context, since time.Time) ([]domain.ChainLink, error)
	// LatestCheckpoint is AuditChain.LatestCheckpoint inside the seal.
	LatestCheckpoint(ctx context.Context, org string) (domain.SignedCheckpoint, error)
	// AppendCheckpoint stores c. A taken (org, seq) is domain.ErrExists.
	AppendCheckpoint(ctx context.Context, c domain.SignedCheckpoint) error
}

// ChainOptions tune the sealer and the verifier. The zero value is usable
// but for the keys: without SigningKey the sealer writes no checkpoints.
type ChainOptions struct {
	// SigningKey signs the checkpoints.
	SigningKey ed25519.PrivateKey
	// VerifyKeys are the public keys checkpoints may be signed with: the
	// signing key's and the retired ones'.
	VerifyKeys []ed25519.PublicKey
	// CheckpointEvery is the most events an org gets between checkpoints
	// (default 1000); CheckpointInterval the longest a sealed event waits
	// for one (default 5s).
	CheckpointEvery    int
	CheckpointInterval time.Duration
	// Lookback bounds how far back the periodic seal looks for events
	// without a link (default 1h); a full seal looks at all of them.
	Lookback time.Duration
	// Grace is how long an event may stay unsealed before verification
	// reports it (default 5m).
	Grace time.Duration
}

func (o ChainOptions) withDefaults() ChainOptions {
	if o.CheckpointEvery <= 0 {
		o.CheckpointEvery = 1000
	}
	if o.CheckpointInterval <= 0 {
		o.CheckpointInterval = 5 * time.Second
	}
	if o.Lookback <= 0 {
		o.Lookback = time.Hour
	}
	if o.Grace <= 0 {
		o.Grace = 5 * time.Minute
	}
	if o.SigningKey != nil {
		pub := o.SigningKey.Public().(ed25519.PublicKey)
		found := false
		for _, k := range o.VerifyKeys {
			found = found || k.Equal(pub)
		}
		if !found {
			o.VerifyKeys = append([]ed25519.PublicKey{pub}, o.VerifyKeys...)
		}
	}
	return o
}

// chainDeps is what the chain's use cases share.
type chainDeps struct {
	chain AuditChain
	clock Clock
	opts  ChainOptions
}

func (c *chainDeps) available() error {
	if c.chain == nil {
		return domain.Errorf(domain.ErrUnavailable, "audit_chain_unavailable", "The audit chain is not configured.")
	}
	return nil
}
