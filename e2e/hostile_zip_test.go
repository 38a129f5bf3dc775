package e2e

import (
	"archive/zip"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"storagegw/adapters/postgres"
	"storagegw/domain/ziptest"
)

// Lengths of the zip end records (APPNOTE.TXT 4.3.14–16), as domain's
// archive tests use them.
const (
	eocdLen         = 22
	zip64LocatorLen = 20
	zip64EOCDMinLen = 56
)

// hostileZips are archives the app-builder rule must refuse as not_a_zip.
func hostileZips(t *testing.T) []struct {
	name string
	b    []byte
} {
	entry := func(name string) []byte {
		return ziptest.Raw(zip.FileHeader{Name: "index.html"}, zip.FileHeader{Name: name})
	}
	return []struct {
		name string
		b    []byte
	}{
		{"65,537 entries declaring 1", ziptest.Aliasing()},
		{"zip-slip ../evil.js", entry("../evil.js")},
		{"zip-slip a/../../evil.js", entry("a/../../evil.js")},
		{"absolute /abs", entry("/abs")},
		{`drive letter C:\x`, entry(`C:\x`)},
		{`backslash a\b`, entry(`a\b`)},
		{"zip64, 5 GiB claimed uncompressed", ziptest.Raw(zip.FileHeader{Name: "huge", UncompressedSize64: 5 << 30})},
	}
}

// TestHostileZips sends each hostile archive through app-zip-upload and
// through a multipart upload (initiate, part, complete), on SQLite and on
// PostgreSQL: each is 415 not_a_zip, nothing is recorded, and the refusal
// is exactly one failed UPLOAD audit event.
func TestHostileZips(t *testing.T) {
	t.Parallel()
	for _, d := range []struct {
		name    string
		env     func(t *testing.T) map[string]string
		dialect string
	}{
		{"sqlite", func(*testing.T) map[string]string { return nil }, postgres.DialectSQLite},
		{"postgres", postgresEnv, postgres.DialectPostgres},
	} {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			a := newAPI(t, d.env(t))
			if got := a.Svc.DB.Dialect(); got != d.dialect {
				t.Fatalf("the service runs on %s, want %s", got, d.dialect)
			}
			refuseHostileZips(t, a)
		})
	}
}

// TestSpacesHostileZips: on Spaces too, each hostile archive is 415
// not_a_zip through both routes, audited once, and leaves no object in
// the bucket (a refused blob is removed once checked).
func TestSpacesHostileZips(t *testing.T) {
	t.Parallel()
	s3 := testS3(t)
	bucket := s3.Bucket(t)
	a := newAPI(t, s3.SpacesEnv(s3.Endpoint, bucket, nil))
	refuseHostileZips(t, a)
	if keys := s3.Keys(t, bucket); len(keys) != 0 {
		t.Errorf("refused archives left objects in the bucket: %v", keys)
	}
}

// refuseHostileZips sends each of hostileZips through app-zip-upload and
// through a multipart upload, one org each, and checks the refusal.
func refuseHostileZips(t *testing.T, a *api) {
	t.Helper()
	routes := []struct {
		name string
		send func(tok string, b []byte) response
	}{
		{"app-zip-upload", func(tok string, b []byte) response {
			return a.Upload("/api/storage/app-zip-upload", tok, [][2]string{{"object_id", "app-1"}}, "app.zip", b)
		}},
		{"multipart", func(tok string, b []byte) response {
			s := a.initiate(tok, `"system": "app-builder", "object_type": "source", "object_id": "app-1", "filename": "app.zip"`, len(b))
			return a.complete(tok, s.UploadID, a.putParts(a.partURLs(tok, s), s.PartSize, b))
		}},
	}
	n := 0
	for _, z := range hostileZips(t) {
		for _, route := range routes {
			n++
			org := fmt.Sprintf("zip-%d", n)
			tok := a.Token(org, "member")
			what := z.name + " via " + route.name
			want(t, what, route.send(tok, z.b), http.StatusUnsupportedMediaType, "not_a_zip")
			want(t, what+": metadata", a.Get("/api/storage/metadata/"+org+"/app-builder/source/app-1/app.zip", tok),
				http.StatusNotFound, "not_found")
			var uploads []auditItem
			for _, ev := range a.AuditLog(org, "") {
				if ev.ActionType == "UPLOAD" {
					uploads = append(uploads, ev)
				}
			}
			if len(uploads) != 1 || uploads[0].Success || uploads[0].ErrorMessage == nil ||
				!strings.HasPrefix(*uploads[0].ErrorMessage, "not_a_zip: ") {
				t.Errorf("%s: got UPLOAD events %+v, want exactly one, failed with not_a_zip", what, uploads)
			}
		}
	}
}
