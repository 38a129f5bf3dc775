package application

import (
	"bufio"
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/gabriel-vasile/mimetype"

	"storagegw/domain"
)

// UploadCommand asks to store one file.
type UploadCommand struct {
	Caller       Caller
	System       string
	ObjectType   string
	ObjectID     string
	Filename     string // as the client named it
	AddTimestamp bool
	Overwrite    bool
	Body         io.Reader
	// DeclaredSize is the size the client announced, or -1. A declared size
	// over the limit is refused before any byte is read.
	DeclaredSize int64
	// Receipt says the file is sent as a receipt (receipt-upload): it must
	// then be an image or a PDF, whatever else the kind's configured rule
	// allows (domain.ContentRule.ImagesAndPDF).
	Receipt bool
}

// Upload stores a file and its record.
//
// Order and compensation: (1) the path is reserved in the database (a
// pending record, or a pending upload id on the existing record), so racing
// uploads to one path are serialised and losers stop before writing; (2) the
// bytes stream into a blob key unique to this upload, sniffed, bounded and
// hashed on the way; (3) the record is switched to the new blob in one
// optimistic update; (4) the blob it replaced, if any, is removed. A failure
// in (2) or (3) removes this upload's own blob and releases the reservation,
// so no record points at a missing blob and, once Handle returns, no blob of
// this upload lingers unrecorded; a loser's clean-up only ever touches its
// own key. A crash between steps leaves at worst an unrecorded blob, which
// reconciliation removes. The commit (3) and the call's audit event are
// one transaction: an upload is never committed without its event, and an
// event that cannot be written fails the upload like a failed commit.
// A new timestamped path of an org without a quota skips (1) and (4): its
// record is created at (3) (see direct, runDirect).
type Upload struct {
	*deps
}

// Handle runs the upload and returns the committed record. It writes one
// audit event, refusals included: UPLOAD for a new file, EDIT for an
// overwrite. The kind's content rule is applied whole: the name before
// Body is read, size and type while it streams, and the archive check (an
// app-builder zip) once the bytes are stored and before they are
// committed.
func (u *Upload) Handle(ctx context.Context, cmd UploadCommand) (*domain.FileRecord, error) {
	e := entry{action: domain.ActionUpload, objType: cmd.ObjectType, objID: cmd.ObjectID,
		metadata: map[string]any{"overwrite": cmd.Overwrite}}
	rec, err := u.run(ctx, cmd, &e)
	if err := u.audit.finish(ctx, cmd.Caller, e, err, false); err != nil {
		return nil, err
	}
	return rec, nil
}

func (u *Upload) run(ctx context.Context, cmd UploadCommand, e *entry) (*domain.FileRecord, error) {
	spec := domain.PathSpec{System: cmd.System, ObjectType: cmd.ObjectType, ObjectID: cmd.ObjectID, Filename: cmd.Filename}
	path, rule, err := u.target(cmd.Caller.Principal, spec, cmd.AddTimestamp, e)
	if err != nil {
		return nil, err
	}
	if cmd.Receipt {
		rule = rule.ImagesAndPDF()
	}
	if err := rule.CheckName(cmd.Filename); err != nil {
		return nil, err
	}
	if cmd.DeclaredSize > 0 {
		if err := rule.CheckSize(cmd.DeclaredSize); err != nil {
			return nil, err
		}
		if err := u.precheckQuota(ctx, path, cmd.DeclaredSize); err != nil {
			return nil, err
		}
	}
	types, body, err := sniff(cmd.Body)
	if err != nil {
		return nil, err
	}
	contentType, err := rule.Accept(types)
	if err != nil {
		return nil, err
	}
	e.metadata["content_type"] = contentType
	if u.direct(path, cmd) {
		return u.runDirect(ctx, path, rule, body, contentType, cmd, e)
	}

	uploadID := newID()
	rec, quota, err := u.reserve(ctx, path, cmd, uploadID, u.opts.UploadLease, e)
	if err != nil {
		return nil, err
	}
	key := domain.BlobKeyFor(path, uploadID)
	// While the bytes stream (and the archive check reads them back) the
	// reservation's lease is renewed; an upload whose reservation was taken
	// over or released meanwhile stops at once (lctx ends).
	lctx, lost := context.WithCancelCause(ctx)
	defer lost(nil)
	lease := u.keepLease(lctx, rec, uploadID, lost)
	m := rule.Meter(quota.limit(body))
	info, err := u.blobs.Put(lctx, key, m, contentType)
	if err == nil && info.Size != m.N() {
		err = domain.Errorf(domain.ErrUnavailable, "store_size_mismatch",
			"The store kept a different number of bytes than were sent; try again.")
	}
	if err == nil {
		err = rule.CheckContent(&blobReaderAt{ctx: lctx, blobs: u.blobs, key: key}, m.N())
	}
	rec = lease.stop()
	if cause := context.Cause(lctx); err != nil && errors.Is(cause, domain.ErrExists) {
		err = cause // superseded: that is why the transfer stopped
	}
	if err != nil {
		u.abandonAfter(ctx, err, path, uploadID, key)
		return nil, err
	}
	content := domain.Content{BlobKey: key, ContentType: contentType, SizeBytes: m.N(), SHA256: m.SHA256()}
	e.metadata["size_bytes"], e.metadata["sha256"] = m.N(), content.SHA256
	saved, err := u.commit(ctx, rec, uploadID, content, cmd, cmd.Caller, e)
	if err != nil {
		u.abandonAfter(ctx, err, path, uploadID, key)
		return nil, err
	}
	return saved, nil
}

// rule is the configured content rule of kind k, naming k in its
// refusals.
func (d *deps) rule(k domain.Kind) (domain.ContentRule, error) {
	rule, ok := d.opts.ContentRules[k]
	if !ok {
		return domain.ContentRule{}, domain.Errorf(domain.ErrUnsupportedType, "kind_not_accepted",
			"Files of kind %s are not accepted by this service's configuration.", k)
	}
	rule.Kind = k
	return rule, nil
}

// sniffBytes is how much of the head of a file content sniffing reads.
const sniffBytes = 3072

// sniff peeks at the head of r without consuming it and returns the
// sniffer's verdict for domain.ContentRule.Accept (the detected type, then
// the types it specialises) together with the reader to stream from.
func sniff(r io.Reader) ([]string, *bufio.Reader, error) {
	br := bufio.NewReaderSize(r, sniffBytes)
	head, err := br.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, nil, err
	}
	if len(head) == 0 {
		return nil, nil, domain.Errorf(domain.ErrInvalid, "empty_file", "The file is empty.")
	}
	return typesOf(mimetype.Detect(head)), br, nil
}

// typesOf is m and the types it specialises, most specific first, without
// the catch-all application/octet-stream root.
func typesOf(m *mimetype.MIME) []string {
	types := []string{m.String()}
	for p := m.Parent(); p != nil && p.Parent() != nil; p = p.Parent() {
		types = append(types, p.String())
	}
	return types
}

// maxAttempts bounds the retries of optimistic updates that lost a race.
const maxAttempts = 3

// reserve claims path for uploadID under a lease of lease: a new pending
// record, or the existing record's reservation when the rules allow (see
// FileRecord.BeginUpload: a lapsed lease is taken over), provided
// cmd.DeclaredSize fits the org's quota (see quota.go); the reservation
// claims that size. It uses cmd's caller, filename, overwrite flag and
// declared size, and turns e into an EDIT when the upload would replace a
// file. Upload and the multipart uploads share it, and commit and
// abandon. It returns what the org's quota allows the upload.
func (d *deps) reserve(ctx context.Context, path domain.StoragePath, cmd UploadCommand, uploadID string, lease time.Duration,
	e *entry) (*domain.FileRecord, allowance, error) {
	org := path.OrgID()
	quota := d.opts.Quotas.For(org)
	for attempt := 0; ; attempt++ {
		var (
			rec   *domain.FileRecord
			a     = unlimited(org)
			retry bool
			err   error
		)
		if quota.Unlimited() {
			rec, retry, err = d.reserveOnce(ctx, path, cmd, uploadID, lease, e, nil)
		} else {
			a.quota = quota
			err = d.audit.tx.InTx(ctx, func(ctx context.Context) error {
				var err error
				rec, retry, err = d.reserveOnce(ctx, path, cmd, uploadID, lease, e, &a)
				if retry && err == nil {
					err = errRetryReservation
				}
				return err
			})
		}
		if retry && attempt < maxAttempts {
			continue
		}
		if retry {
			return nil, a, domain.Errorf(domain.ErrExists, "upload_in_progress", "Another upload to this path is in progress.")
		}
		return rec, a, err
	}
}

// errRetryReservation rolls back a reservation's transaction that lost a
// race and must be tried again.
var errRetryReservation = errors.New("reservation raced: try again")

// reserveOnce is one attempt of reserve; retry reports a lost race. With
// a (the org has a quota) it runs in a transaction: it reads the org's
// usage, holding it, checks the declared size, and fills a in.
func (d *deps) reserveOnce(ctx context.Context, path domain.StoragePath, cmd UploadCommand, uploadID string, lease time.Duration,
	e *entry, a *allowance) (rec *domain.FileRecord, retry bool, err error) {
	now := d.clock.Now()
	if a != nil {
		if a.used, a.inflight, err = d.files.OrgUsage(ctx, path.OrgID(), now); err != nil {
			return nil, false, err
		}
	}
	// The record to save: a new pending one, or the existing record with
	// this upload's reservation begun.
	target, err := d.files.Get(ctx, path)
	creating := errors.Is(err, domain.ErrNotFound)
	switch {
	case creating:
		if target, err = domain.NewPendingRecord(newID(), path, cmd.Filename, cmd.Caller.Principal.UserID, uploadID, now, lease); err != nil {
			return nil, false, err
		}
	case err != nil:
		return nil, false, err
	default:
		if target.WouldOverwrite() {
			e.action = domain.ActionEdit
			if cmd.Overwrite { // without it, BeginUpload answers that the path is taken
				if err := target.AuthorizeOverwrite(cmd.Caller.Principal); err != nil {
					return nil, false, err
				}
			}
		}
		if err := target.BeginUpload(uploadID, cmd.Overwrite, now, lease); err != nil {
			return nil, false, err
		}
		if a != nil && !d.versionedKind(path) {
			a.replaced = target.Usage() // freed, unless kept as a version
		}
	}
	if a != nil {
		if err := a.fits(max(cmd.DeclaredSize, 1)); err != nil { // a file is never empty
			return nil, false, err
		}
		if err := target.DeclareSize(uploadID, cmd.DeclaredSize); err != nil {
			return nil, false, err
		}
	}
	if creating {
		rec, err = d.files.Create(ctx, target)
		if errors.Is(err, domain.ErrExists) {
			return nil, true, nil // created meanwhile
		}
		return rec, false, err
	}
	rec, err = d.files.Update(ctx, target)
	if isConflict(err) || errors.Is(err, domain.ErrNotFound) {
		return nil, true, nil
	}
	return rec, false, err
}

// commit points the record at the new content, in one transaction with
// the call's event (e, written as caller's), retrying when a concurrent
// change (a soft delete, say) moved the record's version on. The content
// it replaces is kept as a version when the rules say so (keepReplaced,
// in the same transaction); otherwise, once that committed, it removes the
// replaced blob (a failure there is reported and left to reconciliation:
// the record is already right).
// cmd names the uploader and the file.
func (d *deps) commit(ctx context.Context, rec *domain.FileRecord, uploadID string, c domain.Content, cmd UploadCommand,
	caller Caller, e *entry) (*domain.FileRecord, error) {
	for attempt := 0; ; attempt++ {
		prev, err := domain.RehydrateFileRecord(rec.Data())
		if err != nil {
			return nil, err
		}
		replaced, err := rec.CompleteUpload(uploadID, c, cmd.Filename, cmd.Caller.Principal.UserID, d.clock.Now())
		if err != nil {
			return nil, err
		}
		var saved *domain.FileRecord
		delete(e.metadata, "kept_version_id")
		err = d.audit.change(ctx, caller, e, func(ctx context.Context) (err error) {
			// The replaced content stays as a version (keepReplaced) in
			// this transaction, before the quota check, which then counts
			// it; otherwise its blob goes once this committed.
			if replaced != "" {
				kept, err := d.keepReplaced(ctx, prev, e)
				if err != nil {
					return err
				}
				if kept {
					replaced = ""
				}
			}
			if err := d.checkQuotaAtCommit(ctx, rec); err != nil {
				return err
			}
			saved, err = d.files.Update(ctx, rec)
			e.result = saved
			return err
		})
		if err == nil {
			d.removeReplaced(ctx, replaced)
			return saved, nil
		}
		if !isConflict(err) || attempt >= maxAttempts {
			return nil, err
		}
		if rec, err = d.files.Get(ctx, rec.Path()); err != nil {
			return nil, err
		}
	}
}

// removeReplaced removes a blob that committed content replaced, if any.
func (d *deps) removeReplaced(ctx context.Context, key string) {
	d.removeBlobs(ctx, "remove replaced blob", key)
}

// removeBlobs removes, after the commit that let go of them, blobs no
// record or version names any more (empty keys are skipped), with a
// context of its own so that a request that ended still cleans up; a
// failure is reported as op and left to reconciliation.
func (d *deps) removeBlobs(ctx context.Context, op string, keys ...string) {
	dctx, cancel := detached(ctx)
	defer cancel()
	for _, key := range keys {
		if key == "" {
			continue
		}
		if err := d.blobs.Delete(dctx, key); err != nil {
			d.report(ctx, op, err)
		}
	}
}

// target authorizes an upload by p and resolves where the file goes (the
// org from p, the timestamp prefix when asked) and the content rule it must
// meet (the configured rule of its kind).
func (d *deps) target(p domain.Principal, spec domain.PathSpec, addTimestamp bool, e *entry) (domain.StoragePath, domain.ContentRule, error) {
	if err := p.Authorize(domain.PermUpload); err != nil {
		return domain.StoragePath{}, domain.ContentRule{}, err
	}
	spec.OrgID = p.OrgID
	if addTimestamp {
		spec.Timestamp = d.clock.Now()
	}
	path, err := domain.NewStoragePath(spec)
	if err != nil {
		return domain.StoragePath{}, domain.ContentRule{}, err
	}
	e.forPath(path)
	rule, err := d.rule(path.Kind())
	return path, rule, err
}

// abandon undoes a failed upload: it removes this upload's own blob and
// releases its reservation (removing a record that never held content).
func (d *deps) abandon(ctx context.Context, path domain.StoragePath, uploadID, key string) {
	d.abandonAfter(ctx, nil, path, uploadID, key)
}

// abandonAfter is abandon after the failure cause. Both steps run detached
// from the request, so a client that went away cannot stop them, and at
// once, each under its own deadline: a store that hangs on the delete
// cannot starve the release (nor be blamed on the database), and the
// request waits for the slower of the two, not their sum. The release
// follows cause's rule (detachedAfter): after a database failure it gets
// a short budget, and so does the blob's removal after a failure of the
// store (detachedStoreAfter); a reservation it could not release lapses with its
// lease. Releasing before the blob is gone is safe: the blob key is this
// upload's alone, and no record points at it.
func (d *deps) abandonAfter(ctx context.Context, cause error, path domain.StoragePath, uploadID, key string) {
	var wg sync.WaitGroup
	wg.Go(func() {
		bctx, cancel := detachedStoreAfter(ctx, cause)
		defer cancel()
		if err := d.blobs.Delete(bctx, key); err != nil && !errors.Is(err, domain.ErrNotFound) {
			d.report(ctx, "remove abandoned blob", err)
		}
	})
	rctx, cancel := detachedAfter(ctx, cause)
	defer cancel()
	if _, err := d.release(rctx, path, uploadID); err != nil {
		d.report(ctx, "release reservation", err)
	}
	wg.Wait()
}

// release gives up uploadID's reservation of path: the record is removed
// when it never held content, else its reservation cleared. A reservation
// that is someone else's by now, or a record gone, is left alone. It
// reports whether this call released it (not another run or request).
func (d *deps) release(ctx context.Context, path domain.StoragePath, uploadID string) (bool, error) {
	for attempt := 0; ; attempt++ {
		rec, err := d.files.Get(ctx, path)
		if errors.Is(err, domain.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if rec.PendingUploadID() != uploadID {
			return false, nil // the reservation is someone else's now
		}
		if rec.AbandonUpload(uploadID) {
			err = d.files.Delete(ctx, rec)
		} else {
			_, err = d.files.Update(ctx, rec)
		}
		if !isConflict(err) || attempt >= maxAttempts {
			if errors.Is(err, domain.ErrNotFound) {
				return false, nil
			}
			return err == nil, err
		}
	}
}
