package application

import (
	"context"
	"strings"
	"time"

	"storagegw/domain"
)

// DefaultReconcileGrace is how old an unreferenced blob must be before
// reconciliation removes it.
const DefaultReconcileGrace = 24 * time.Hour

// DoctorPrefix is the reserved key prefix of the probe objects that
// `storagegw doctor` writes; no storage path can start with it, and
// reconciliation treats a probe left behind as an orphan.
const DoctorPrefix = "_doctor/"

// ReconcileCommand asks to compare the records with the blobs.
type ReconcileCommand struct {
	OrgID string // empty: every org, and every blob of the store
	// Fix removes orphaned blobs older than Grace.
	Fix bool
	// Grace protects recent blobs from removal; 0 means
	// DefaultReconcileGrace.
	Grace time.Duration
	// OnFinding, when set, hears of each problem as it is found.
	OnFinding func(Finding)
	// Progress, when set, hears the running totals after each page.
	Progress func(ReconcileReport)
}

// FindingKind says what is wrong.
type FindingKind string

// The kinds of findings.
const (
	// FindingOrphan is a blob in storagegw's key layout that no record
	// points at (nor an upload in progress).
	FindingOrphan FindingKind = "orphan"
	// FindingMissing is a record (visible or soft-deleted) whose blob is
	// gone: its file cannot be read or restored.
	FindingMissing FindingKind = "missing"
	// FindingForeign is a blob whose key is not in storagegw's layout;
	// it is reported, never removed.
	FindingForeign FindingKind = "foreign"
)

// Finding is one inconsistency.
type Finding struct {
	Kind    FindingKind
	Key     string // the blob key (for missing: the key the record points at)
	Path    string // the file path, when known
	Size    int64
	ModTime time.Time
	// Outcome says what was done: "removed", "kept (within grace)",
	// "reported", or "remove failed: …".
	Outcome string
}

// ReconcileReport counts what reconciliation saw and found.
type ReconcileReport struct {
	Blobs          int64 // blobs scanned
	Records        int64 // records scanned, in every state
	Orphans        int64
	OrphansRemoved int64
	Missing        int64
	Foreign        int64
	Failures       int64 // orphans that could not be removed
}

// Clean reports whether store and database agree, or were made to agree:
// nothing missing, nothing foreign, every orphan removed.
func (r ReconcileReport) Clean() bool {
	return r.Missing == 0 && r.Foreign == 0 && r.Failures == 0 && r.Orphans == r.OrphansRemoved
}

// Reconcile compares the file records with the blobs of the store.
//
// It walks the blobs in key order (one org, or the whole store) and, for
// each file path among them, loads its record: a blob that is neither the
// record's current content nor the blob of an upload in progress (whose
// reservation's lease has not lapsed) is an orphan, left behind by a
// crash or a failed removal. Then it walks each org's records in every
// state: an active record (visible or soft-deleted) whose blob was not seen
// is checked once more, and missing if its blob is really gone. With Fix,
// orphans whose blob is older than the grace period are removed; missing
// blobs cannot be fixed here and are reported. Records are never changed.
type Reconcile struct {
	*deps
}

// Run reconciles and returns the totals. It fails on a bad command or when
// the store or the database fails; the totals are those reached so far.
func (r *Reconcile) Run(ctx context.Context, cmd ReconcileCommand) (ReconcileReport, error) {
	grace := cmd.Grace
	if grace == 0 {
		grace = DefaultReconcileGrace
	}
	if grace < 0 || strings.Contains(cmd.OrgID, "/") {
		return ReconcileReport{}, domain.Errorf(domain.ErrInvalid, "invalid_reconcile",
			"The grace period must be positive and the org an org id.")
	}
	w := &reconcileWalk{Reconcile: r, cmd: cmd, now: r.clock.Now(), grace: grace,
		orgs: map[string]bool{}, done: map[string]bool{}}
	if err := w.loadOrgs(ctx); err != nil {
		return w.rep, err
	}
	prefix := ""
	if cmd.OrgID != "" {
		prefix = cmd.OrgID + "/"
	}
	if err := w.walkBlobs(ctx, prefix); err != nil {
		return w.rep, err
	}
	for _, org := range w.orgList {
		if err := w.finishOrg(ctx, org); err != nil {
			return w.rep, err
		}
	}
	return w.rep, nil
}

// loadOrgs lists the orgs whose records are to be walked.
func (w *reconcileWalk) loadOrgs(ctx context.Context) error {
	if w.cmd.OrgID != "" {
		w.orgs[w.cmd.OrgID] = true
		w.orgList = []string{w.cmd.OrgID}
		return nil
	}
	after := ""
	for {
		page, err := w.files.ListOrgs(ctx, after, 1000)
		if err != nil {
			return err
		}
		for _, org := range page {
			w.orgs[org] = true
			w.orgList = append(w.orgList, org)
		}
		if len(page) < 1000 {
			return nil
		}
		after = page[len(page)-1]
	}
}

// walkBlobs pages through the blobs under prefix.
func (w *reconcileWalk) walkBlobs(ctx context.Context, prefix string) error {
	const page = 1000
	after := ""
	for {
		infos, err := w.blobs.List(ctx, prefix, after, page)
		if err != nil {
			return err
		}
		for _, info := range infos {
			if err := w.blob(ctx, info); err != nil {
				return err
			}
		}
		w.progress()
		if len(infos) < page {
			break
		}
		after = infos[len(infos)-1].Key
	}
	if err := w.flushPath(ctx); err != nil {
		return err
	}
	return w.finishOrg(ctx, w.org)
}
