package application

import (
	"context"
	"errors"
	"time"

	"storagegw/domain"
)

// Options tune the use cases. The zero value is usable.
type Options struct {
	// ContentRules bound sizes and content types per kind; nil means
	// domain.DefaultContentRules().
	ContentRules map[domain.Kind]domain.ContentRule
	// UploadLease is how long an upload's reservation of a path holds
	// without renewal. A streamed upload renews it every UploadLease/3 while
	// it runs, so the reservation of an upload that died (a crashed process,
	// a cut connection) lapses within UploadLease: another upload then
	// takes the path over, on any replica, and the clean-up removes what is
	// left. Multipart sessions hold theirs for the session's lifetime.
	// Default DefaultUploadLease.
	UploadLease time.Duration
	// Retention is how long a soft-deleted file can be restored before the
	// retention purge may remove it. Default DefaultRetention (90 days).
	Retention time.Duration
	// Multipart tunes multipart uploads.
	Multipart MultipartOptions
	// Capabilities enable upload capabilities (IssueUploadCapability,
	// CapabilityUploads) when they have a sealer.
	Capabilities CapabilityOptions
	// Chain tunes the audit chain's sealer and verifier.
	Chain ChainOptions
	// Idempotency tunes Idempotency-Keys (NewIdempotency).
	Idempotency IdempotencyOptions
	// Versions configure the versions overwrites keep (EnableVersions).
	Versions VersionOptions
	// Quotas bound each org's usage (bytes and files); the zero value is
	// unlimited.
	Quotas domain.Quotas
	// OnBackgroundError hears of failures that cannot change a request's
	// answer: a compensation that could not remove a blob, the audit event
	// of a call that failed or was refused and could not be written either
	// (the answer is already an error). A change never succeeds without
	// its event, which commits in the change's transaction, so no failure
	// to audit a change that was made ever comes here. The wiring logs and
	// counts them. Nil ignores them.
	OnBackgroundError func(ctx context.Context, op string, err error)
}

// Application is the set of use cases the inbound adapters call.
type Application struct {
	Upload    *Upload
	SignURL   *SignURL
	Delete    *Delete
	Metadata  *Metadata
	List      *List
	AuditLogs *AuditLogs
	Restore   *Restore
	Purge     *Purge
	Reconcile *Reconcile
	// GetUsage reads an org's storage usage; RecountUsage checks it.
	GetUsage     *GetUsage
	RecountUsage *RecountUsage

	InitiateMultipart *InitiateMultipart
	MultipartPartURLs *MultipartPartURLs
	CompleteMultipart *CompleteMultipart
	AbortMultipart    *AbortMultipart
	ListUploadedParts *ListUploadedParts
	CleanupUploads    *CleanupUploads

	// TUS uploads, nil unless EnableTus was called.
	TusCreate    *TusCreate
	TusPatch     *TusPatch
	TusStatus    *TusStatus
	TusTerminate *TusTerminate

	// The audit chain: sealing, verification, export, checkpoints.
	SealAudit       *SealAudit
	VerifyAudit     *VerifyAudit
	ExportAudit     *ExportAudit
	AuditCheckpoint *AuditCheckpoint

	// Optional capabilities, nil unless the ports have them: Download when
	// the signer also verifies its URLs (local disk serves them itself),
	// ReceivePart when the store receives part bytes through the service.
	Download    *Download
	ReceivePart *ReceivePart
	// RevokeLinks, when links are kept (EnableLinks).
	RevokeLinks *RevokeLinks
	// ListLinks, when links are kept (EnableLinks).
	ListLinks *ListLinks
	// The legal holds' use cases, when holds are kept (EnableLegalHolds).
	SetLegalHold   *SetLegalHold
	ClearLegalHold *ClearLegalHold
	ListLegalHolds *ListLegalHolds
	// ListVersions and RestoreVersion, when versions are kept
	// (EnableVersions).
	ListVersions   *ListVersions
	RestoreVersion *RestoreVersion

	// Idempotency is set by the composition root over its key store
	// (NewIdempotency); nil, a request with an Idempotency-Key is refused.
	Idempotency *Idempotency
	// IssueUploadCapability and CapabilityUploads, when
	// Options.Capabilities has a sealer.
	IssueUploadCapability *IssueUploadCapability
	CapabilityUploads     *CapabilityUploads
}

// DefaultUploadLease is the lease of an upload's reservation unless
// configured.
const DefaultUploadLease = 30 * time.Second

// DefaultRetention is how long soft-deleted files are kept (SPEC §6).
const DefaultRetention = 90 * 24 * time.Hour

// deps is what every use case shares.
type deps struct {
	blobs  BlobStore
	temp   TempSweeper // nil unless the store writes through temp files (local disk)
	files  FileRepository
	audit  auditor
	clock  Clock
	opts   Options
	report func(ctx context.Context, op string, err error)
	// links keeps the links of signed URLs; nil until EnableLinks.
	links    Links
	linkOpts LinkOptions
	// versions keeps the contents overwrites replace; nil until
	// EnableVersions (an overwrite then removes the replaced blob).
	versions FileVersions
	// holds keeps the legal holds; nil until EnableLegalHolds (no hold can
	// stand). Every destroying change asks HeldBy(ctx, d.holds, path).
	holds LegalHolds
}

// New assembles the use cases over the given ports. tx must span files,
// audit and sessions (one database): every change commits in one of its
// transactions together with its audit event. Multipart uploads
// need sessions and a blob store that is a MultipartStore; without either
// they answer domain.ErrUnavailable; so do the audit chain's use cases
// without a chain. Download and ReceivePart are set only
// when signer is a SignedURLVerifier and blobs a PartReceiver.
func New(blobs BlobStore, files FileRepository, audit AuditLog, sessions UploadSessions, tx Transactor, chain AuditChain,
	signer URLSigner, clock Clock, opts Options) *Application {
	temp, _ := blobs.(TempSweeper) // the clean-up's alone, so found before the wrapping
	blobs = CheckedStore(blobs)
	if opts.ContentRules == nil {
		opts.ContentRules = domain.DefaultContentRules()
	}
	if opts.UploadLease <= 0 {
		opts.UploadLease = DefaultUploadLease
	}
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	report := opts.OnBackgroundError
	if report == nil {
		report = func(context.Context, string, error) {}
	}
	d := &deps{blobs: blobs, temp: temp, files: files, clock: clock, opts: opts, report: report,
		audit: auditor{log: audit, tx: tx, clock: clock, report: report}}
	mp := newMultipart(d, sessions, opts.Multipart)
	app := &Application{
		Upload:    &Upload{deps: d},
		SignURL:   &SignURL{deps: d, signer: signer},
		Delete:    &Delete{deps: d},
		Metadata:  &Metadata{deps: d},
		List:      &List{deps: d},
		AuditLogs: &AuditLogs{deps: d},
		Restore:   &Restore{deps: d},
		Purge:     &Purge{deps: d},
		Reconcile: &Reconcile{deps: d},

		GetUsage:     &GetUsage{deps: d},
		RecountUsage: &RecountUsage{deps: d},

		InitiateMultipart: &InitiateMultipart{mp},
		MultipartPartURLs: &MultipartPartURLs{mp},
		CompleteMultipart: &CompleteMultipart{mp},
		AbortMultipart:    &AbortMultipart{mp},
		ListUploadedParts: &ListUploadedParts{mp},
		CleanupUploads:    &CleanupUploads{mp},
	}
	if co := opts.Capabilities.withDefaults(); co.Sealer != nil {
		app.IssueUploadCapability = &IssueUploadCapability{deps: d, copts: co}
		app.CapabilityUploads = &CapabilityUploads{multipart: mp, sealer: co.Sealer, upload: app.Upload,
			initiate: app.InitiateMultipart, partURLs: app.MultipartPartURLs, list: app.ListUploadedParts,
			complete: app.CompleteMultipart, abort: app.AbortMultipart}
	}
	cd := &chainDeps{chain: chain, clock: clock, opts: opts.Chain.withDefaults()}
	app.SealAudit, app.VerifyAudit, app.ExportAudit = &SealAudit{chainDeps: cd}, &VerifyAudit{cd}, &ExportAudit{cd}
	app.AuditCheckpoint = &AuditCheckpoint{deps: d, chainDeps: cd}
	if v, ok := signer.(SignedURLVerifier); ok {
		app.Download = &Download{deps: d, verifier: v}
	}
	if _, ok := blobs.(PartReceiver); ok {
		app.ReceivePart = &ReceivePart{mp}
	}
	return app
}

// backgroundTimeout bounds each step of work that runs after the request's
// own context may have ended: one compensation step (removing a blob,
// releasing a reservation, discarding a session) or one audit write. Each
// step has its own, so a step that hangs cannot starve the next.
const backgroundTimeout = 10 * time.Second

// afterDatabaseFailure bounds a step on the database that follows a
// failure of the database itself (releasing the reservation, writing the
// failure's audit event): it will most likely fail too, and the request
// must end within about one database operation timeout, not two. A
// reservation left behind lapses with its lease.
const afterDatabaseFailure = time.Second

// afterStoreFailure bounds the removal of a blob that follows a failure of
// the store itself (an upload's Put that found the store unreachable): it
// will most likely fail too, and the request must end within about one
// store operation budget, not two. A blob or store upload left behind is
// the clean-up's (store uploads nothing owns) or reconcile's (orphans).
const afterStoreFailure = time.Second

// detached returns a context that survives the caller's cancellation, for
// one step of work that must finish (compensation, audit) even when the
// client left, bounded by backgroundTimeout.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), backgroundTimeout)
}

// detachedStoreAfter is detached for a store step that follows cause: its
// budget is afterStoreFailure when cause is the store's failure.
func detachedStoreAfter(ctx context.Context, cause error) (context.Context, context.CancelFunc) {
	var de *domain.Error
	if errors.As(cause, &de) && errors.Is(de.Kind, domain.ErrUnavailable) && de.Code == CodeStoreUnavailable {
		return context.WithTimeout(context.WithoutCancel(ctx), afterStoreFailure)
	}
	return detached(ctx)
}

// detachedAfter is detached for a database step that follows cause: its
// budget is afterDatabaseFailure when cause is the database's failure.
func detachedAfter(ctx context.Context, cause error) (context.Context, context.CancelFunc) {
	if domain.IsDatabaseUnavailable(cause) {
		return context.WithTimeout(context.WithoutCancel(ctx), afterDatabaseFailure)
	}
	return detached(ctx)
}
