package application

import (
	"context"
	"errors"
	"strings"
	"time"

	"storagegw/domain"
)

// reconcileWalk is the state of one Reconcile.Run. Blob keys come sorted,
// so the keys of one org, and within it of one path ("{path}/{upload}"),
// are contiguous: the walk keeps only the current org's confirmed records
// and the current path's keys.
type reconcileWalk struct {
	*Reconcile
	cmd     ReconcileCommand
	now     time.Time
	grace   time.Duration
	rep     ReconcileReport
	orgs    map[string]bool // orgs whose records are walked
	orgList []string
	done    map[string]bool // orgs whose records were walked

	org       string          // org of the blobs being walked
	confirmed map[string]bool // ids of org's records whose blob was seen
	path      domain.StoragePath
	keys      []BlobInfo // the current path's blobs
}

// blob takes the next blob of the walk.
func (w *reconcileWalk) blob(ctx context.Context, info BlobInfo) error {
	w.rep.Blobs++
	org, _, _ := strings.Cut(info.Key, "/")
	if org != w.org {
		if err := w.flushPath(ctx); err != nil {
			return err
		}
		if err := w.finishOrg(ctx, w.org); err != nil {
			return err
		}
		w.org, w.confirmed = org, map[string]bool{}
	}
	path, ok := domain.PathOfBlobKey(info.Key)
	switch {
	case !ok && strings.HasPrefix(info.Key, DoctorPrefix):
		return w.orphan(ctx, info, "")
	case !ok:
		w.rep.Foreign++
		w.found(Finding{Kind: FindingForeign, Key: info.Key, Size: info.Size, ModTime: info.ModTime, Outcome: "reported"})
		return nil
	}
	if path != w.path {
		if err := w.flushPath(ctx); err != nil {
			return err
		}
		w.path = path
	}
	w.keys = append(w.keys, info)
	return nil
}

// flushPath classifies the blobs of the current path against its record.
func (w *reconcileWalk) flushPath(ctx context.Context) error {
	keys := w.keys
	w.keys = nil
	if len(keys) == 0 {
		return nil
	}
	rec, err := w.files.Get(ctx, w.path)
	if errors.Is(err, domain.ErrNotFound) {
		rec, err = nil, nil
	}
	if err != nil {
		return err
	}
	kept, err := w.versionKeys(ctx, w.path)
	if err != nil {
		return err
	}
	for _, info := range keys {
		switch {
		case rec != nil && rec.Content().BlobKey == info.Key:
			w.confirmed[rec.ID()] = true
		case kept[info.Key]: // a version's blob
		case rec != nil && w.uploading(rec, info.Key):
		default:
			if err := w.orphan(ctx, info, w.path.String()); err != nil {
				return err
			}
		}
	}
	return nil
}

// versionKeys is the set of blob keys path's versions keep.
func (w *reconcileWalk) versionKeys(ctx context.Context, path domain.StoragePath) (map[string]bool, error) {
	if w.versions == nil {
		return nil, nil
	}
	vs, err := w.versions.List(ctx, path)
	if err != nil {
		return nil, err
	}
	kept := make(map[string]bool, len(vs))
	for _, v := range vs {
		kept[v.Content.BlobKey] = true
	}
	return kept, nil
}

// uploading reports whether key is the blob of the upload that holds rec's
// reservation, and the reservation's lease has not lapsed.
func (w *reconcileWalk) uploading(rec *domain.FileRecord, key string) bool {
	d := rec.Data()
	return d.PendingUploadID != "" && key == domain.BlobKeyFor(d.Path, d.PendingUploadID) && !rec.LeaseLapsed(w.now)
}

// orphan reports an unreferenced blob and, with Fix, removes it once it is
// older than the grace period.
func (w *reconcileWalk) orphan(ctx context.Context, info BlobInfo, path string) error {
	w.rep.Orphans++
	f := Finding{Kind: FindingOrphan, Key: info.Key, Path: path, Size: info.Size, ModTime: info.ModTime, Outcome: "reported"}
	switch {
	case w.now.Sub(info.ModTime) < w.grace:
		f.Outcome = "kept (within grace)"
	case w.cmd.Fix:
		if err := w.blobs.Delete(ctx, info.Key); err != nil {
			w.rep.Failures++
			f.Outcome = "remove failed: " + err.Error()
			break
		}
		w.rep.OrphansRemoved++
		f.Outcome = "removed"
	}
	w.found(f)
	return nil
}

// finishOrg walks org's records and reports those whose blob is gone. Each
// org is walked once; orgs without records are skipped.
func (w *reconcileWalk) finishOrg(ctx context.Context, org string) error {
	if !w.orgs[org] || w.done[org] {
		return nil
	}
	w.done[org] = true
	confirmed := w.confirmed
	if org != w.org {
		confirmed = nil // no blob of org was seen
	}
	q := ListQuery{OrgID: org, Limit: 500, IncludeDeleted: true}
	for {
		page, err := w.files.List(ctx, q)
		if err != nil {
			return err
		}
		for _, rec := range page {
			w.rep.Records++
			if rec.State() == domain.StateActive && !confirmed[rec.ID()] {
				if err := w.checkMissing(ctx, rec.Path()); err != nil {
					return err
				}
			}
		}
		w.progress()
		if len(page) < q.Limit {
			return nil
		}
		q.After = page[len(page)-1].Path().String()
	}
}

// checkMissing looks again at a record whose blob the walk did not see (it
// may have changed since) and reports it when its blob is gone.
func (w *reconcileWalk) checkMissing(ctx context.Context, path domain.StoragePath) error {
	rec, err := w.files.Get(ctx, path)
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if rec.State() != domain.StateActive {
		return nil
	}
	key := rec.Content().BlobKey
	_, err = w.blobs.Stat(ctx, key)
	if errors.Is(err, domain.ErrNotFound) {
		w.rep.Missing++
		w.found(Finding{Kind: FindingMissing, Key: key, Path: path.String(), Size: rec.Content().SizeBytes,
			ModTime: rec.UpdatedAt(), Outcome: "reported"})
		return nil
	}
	return err
}

func (w *reconcileWalk) found(f Finding) {
	if w.cmd.OnFinding != nil {
		w.cmd.OnFinding(f)
	}
}

func (w *reconcileWalk) progress() {
	if w.cmd.Progress != nil {
		w.cmd.Progress(w.rep)
	}
}
