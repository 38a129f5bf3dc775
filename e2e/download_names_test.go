package e2e

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// downloadNames are names as a user's file had them, and the name the
// download is offered under (original_filename, minus what a saved name
// cannot hold).
var downloadNames = []struct{ name, sent, offered string }{
	{"spaces and parentheses", "Rapport annuel (v2) 2026.pdf", "Rapport annuel (v2) 2026.pdf"},
	{"quotes", `say "hi" 'there'.pdf`, `say "hi" 'there'.pdf`},
	{"non-ASCII", "Déclaration d’impôts € 日本.pdf", "Déclaration d’impôts € 日本.pdf"},
	{"a Windows path", `C:\fakepath\scan;1.pdf`, "scan;1.pdf"},
	{"bidi override", "invoice\u202Efdp.exe.pdf", "invoice_fdp.exe.pdf"},
	{"percent and backslash-free tricks", "100% =?utf-8?q?x?=.pdf", "100% =?utf-8?q?x?=.pdf"},
	{"very long", "Rapport " + strings.Repeat("é", 400) + ".pdf", "Rapport " + strings.Repeat("é", 121) + ".pdf"},
}

// TestDownloadNamedOriginally: a signed URL's download is offered under
// the record's original_filename (RFC 6266: an ASCII filename fallback
// and the exact name as filename*), on local disk and on the S3 store,
// where the presigned URL asks the store for that disposition.
func TestDownloadNamedOriginally(t *testing.T) {
	t.Parallel()
	t.Run("local", func(t *testing.T) {
		t.Parallel()
		checkDownloadNames(t, newAPI(t, nil), false)
	})
	t.Run("s3", func(t *testing.T) {
		t.Parallel()
		s3 := testS3(t)
		checkDownloadNames(t, newAPI(t, s3.SpacesEnv(s3.Endpoint, s3.Bucket(t), nil)), true)
	})
}

func checkDownloadNames(t *testing.T, a *api, presigned bool) {
	tok := a.Token("org-1", "member")
	for i, n := range downloadNames {
		t.Run(n.name, func(t *testing.T) {
			r := a.Upload("/api/storage/upload", tok, [][2]string{{"system", "workspace"}, {"object_type", "pdf"},
				{"object_id", fmt.Sprintf("d%d", i)}}, n.sent, pdfBytes)
			var rec record
			r.JSON(t, &rec)
			if r.Status != http.StatusCreated || rec.OriginalFilename != n.sent {
				t.Fatalf("upload: got %d %s, want 201 keeping the name sent", r.Status, r.Body)
			}
			r = a.SendJSON(http.MethodPost, "/api/storage/signed-url", tok,
				`{"file_path": "`+rec.FilePath+`", "disposition": "attachment"}`)
			var s struct{ URL string }
			r.JSON(t, &s)
			if presigned {
				u, err := url.Parse(s.URL)
				if err != nil {
					t.Fatal(err)
				}
				checkDisposition(t, "presigned response-content-disposition", u.Query().Get("response-content-disposition"), n.offered)
			}
			got := a.Get(s.URL, "")
			if got.Status != http.StatusOK || string(got.Body) != string(pdfBytes) {
				t.Fatalf("download: got %d %q", got.Status, got.Body)
			}
			checkDisposition(t, "Content-Disposition", got.Header.Get("Content-Disposition"), n.offered)
		})
	}
}

// checkDisposition: cd is an attachment whose exact name (filename*) is
// want and whose fallback filename is plain printable ASCII without
// quotes, backslashes or percent signs.
func checkDisposition(t *testing.T, what, cd, want string) {
	t.Helper()
	disp, params, err := mime.ParseMediaType(cd)
	if err != nil || disp != "attachment" || params["filename"] != want {
		t.Errorf("%s %q: got %q %q (%v), want attachment named %q", what, cd, disp, params["filename"], err, want)
	}
	fallback := cd[strings.Index(cd, "filename=")+len("filename="):]
	fallback, _, _ = strings.Cut(fallback, "; filename*=")
	fallback = strings.TrimSuffix(strings.TrimPrefix(fallback, `"`), `"`)
	for _, c := range []byte(fallback) {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '%' {
			t.Errorf("%s %q: the fallback %q holds %q", what, cd, fallback, c)
			break
		}
	}
	if !strings.Contains(cd, "filename*=UTF-8''") {
		t.Errorf("%s %q: want filename*=UTF-8''…", what, cd)
	}
}
