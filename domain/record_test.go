package domain_test

import (
	"strings"
	"testing"
	"time"

	"storagegw/domain"
)

const stale = 15 * time.Minute

var recPath = "acme/workspace/doc/d1/a.pdf"

func content(key string) domain.Content {
	return domain.Content{BlobKey: key, ContentType: "application/pdf", SizeBytes: 42, SHA256: strings.Repeat("ab", 32)}
}

// pending returns a record that upload "u1" reserved at t0.
func pending(t *testing.T) *domain.FileRecord {
	t.Helper()
	r, err := domain.NewPendingRecord("rec-1", mustPath(t, recPath), "a.pdf", "alice", "u1", t0, stale)
	if err != nil {
		t.Fatalf("NewPendingRecord: %v", err)
	}
	return r
}

// active returns a visible record whose blob is "blob-1", committed at t0+1m.
func active(t *testing.T) *domain.FileRecord {
	t.Helper()
	r := pending(t)
	if _, err := r.CompleteUpload("u1", content("blob-1"), "a.pdf", "alice", t0.Add(time.Minute)); err != nil {
		t.Fatalf("CompleteUpload: %v", err)
	}
	return r
}

// softDeleted returns active(t) soft-deleted by bob at t0+2m.
func softDeleted(t *testing.T) *domain.FileRecord {
	t.Helper()
	r := active(t)
	if err := r.SoftDelete("bob", t0.Add(2*time.Minute)); err != nil {
		t.Fatalf("SoftDelete: %v", err)
	}
	return r
}

// purged returns softDeleted(t) purged by the system at t0+3m.
func purged(t *testing.T) *domain.FileRecord {
	t.Helper()
	r := softDeleted(t)
	if _, err := r.Purge(domain.SystemActor, t0.Add(3*time.Minute)); err != nil {
		t.Fatalf("Purge: %v", err)
	}
	return r
}

func TestNewPendingRecord(t *testing.T) {
	t.Parallel()
	p := mustPath(t, recPath)
	tests := []struct {
		name           string
		id, by, upload string
		path           domain.StoragePath
		now            time.Time
		wantErr        bool
	}{
		{name: "valid", id: "r1", by: "alice", upload: "u1", path: p, now: t0},
		{name: "no id", id: "", by: "alice", upload: "u1", path: p, now: t0, wantErr: true},
		{name: "no upload id", id: "r1", by: "alice", upload: "", path: p, now: t0, wantErr: true},
		{name: "zero path", id: "r1", by: "alice", upload: "u1", now: t0, wantErr: true},
		{name: "no uploader", id: "r1", by: "", upload: "u1", path: p, now: t0, wantErr: true},
		{name: "zero time", id: "r1", by: "alice", upload: "u1", path: p, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := domain.NewPendingRecord(tt.id, tt.path, "orig name.pdf", tt.by, tt.upload, tt.now, stale)
			if tt.wantErr {
				checkErr(t, err, domain.ErrInvalid, "invalid_record")
				if r != nil {
					t.Errorf("got record %+v with the error, want nil", r.Data())
				}
				return
			}
			checkErr(t, err, nil, "")
			if r.State() != domain.StatePending || r.PendingUploadID() != "u1" || r.Visible() || r.WouldOverwrite() || r.Deleted() {
				t.Errorf("got state %s, pending %q, visible %v, would overwrite %v, deleted %v; want pending, u1, false, false, false",
					r.State(), r.PendingUploadID(), r.Visible(), r.WouldOverwrite(), r.Deleted())
			}
			if r.ID() != "r1" || r.Path() != p || r.OriginalFilename() != "orig name.pdf" || r.UploadedBy() != "alice" {
				t.Errorf("got %+v, want id r1, path %s, original \"orig name.pdf\", uploader alice", r.Data(), p)
			}
			if r.Content() != (domain.Content{}) {
				t.Errorf("got content %+v, want none", r.Content())
			}
		})
	}
}

func TestNewPendingRecordStoresUTC(t *testing.T) {
	t.Parallel()
	local := t0.In(time.FixedZone("CET", 3600))
	r, err := domain.NewPendingRecord("r1", mustPath(t, recPath), "a.pdf", "alice", "u1", local, stale)
	checkErr(t, err, nil, "")
	d := r.Data()
	for name, got := range map[string]time.Time{"CreatedAt": d.CreatedAt, "UpdatedAt": d.UpdatedAt, "PendingSince": d.PendingSince} {
		if got.Location() != time.UTC || !got.Equal(t0) {
			t.Errorf("%s = %v, want %v in UTC", name, got, t0)
		}
	}
}

func TestBeginUpload(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		record    func(*testing.T) *domain.FileRecord
		uploadID  string
		overwrite bool
		now       time.Time
		kind      error
		code      string
	}{
		{name: "fresh reservation in progress", record: pending, uploadID: "u2", now: t0.Add(time.Minute), kind: domain.ErrExists, code: "upload_in_progress"},
		{name: "fresh reservation in progress, overwrite", record: pending, uploadID: "u2", overwrite: true, now: t0.Add(time.Minute), kind: domain.ErrExists, code: "upload_in_progress"},
		{name: "just under stale", record: pending, uploadID: "u2", now: t0.Add(stale - time.Nanosecond), kind: domain.ErrExists, code: "upload_in_progress"},
		{name: "stale reservation taken over", record: pending, uploadID: "u2", now: t0.Add(stale + time.Second)},
		{name: "exactly stale taken over", record: pending, uploadID: "u2", now: t0.Add(stale)},
		{name: "active without overwrite", record: active, uploadID: "u2", now: t0.Add(time.Hour), kind: domain.ErrExists, code: "file_exists"},
		{name: "active with overwrite", record: active, uploadID: "u2", overwrite: true, now: t0.Add(time.Hour)},
		{name: "soft-deleted without overwrite", record: softDeleted, uploadID: "u2", now: t0.Add(time.Hour), kind: domain.ErrExists, code: "deleted_file_at_path"},
		{name: "soft-deleted with overwrite", record: softDeleted, uploadID: "u2", overwrite: true, now: t0.Add(time.Hour)},
		{name: "purged without overwrite", record: purged, uploadID: "u2", now: t0.Add(time.Hour)},
		{name: "purged with overwrite", record: purged, uploadID: "u2", overwrite: true, now: t0.Add(time.Hour)},
		{name: "no upload id", record: active, uploadID: "", overwrite: true, now: t0.Add(time.Hour), kind: domain.ErrInvalid, code: "invalid_upload"},
		{name: "renewed lease holds", record: renewed, uploadID: "u2", now: t0.Add(stale + time.Minute), kind: domain.ErrExists, code: "upload_in_progress"},
		{name: "renewed lease lapses in turn", record: renewed, uploadID: "u2", now: t0.Add(2 * stale)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tt.record(t)
			before := r.Data()
			err := r.BeginUpload(tt.uploadID, tt.overwrite, tt.now, stale)
			if tt.kind != nil {
				checkErr(t, err, tt.kind, tt.code)
				if r.Data() != before {
					t.Errorf("refused BeginUpload changed the record: got %+v, want %+v", r.Data(), before)
				}
				return
			}
			checkErr(t, err, nil, "")
			d := r.Data()
			if d.PendingUploadID != tt.uploadID || !d.PendingSince.Equal(tt.now) || !d.PendingUntil.Equal(tt.now.Add(stale)) {
				t.Errorf("reservation = %q since %v until %v, want %q since %v until %v", d.PendingUploadID, d.PendingSince,
					d.PendingUntil, tt.uploadID, tt.now, tt.now.Add(stale))
			}
			if d.State != before.State || d.Content != before.Content || d.Deleted != before.Deleted {
				t.Errorf("BeginUpload changed state/content/deletion: got %+v, want %+v", d, before)
			}
		})
	}
}

// renewed is pending's record whose upload renewed its lease at t0+stale/2.
func renewed(t *testing.T) *domain.FileRecord {
	r := pending(t)
	checkErr(t, r.ExtendLease("u1", t0.Add(stale/2+stale)), nil, "")
	return r
}

func TestLeaseLapsed(t *testing.T) {
	t.Parallel()
	r := pending(t)
	if r.LeaseLapsed(t0.Add(stale-time.Nanosecond)) || !r.LeaseLapsed(t0.Add(stale)) {
		t.Errorf("LeaseLapsed just before and at %v: got %v, %v; want false, true", stale,
			r.LeaseLapsed(t0.Add(stale-time.Nanosecond)), r.LeaseLapsed(t0.Add(stale)))
	}
	checkErr(t, r.ExtendLease("u1", t0.Add(time.Second)), nil, "") // never shortens
	if !r.PendingUntil().Equal(t0.Add(stale)) {
		t.Errorf("PendingUntil after a shorter extension = %v, want %v", r.PendingUntil(), t0.Add(stale))
	}
	checkErr(t, r.ExtendLease("u9", t0.Add(time.Hour)), domain.ErrExists, "upload_superseded")
	if a := active(t); a.LeaseLapsed(t0.Add(100 * stale)) {
		t.Errorf("LeaseLapsed of a record without a reservation = true, want false")
	}
}

func TestBeginUploadOverwriteInProgress(t *testing.T) {
	t.Parallel()
	r := active(t)
	checkErr(t, r.BeginUpload("u2", true, t0.Add(time.Hour), stale), nil, "")
	err := r.BeginUpload("u3", true, t0.Add(time.Hour+time.Minute), stale)
	checkErr(t, err, domain.ErrExists, "upload_in_progress")
}

func TestCompleteUpload(t *testing.T) {
	t.Parallel()
	later := t0.Add(time.Hour)
	tests := []struct {
		name         string
		record       func(*testing.T) *domain.FileRecord
		begin        string // upload started before completing; "" for none
		complete     string
		content      domain.Content
		kind         error
		code         string
		wantReplaced string
		wantCreated  time.Time
	}{
		{name: "first upload", record: pending, complete: "u1", content: content("blob-1"), wantCreated: later},
		{name: "overwrite active", record: active, begin: "u2", complete: "u2", content: content("blob-2"), wantReplaced: "blob-1", wantCreated: t0.Add(time.Minute)},
		{name: "overwrite soft-deleted clears deletion", record: softDeleted, begin: "u2", complete: "u2", content: content("blob-2"), wantReplaced: "blob-1", wantCreated: t0.Add(time.Minute)},
		{name: "upload over a purged tombstone", record: purged, begin: "u2", complete: "u2", content: content("blob-2"), wantCreated: later},
		{name: "same blob key replaces nothing", record: active, begin: "u2", complete: "u2", content: content("blob-1"), wantCreated: t0.Add(time.Minute)},
		{name: "wrong upload id", record: pending, complete: "u9", content: content("blob-1"), kind: domain.ErrExists, code: "upload_superseded"},
		{name: "empty upload id", record: pending, complete: "", content: content("blob-1"), kind: domain.ErrExists, code: "upload_superseded"},
		{name: "no reservation", record: active, complete: "u1", content: content("blob-2"), kind: domain.ErrExists, code: "upload_superseded"},
		{name: "no blob key", record: pending, complete: "u1", content: content(""), kind: domain.ErrInvalid, code: "invalid_content"},
		{name: "negative size", record: pending, complete: "u1", content: domain.Content{BlobKey: "b", ContentType: "text/plain", SizeBytes: -1, SHA256: strings.Repeat("0", 64)}, kind: domain.ErrInvalid, code: "invalid_content"},
		{name: "short sha256", record: pending, complete: "u1", content: domain.Content{BlobKey: "b", ContentType: "text/plain", SHA256: "abc"}, kind: domain.ErrInvalid, code: "invalid_content"},
		{name: "no content type", record: pending, complete: "u1", content: domain.Content{BlobKey: "b", SHA256: strings.Repeat("0", 64)}, kind: domain.ErrInvalid, code: "invalid_content"},
		{name: "empty file", record: pending, complete: "u1", content: domain.Content{BlobKey: "b", ContentType: "text/plain", SHA256: strings.Repeat("0", 64)}, wantCreated: later},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tt.record(t)
			if tt.begin != "" {
				checkErr(t, r.BeginUpload(tt.begin, true, later.Add(-time.Second), stale), nil, "")
			}
			before := r.Data()
			replaced, err := r.CompleteUpload(tt.complete, tt.content, "new name.pdf", "carol", later)
			if tt.kind != nil {
				checkErr(t, err, tt.kind, tt.code)
				if replaced != "" {
					t.Errorf("got replaced %q with the error, want \"\"", replaced)
				}
				if r.Data() != before {
					t.Errorf("refused CompleteUpload changed the record: got %+v, want %+v", r.Data(), before)
				}
				return
			}
			checkErr(t, err, nil, "")
			if replaced != tt.wantReplaced {
				t.Errorf("replaced = %q, want %q", replaced, tt.wantReplaced)
			}
			d := r.Data()
			if d.State != domain.StateActive || !r.Visible() || !r.WouldOverwrite() {
				t.Errorf("state %s, visible %v, would overwrite %v; want active, true, true", d.State, r.Visible(), r.WouldOverwrite())
			}
			if d.Deleted || !d.DeletedAt.IsZero() || d.DeletedBy != "" {
				t.Errorf("deletion = %v %v %q, want cleared", d.Deleted, d.DeletedAt, d.DeletedBy)
			}
			if d.PendingUploadID != "" || !d.PendingSince.IsZero() {
				t.Errorf("reservation = %q since %v, want cleared", d.PendingUploadID, d.PendingSince)
			}
			if d.Content != tt.content || d.OriginalFilename != "new name.pdf" || d.UploadedBy != "carol" {
				t.Errorf("got content %+v, original %q, uploader %q; want %+v, \"new name.pdf\", carol",
					d.Content, d.OriginalFilename, d.UploadedBy, tt.content)
			}
			if !d.UpdatedAt.Equal(later) || !d.CreatedAt.Equal(tt.wantCreated) {
				t.Errorf("created %v, updated %v; want %v, %v", d.CreatedAt, d.UpdatedAt, tt.wantCreated, later)
			}
		})
	}
}

func TestCompleteUploadAfterTakeover(t *testing.T) {
	t.Parallel()
	r := pending(t)
	checkErr(t, r.BeginUpload("u2", false, t0.Add(stale+time.Second), stale), nil, "")
	_, err := r.CompleteUpload("u1", content("blob-u1"), "a.pdf", "alice", t0.Add(stale+2*time.Second))
	checkErr(t, err, domain.ErrExists, "upload_superseded")
	replaced, err := r.CompleteUpload("u2", content("blob-u2"), "a.pdf", "bob", t0.Add(stale+3*time.Second))
	checkErr(t, err, nil, "")
	if replaced != "" || r.Content().BlobKey != "blob-u2" {
		t.Errorf("replaced %q, blob %q; want \"\", blob-u2", replaced, r.Content().BlobKey)
	}
}

func TestAbandonUpload(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		record      func(*testing.T) *domain.FileRecord
		begin       string
		abandon     string
		wantRemove  bool
		wantPending string
	}{
		{name: "first upload fails", record: pending, abandon: "u1", wantRemove: true},
		{name: "superseded upload is a no-op", record: pending, abandon: "u9", wantPending: "u1"},
		{name: "failed overwrite keeps the file", record: active, begin: "u2", abandon: "u2"},
		{name: "failed overwrite of a deleted file keeps it", record: softDeleted, begin: "u2", abandon: "u2"},
		{name: "failed upload over a tombstone keeps it", record: purged, begin: "u2", abandon: "u2"},
		{name: "nothing reserved", record: active, abandon: "u1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tt.record(t)
			if tt.begin != "" {
				checkErr(t, r.BeginUpload(tt.begin, true, t0.Add(time.Hour), stale), nil, "")
			}
			before := r.Data()
			if got := r.AbandonUpload(tt.abandon); got != tt.wantRemove {
				t.Errorf("AbandonUpload(%q) = %v, want %v", tt.abandon, got, tt.wantRemove)
			}
			d := r.Data()
			if d.PendingUploadID != tt.wantPending {
				t.Errorf("reservation = %q, want %q", d.PendingUploadID, tt.wantPending)
			}
			if tt.wantPending == "" && !d.PendingSince.IsZero() {
				t.Errorf("PendingSince = %v, want zero", d.PendingSince)
			}
			if d.State != before.State || d.Content != before.Content || d.Deleted != before.Deleted {
				t.Errorf("AbandonUpload changed the file: got %+v, want %+v", d, before)
			}
		})
	}
}

func TestSoftDelete(t *testing.T) {
	t.Parallel()
	at := t0.Add(time.Hour).In(time.FixedZone("X", 7200))
	tests := []struct {
		name   string
		record func(*testing.T) *domain.FileRecord
		by     string
		kind   error
		code   string
	}{
		{name: "visible file", record: active, by: "bob"},
		{name: "already deleted", record: softDeleted, by: "bob", kind: domain.ErrNotFound, code: "not_found"},
		{name: "pending", record: pending, by: "bob", kind: domain.ErrNotFound, code: "not_found"},
		{name: "purged", record: purged, by: "bob", kind: domain.ErrNotFound, code: "not_found"},
		{name: "no actor", record: active, by: "", kind: domain.ErrInvalid, code: "invalid_actor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tt.record(t)
			before := r.Data()
			err := r.SoftDelete(tt.by, at)
			if tt.kind != nil {
				checkErr(t, err, tt.kind, tt.code)
				if r.Data() != before {
					t.Errorf("refused SoftDelete changed the record: got %+v, want %+v", r.Data(), before)
				}
				return
			}
			checkErr(t, err, nil, "")
			d := r.Data()
			if !d.Deleted || d.DeletedBy != tt.by || !d.DeletedAt.Equal(at) || d.DeletedAt.Location() != time.UTC {
				t.Errorf("deletion = %v by %q at %v, want true by %q at %v UTC", d.Deleted, d.DeletedBy, d.DeletedAt, tt.by, at)
			}
			if r.Visible() || !r.WouldOverwrite() || d.State != domain.StateActive || d.Content != before.Content {
				t.Errorf("visible %v, would overwrite %v, state %s, content %+v; want false, true, active, unchanged",
					r.Visible(), r.WouldOverwrite(), d.State, d.Content)
			}
			if !d.UpdatedAt.Equal(at) {
				t.Errorf("UpdatedAt = %v, want %v", d.UpdatedAt, at)
			}
		})
	}
}

func TestRestore(t *testing.T) {
	t.Parallel()
	at := t0.Add(time.Hour)
	tests := []struct {
		name   string
		record func(*testing.T) *domain.FileRecord
		kind   error
	}{
		{name: "soft-deleted", record: softDeleted},
		{name: "not deleted", record: active, kind: domain.ErrNotFound},
		{name: "pending", record: pending, kind: domain.ErrNotFound},
		{name: "purged", record: purged, kind: domain.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tt.record(t)
			before := r.Data()
			err := r.Restore(at)
			if tt.kind != nil {
				checkErr(t, err, tt.kind, "not_found")
				if r.Data() != before {
					t.Errorf("refused Restore changed the record: got %+v, want %+v", r.Data(), before)
				}
				return
			}
			checkErr(t, err, nil, "")
			d := r.Data()
			if !r.Visible() || d.Deleted || !d.DeletedAt.IsZero() || d.DeletedBy != "" || d.Content != before.Content {
				t.Errorf("after Restore got %+v, want visible with deletion cleared and content kept", d)
			}
			if !d.UpdatedAt.Equal(at) {
				t.Errorf("UpdatedAt = %v, want %v", d.UpdatedAt, at)
			}
		})
	}
}

func TestPurge(t *testing.T) {
	t.Parallel()
	at := t0.Add(100 * 24 * time.Hour)
	tests := []struct {
		name          string
		record        func(*testing.T) *domain.FileRecord
		kind          error
		wantDeletedBy string
		wantDeletedAt time.Time
	}{
		{name: "soft-deleted keeps who deleted it", record: softDeleted, wantDeletedBy: "bob", wantDeletedAt: t0.Add(2 * time.Minute)},
		{name: "visible (admin hard delete)", record: active, wantDeletedBy: "admin-1", wantDeletedAt: at},
		{name: "pending", record: pending, kind: domain.ErrNotFound},
		{name: "already purged", record: purged, kind: domain.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tt.record(t)
			before := r.Data()
			key, err := r.Purge("admin-1", at)
			if tt.kind != nil {
				checkErr(t, err, tt.kind, "not_found")
				if key != "" || r.Data() != before {
					t.Errorf("refused Purge returned %q and changed the record to %+v", key, r.Data())
				}
				return
			}
			checkErr(t, err, nil, "")
			if key != "blob-1" {
				t.Errorf("Purge returned %q, want blob-1", key)
			}
			d := r.Data()
			if d.State != domain.StatePurged || d.Content.BlobKey != "" || r.Visible() || r.WouldOverwrite() {
				t.Errorf("after Purge got %+v, want a purged tombstone without blob", d)
			}
			if !d.Deleted || d.DeletedBy != tt.wantDeletedBy || !d.DeletedAt.Equal(tt.wantDeletedAt) {
				t.Errorf("deletion = %v by %q at %v, want true by %q at %v", d.Deleted, d.DeletedBy, d.DeletedAt, tt.wantDeletedBy, tt.wantDeletedAt)
			}
			if !d.UpdatedAt.Equal(at) {
				t.Errorf("UpdatedAt = %v, want %v", d.UpdatedAt, at)
			}
		})
	}
}

func TestDeletedLongerThan(t *testing.T) {
	t.Parallel()
	const retention = 90 * 24 * time.Hour
	deletedAt := t0.Add(2 * time.Minute) // see softDeleted
	tests := []struct {
		name   string
		record func(*testing.T) *domain.FileRecord
		now    time.Time
		want   bool
	}{
		{name: "deleted longer ago", record: softDeleted, now: deletedAt.Add(retention + time.Second), want: true},
		{name: "deleted exactly retention ago", record: softDeleted, now: deletedAt.Add(retention)},
		{name: "deleted recently", record: softDeleted, now: deletedAt.Add(retention - time.Hour)},
		{name: "not deleted", record: active, now: t0.Add(10 * retention)},
		{name: "pending", record: pending, now: t0.Add(10 * retention)},
		{name: "purged already", record: purged, now: t0.Add(10 * retention)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.record(t).DeletedLongerThan(retention, tt.now); got != tt.want {
				t.Errorf("DeletedLongerThan(%v, %v) = %v, want %v", retention, tt.now, got, tt.want)
			}
		})
	}
}

func TestRehydrateFileRecord(t *testing.T) {
	t.Parallel()
	p := mustPath(t, recPath)
	good := domain.FileRecordData{
		ID: "r1", Path: p, OriginalFilename: "a.pdf", Content: content("blob-1"), UploadedBy: "alice",
		CreatedAt: t0, UpdatedAt: t0, State: domain.StateActive, Version: 7,
	}
	with := func(mod func(*domain.FileRecordData)) domain.FileRecordData {
		d := good
		mod(&d)
		return d
	}
	tests := []struct {
		name    string
		data    domain.FileRecordData
		wantErr bool
	}{
		{name: "active", data: good},
		{name: "pending without blob", data: with(func(d *domain.FileRecordData) {
			d.State, d.Content, d.PendingUploadID, d.PendingSince = domain.StatePending, domain.Content{}, "u1", t0
		})},
		{name: "purged tombstone", data: with(func(d *domain.FileRecordData) {
			d.State, d.Content.BlobKey, d.Deleted, d.DeletedAt, d.DeletedBy = domain.StatePurged, "", true, t0, "system"
		})},
		{name: "no id", data: with(func(d *domain.FileRecordData) { d.ID = "" }), wantErr: true},
		{name: "zero path", data: with(func(d *domain.FileRecordData) { d.Path = domain.StoragePath{} }), wantErr: true},
		{name: "empty state", data: with(func(d *domain.FileRecordData) { d.State = "" }), wantErr: true},
		{name: "unknown state", data: with(func(d *domain.FileRecordData) { d.State = "archived\x00" }), wantErr: true},
		{name: "active without blob", data: with(func(d *domain.FileRecordData) { d.Content.BlobKey = "" }), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := domain.RehydrateFileRecord(tt.data)
			if tt.wantErr {
				checkErr(t, err, domain.ErrInvalid, "invalid_record")
				if r != nil {
					t.Errorf("got record with the error, want nil")
				}
				return
			}
			checkErr(t, err, nil, "")
			if got := r.Data(); got != tt.data {
				t.Errorf("Data() = %+v, want %+v", got, tt.data)
			}
			if r.Version() != tt.data.Version {
				t.Errorf("Version() = %d, want %d", r.Version(), tt.data.Version)
			}
		})
	}
}

func TestDataIsACopy(t *testing.T) {
	t.Parallel()
	r := active(t)
	d := r.Data()
	d.Deleted, d.Content.BlobKey, d.State = true, "other", domain.StatePurged
	if !r.Visible() || r.Content().BlobKey != "blob-1" {
		t.Errorf("changing Data() changed the record: visible %v, blob %q; want true, blob-1", r.Visible(), r.Content().BlobKey)
	}
}
