package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"storagegw/adapters/postgres"
)

// naughtyNames are file names in the spirit of the Big List of Naughty
// Strings, each with the answer an upload of it must get: 201 (the name
// sanitized to a safe path segment) or 400 with a code.
var naughtyNames = []struct {
	name, filename string
	status         int
	code           string
}{
	{"dot dot", "..", 400, "invalid_filename"},
	{"dot file", ".htaccess", 400, "invalid_filename"},
	{"only dots", ".....", 400, "invalid_filename"},
	{"spaces only", "     ", 400, "invalid_filename"},
	{"emoji only", "\U0001F4C4\U0001F525.png", 400, "invalid_filename"},
	{"Windows device name", "CON.txt", 201, ""},
	{"Windows device, no extension", "NUL", 201, ""},
	{"300 bytes", strings.Repeat("a", 296) + ".png", 201, ""},
	{"1,025 bytes", strings.Repeat("b", 1021) + ".png", 400, "filename_too_long"},
	{"RTL override", "invoice\u202Egnp.exe", 201, ""},
	{"zero-width joiner", "a\u200Db\u200Dc.png", 201, ""},
	{"percent-encoded ../", "%2e%2e%2fetc%2fpasswd", 201, ""},
	{"backslash traversal", `..\..\win.ini`, 201, ""},
	{"emoji in a name", "report \U0001F4C4 2026.png", 201, ""},
	{"leading dash", "-rf .png", 201, ""},
	{"quotes and angle brackets", `"><img src=x onerror=alert(1)>.png`, 201, ""},
	{"shell metacharacters", "$(reboot);`id`|&.png", 201, ""},
}

// TestHostileFilenames uploads a file under each naughty name, on SQLite
// and on PostgreSQL: a 201 has a filename that is a safe single path
// segment (no slash or backslash, no leading dot, at most 200 bytes) and
// the name as sent as its original_filename; a refusal is a 400 with its
// code; never a 500; exactly one UPLOAD audit event either way.
func TestHostileFilenames(t *testing.T) {
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
			for i, tc := range naughtyNames {
				org := fmt.Sprintf("names-%d", i)
				tok := a.Token(org, "member")
				r := a.Upload("/api/storage/upload", tok,
					[][2]string{{"system", "workspace"}, {"object_type", "doc"}, {"object_id", "d1"}}, tc.filename, pngOf(64))
				want(t, tc.name, r, tc.status, tc.code)
				events := a.AuditLog(org, "")
				if len(events) != 1 || events[0].ActionType != "UPLOAD" || events[0].Success != (r.Status == http.StatusCreated) {
					t.Errorf("%s: got audit events %+v, want exactly one UPLOAD, successful if stored", tc.name, events)
				}
				if r.Status != http.StatusCreated {
					continue
				}
				var rec record
				r.JSON(t, &rec)
				if f := rec.Filename; f == "" || strings.ContainsAny(f, `/\`) || f[0] == '.' || len(f) > 200 || f == ".." {
					t.Errorf("%s: got filename %q, want a safe path segment of at most 200 bytes", tc.name, f)
				}
				if rec.OriginalFilename != tc.filename {
					t.Errorf("%s: got original_filename %q, want %q", tc.name, rec.OriginalFilename, tc.filename)
				}
				if want := org + "/workspace/doc/d1/" + rec.Filename; rec.FilePath != want {
					t.Errorf("%s: got file_path %q, want %q", tc.name, rec.FilePath, want)
				}
				if got := a.Get("/api/storage/metadata/"+rec.FilePath, tok); got.Status != http.StatusOK {
					t.Errorf("%s: metadata of %s: got %d %s", tc.name, rec.FilePath, got.Status, got.Body)
				}
			}
		})
	}
}

// polyglots are XML-family documents that carry script: a browser that
// opens one inline may run it.
var polyglots = []struct{ name, filename, body string }{
	{"RSS", "feed.xml", `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>` +
		`<script xmlns="http://www.w3.org/1999/xhtml">alert(document.domain)</script></channel></rss>`},
	{"Atom", "feed.atom", `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>` +
		`<script xmlns="http://www.w3.org/1999/xhtml">alert(document.domain)</script></feed>`},
	{"SVG", "logo.svg", `<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1">` +
		`<script>alert(document.domain)</script></svg>`},
	{"KML", "map.kml", `<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>` +
		`<script xmlns="http://www.w3.org/1999/xhtml">alert(document.domain)</script></Document></kml>`},
}

// TestHostilePolyglots: an XML-family document with script is refused as
// an accounting invoice (whose rule allows plain XML, not its "+xml"
// kin), 415 unsupported_content_type; as a communications attachment
// (any type) it is stored, and a signed URL asked inline serves it as an
// attachment with nosniff.
func TestHostilePolyglots(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	for i, p := range polyglots {
		t.Run(p.name, func(t *testing.T) {
			org := fmt.Sprintf("poly-%d", i)
			tok := a.Token(org, "member")
			r := a.Upload("/api/storage/upload", tok, [][2]string{{"system", "accounting"}, {"object_type", "invoice"}, {"object_id", "i1"}},
				p.filename, []byte(p.body))
			want(t, "as an invoice", r, http.StatusUnsupportedMediaType, "unsupported_content_type")
			if !strings.Contains(string(r.Body), "+xml") {
				t.Errorf("as an invoice: got %s, want the refusal to name its +xml type", r.Body)
			}
			if evs := a.AuditLog(org, "action_type=UPLOAD"); len(evs) != 1 || evs[0].Success {
				t.Errorf("audit of the refused invoice: got %+v, want one failed UPLOAD", evs)
			}
			rec := uploadAttachment(t, a, tok, p.filename, p.body)
			if !strings.HasSuffix(rec.ContentType, "+xml") {
				t.Errorf("attachment: got content type %q, want a +xml type", rec.ContentType)
			}
			s := signInline(t, a, tok, rec.FilePath)
			got := a.Get(s, "")
			if got.Status != http.StatusOK || string(got.Body) != p.body {
				t.Fatalf("download: got %d %q", got.Status, got.Body)
			}
			if cd := got.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
				t.Errorf("Content-Disposition: got %q, want attachment", cd)
			}
			if got.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("X-Content-Type-Options: got %q, want nosniff", got.Header.Get("X-Content-Type-Options"))
			}
		})
	}
}

// TestSpacesHostilePolyglots: on Spaces the presigned URL of a stored
// polyglot asks the store for an attachment, and the store serves one.
func TestSpacesHostilePolyglots(t *testing.T) {
	t.Parallel()
	s3 := testS3(t)
	a := newAPI(t, s3.SpacesEnv(s3.Endpoint, s3.Bucket(t), nil))
	for i, p := range polyglots {
		t.Run(p.name, func(t *testing.T) {
			tok := a.Token(fmt.Sprintf("poly-%d", i), "member")
			rec := uploadAttachment(t, a, tok, p.filename, p.body)
			signed := signInline(t, a, tok, rec.FilePath)
			u, err := url.Parse(signed)
			if err != nil {
				t.Fatal(err)
			}
			if cd := u.Query().Get("response-content-disposition"); !strings.HasPrefix(cd, "attachment") {
				t.Errorf("presigned response-content-disposition: got %q, want attachment (%s)", cd, signed)
			}
			got := a.Get(signed, "")
			if cd := got.Header.Get("Content-Disposition"); got.Status != http.StatusOK || !strings.HasPrefix(cd, "attachment") {
				t.Errorf("download from the store: got %d, Content-Disposition %q, want 200 attachment", got.Status, cd)
			}
		})
	}
}

// uploadAttachment stores body as an email attachment (any type allowed).
func uploadAttachment(t *testing.T, a *api, tok, filename, body string) record {
	t.Helper()
	r := a.Upload("/api/storage/upload", tok, [][2]string{{"system", "communications"}, {"object_type", "email-attachment"},
		{"object_id", "m1"}}, filename, []byte(body))
	if r.Status != http.StatusCreated {
		t.Fatalf("as an attachment: got %d %s, want 201", r.Status, r.Body)
	}
	var rec record
	r.JSON(t, &rec)
	return rec
}

// signInline asks for a signed URL of path, inline.
func signInline(t *testing.T, a *api, tok, path string) string {
	t.Helper()
	r := a.SendJSON(http.MethodPost, "/api/storage/signed-url", tok, `{"file_path": "`+path+`", "disposition": "inline"}`)
	if r.Status != http.StatusOK {
		t.Fatalf("signed-url: got %d %s", r.Status, r.Body)
	}
	var s struct{ URL string }
	r.JSON(t, &s)
	return s.URL
}
