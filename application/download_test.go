package application_test

import (
	"context"
	"errors"
	"io"
	"net/url"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/application/memrepo"
	"storagegw/domain"
)

// fakeVerifier stands in for the local signer: the URL's query names a
// request by its "id" parameter.
type fakeVerifier struct {
	reqs map[string]application.SignRequest
}

// SignURL makes fakeVerifier a URLSigner too, as the local signer is, so
// New gives the application a Download.
func (v *fakeVerifier) SignURL(context.Context, application.SignRequest) (string, error) {
	return "", errors.New("fakeVerifier signs nothing")
}

func (v *fakeVerifier) Verify(q url.Values) (application.SignRequest, error) {
	switch q.Get("id") {
	case "expired":
		r := v.reqs["ok"]
		r.Expiry = -time.Second
		return r, domain.Errorf(domain.ErrForbidden, "url_expired", "The link has expired.")
	case "":
		return application.SignRequest{}, domain.Errorf(domain.ErrForbidden, "signature_invalid", "The link is not valid.")
	}
	r, ok := v.reqs[q.Get("id")]
	if !ok {
		return application.SignRequest{}, domain.Errorf(domain.ErrForbidden, "signature_invalid", "The link is not valid.")
	}
	return r, nil
}

// downloadFixture uploads one receipt and returns a Download whose
// verifier knows a valid request "ok" for it, and the file's bytes.
func downloadFixture(t *testing.T) (*fixture, *application.Download, *fakeVerifier, *domain.FileRecord, []byte) {
	t.Helper()
	f := newFixture(t)
	body := pngBytes(1000)
	rec := f.mustUpload(t, receipt(caller("org-1", domain.RoleMember), "r.png", body))
	v := &fakeVerifier{reqs: map[string]application.SignRequest{"ok": {
		Key: rec.Content().BlobKey, Expiry: time.Minute, Disposition: domain.DispositionAttachment,
		Filename: "r.png", ContentType: "image/png", OrgID: "org-1", UserID: "user-viewer",
		Role: domain.RoleViewer, Path: rec.Path().String(),
	}}}
	opts := application.Options{OnBackgroundError: func(_ context.Context, op string, _ error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.background = append(f.background, op)
	}}
	d := application.New(f.faultyBlobs, f.faultyFiles, f.faultyAudit, nil, memrepo.NewTransactor(), nil, v, f.clock, opts).Download
	if d == nil {
		t.Fatal("New with a signer that verifies: no Download")
	}
	return f, d, v, rec, body
}

func query(id string) url.Values { return url.Values{"id": {id}} }

func TestDownload(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, d, _, rec, body := downloadFixture(t)
	before := len(f.audit.Events())
	res, err := d.Handle(ctx, application.DownloadQuery{Query: query("ok"), IP: "198.51.100.4", UserAgent: "ua"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(got) != string(body) || res.Size != int64(len(body)) || res.Partial || res.ContentType != "image/png" ||
		res.Disposition != domain.DispositionAttachment || res.SHA256 != rec.Content().SHA256 {
		t.Errorf("got %d bytes, result %+v, want the whole file", len(got), res)
	}
	ev := f.eventsSince(t, before, 1)[0].Data()
	if ev.Action != domain.ActionDownload || !ev.Success || ev.Actor.UserID != "user-viewer" ||
		ev.Actor.Role != domain.RoleViewer || ev.Actor.IP != "198.51.100.4" || ev.FilePath != rec.Path().String() {
		t.Errorf("audit: got %+v", ev)
	}
}

func TestDownloadRange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, d, _, _, body := downloadFixture(t)
	size := int64(len(body))
	tests := []struct {
		name       string
		r          application.ByteRange
		off, n     int64
		unsatisfed bool
	}{
		{"first bytes", application.ByteRange{Start: 0, End: 9}, 0, 10, false},
		{"middle", application.ByteRange{Start: 100, End: 199}, 100, 100, false},
		{"open end", application.ByteRange{Start: 990, End: -1}, 990, 10, false},
		{"end past the file", application.ByteRange{Start: 990, End: 5000}, 990, 10, false},
		{"suffix", application.ByteRange{Start: -1, End: 5}, size - 5, 5, false},
		{"suffix longer than the file", application.ByteRange{Start: -1, End: 5000}, 0, size, false},
		{"last byte", application.ByteRange{Start: size - 1, End: -1}, size - 1, 1, false},
		{"start at the end", application.ByteRange{Start: size, End: -1}, 0, 0, true},
		{"start past the end", application.ByteRange{Start: size + 10, End: size + 20}, 0, 0, true},
		{"empty suffix", application.ByteRange{Start: -1, End: 0}, 0, 0, true},
	}
	for _, tc := range tests {
		before := len(f.audit.Events())
		r := tc.r
		res, err := d.Handle(ctx, application.DownloadQuery{Query: query("ok"), Range: &r})
		ev := f.eventsSince(t, before, 1)[0]
		if tc.unsatisfed {
			wantKind(t, err, domain.ErrInvalid, application.CodeRangeNotSatisfiable)
			var re *application.RangeError
			if !errors.As(err, &re) || re.Size != size {
				t.Errorf("%s: got %v, want a RangeError for %d bytes", tc.name, err, size)
			}
			if ev.Success() {
				t.Errorf("%s: audit: got success, want failure", tc.name)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: got %v", tc.name, err)
			continue
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.Range.Offset != tc.off || res.Range.Length != tc.n || !res.Partial || string(got) != string(body[tc.off:tc.off+tc.n]) {
			t.Errorf("%s: got range %+v (%d bytes), want offset %d length %d", tc.name, res.Range, len(got), tc.off, tc.n)
		}
	}
}

func TestDownloadRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, d, v, rec, _ := downloadFixture(t)
	member := caller("org-1", domain.RoleMember)

	// An invalid signature names no one: refused, not audited.
	before := len(f.audit.Events())
	_, err := d.Handle(ctx, application.DownloadQuery{Query: query("")})
	wantKind(t, err, domain.ErrForbidden, "signature_invalid")
	f.eventsSince(t, before, 0)
	if ops := f.backgroundOps(); len(ops) != 0 {
		t.Errorf("invalid signature: background failures %v, want none (no audit attempted)", ops)
	}

	// An expired but authentic URL is audited as a failed DOWNLOAD.
	_, err = d.Handle(ctx, application.DownloadQuery{Query: query("expired")})
	wantKind(t, err, domain.ErrForbidden, "url_expired")
	if ev := f.eventsSince(t, before, 1)[0].Data(); ev.Success || ev.Actor.UserID != "user-viewer" || ev.Action != domain.ActionDownload ||
		ev.FilePath == "" || ev.RelatedObjectType != "receipt" || ev.RelatedObjectID != "exp-1" {
		t.Errorf("expired: audit got %+v, want a failed DOWNLOAD by user-viewer naming the file, its kind and id", ev)
	}

	// A request whose org does not own the path, or whose key is stale.
	ok := v.reqs["ok"]
	other := ok
	other.OrgID = "org-2"
	stale := ok
	stale.Key = ok.Path + "/not-the-upload"
	v.reqs["other-org"], v.reqs["stale"] = other, stale
	for _, id := range []string{"other-org", "stale"} {
		before := len(f.audit.Events())
		_, err := d.Handle(ctx, application.DownloadQuery{Query: query(id)})
		wantKind(t, err, domain.ErrNotFound, "not_found")
		if f.eventsSince(t, before, 1)[0].Success() {
			t.Errorf("%s: audit: got success, want failure", id)
		}
	}

	// Overwritten, then deleted: the URL stops working.
	cmd := receipt(member, "r.png", pngBytes(500))
	cmd.Overwrite = true
	f.mustUpload(t, cmd)
	_, err = d.Handle(ctx, application.DownloadQuery{Query: query("ok")})
	wantKind(t, err, domain.ErrNotFound, "not_found")
	v.reqs["ok"] = func() application.SignRequest {
		r := ok
		cur, _ := f.files.Get(ctx, rec.Path())
		r.Key = cur.Content().BlobKey
		return r
	}()
	if _, err := d.Handle(ctx, application.DownloadQuery{Query: query("ok")}); err != nil {
		t.Fatalf("current key: got %v", err)
	}
	if _, err := f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: member, FilePath: rec.Path().String()}); err != nil {
		t.Fatal(err)
	}
	_, err = d.Handle(ctx, application.DownloadQuery{Query: query("ok")})
	wantKind(t, err, domain.ErrNotFound, "not_found")
}

func TestDownloadNeedsItsAuditEvent(t *testing.T) {
	t.Parallel()
	f, d, _, _, _ := downloadFixture(t)
	f.faultyAudit.fail = true
	_, err := d.Handle(context.Background(), application.DownloadQuery{Query: query("ok")})
	wantKind(t, err, domain.ErrUnavailable, "audit_unavailable")
}
