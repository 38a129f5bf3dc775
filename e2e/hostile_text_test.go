package e2e

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"storagegw/adapters/postgres"
)

// hostileBoundary is the boundary of the hand-written forms below.
const hostileBoundary = "h0stile"

// rawForm is a multipart form written by hand, so that its part headers
// can carry any bytes: fields in order, then a file part whose
// Content-Disposition parameters are fileParams.
func rawForm(fields [][2]string, fileParams string, content []byte) string {
	var b strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n", hostileBoundary, f[0], f[1])
	}
	fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"file\"; %s\r\n\r\n%s\r\n--%s--\r\n",
		hostileBoundary, fileParams, content, hostileBoundary)
	return b.String()
}

// hostileCase is one request carrying hostile text in one client string.
type hostileCase struct {
	name   string
	send   func(a *api, org string) response
	status int
	code   string // "" accepts any code (the request must still carry one)
	events int    // audit events the request writes: 1 once it reached a use case, -1 unchecked
	json   bool   // bad is inside a JSON body
}

// hostileCases sends bad (NUL or an invalid UTF-8 byte, raw and as it is
// percent-encoded in a URL) in each client string the API takes.
func hostileCases(bad, esc string) []hostileCase {
	docFields := func(system, objType, objID string) [][2]string {
		return [][2]string{{"system", system}, {"object_type", objType}, {"object_id", objID}}
	}
	form := func(route, role string, fields [][2]string, fileParams string) func(a *api, org string) response {
		return func(a *api, org string) response {
			return a.Do(http.MethodPost, route, a.Token(org, role), strings.NewReader(rawForm(fields, fileParams, pngOf(64))),
				http.Header{"Content-Type": {"multipart/form-data; boundary=" + hostileBoundary}})
		}
	}
	jsonTo := func(method, route, role, body string) func(a *api, org string) response {
		return func(a *api, org string) response {
			return a.SendJSON(method, route, a.Token(org, role), strings.ReplaceAll(body, "{org}", org))
		}
	}
	get := func(role, route string) func(a *api, org string) response {
		return func(a *api, org string) response {
			return a.Get(strings.ReplaceAll(route, "{org}", org), a.Token(org, role))
		}
	}
	// jsonBad is bad inside a JSON string: NUL escaped, an invalid byte raw
	// (encoding/json turns it into U+FFFD).
	jsonBad := bad
	if bad == "\x00" {
		jsonBad = `\u0000`
	}
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	noFilters := sha256.Sum256([]byte(strings.Repeat("\x00", 7))) // the audit cursor's tag of a query without filters
	auditCursor := b64("2026-01-26T15:30:45Z\nid" + bad + "\n" + hex.EncodeToString(noFilters[:8]))

	cases := []hostileCase{
		// Upload forms.
		{"upload filename (RFC 2231)", form("/api/storage/upload", "member", docFields("workspace", "doc", "d1"),
			`filename*=UTF-8''a`+esc+`.png`), 400, "invalid_text", 1, false},
		{"upload filename in the header", form("/api/storage/upload", "member", docFields("workspace", "doc", "d1"),
			`filename="a`+bad+`.png"`), 400, "", -1, false},
		{"upload system", form("/api/storage/upload", "member", docFields("work"+bad+"space", "doc", "d1"),
			`filename="a.png"`), 400, "invalid_system", 1, false},
		{"upload object_type", form("/api/storage/upload", "member", docFields("workspace", "doc"+bad, "d1"),
			`filename="a.png"`), 400, "invalid_object_type", 1, false},
		{"upload object_id", form("/api/storage/upload", "member", docFields("workspace", "doc", "d"+bad),
			`filename="a.png"`), 400, "invalid_object_id", 1, false},
		{"receipt object_id", form("/api/storage/receipt-upload", "member", [][2]string{{"object_id", bad}},
			`filename="a.png"`), 400, "invalid_object_id", 1, false},
		{"receipt filename", form("/api/storage/receipt-upload", "member", [][2]string{{"object_id", "r1"}},
			`filename*=UTF-8''r`+esc+`.png`), 400, "invalid_text", 1, false},
		{"app zip object_type", form("/api/storage/app-zip-upload", "member", [][2]string{{"object_id", "a1"}, {"object_type", bad}},
			`filename="a.zip"`), 400, "invalid_object_type", 1, false},

		// JSON bodies.
		{"signed-url file_path", jsonTo(http.MethodPost, "/api/storage/signed-url", "viewer",
			`{"file_path": "{org}/workspace/doc/d1/a`+jsonBad+`.png"}`), 400, "invalid_path", 1, true},
		{"signed-url disposition", jsonTo(http.MethodPost, "/api/storage/signed-url", "viewer",
			`{"file_path": "{org}/workspace/doc/d1/a.png", "disposition": "inline`+jsonBad+`"}`), 400, "invalid_disposition", 1, true},
		{"delete file_path", jsonTo(http.MethodDelete, "/api/storage/delete", "member",
			`{"file_path": "{org}/workspace/doc/d`+jsonBad+`/a.png"}`), 400, "", 1, true},
		{"restore file_path", jsonTo(http.MethodPost, "/api/storage/restore", "admin",
			`{"file_path": "{org}/workspace/doc/d1/`+jsonBad+`.png"}`), 400, "", 1, true},
		{"initiate filename", jsonTo(http.MethodPost, "/api/storage/multipart/initiate", "member",
			`{"system": "workspace", "object_type": "doc", "object_id": "d1", "filename": "a`+jsonBad+`.pdf", "size": 100}`),
			400, "", 1, true},
		{"initiate content_type", jsonTo(http.MethodPost, "/api/storage/multipart/initiate", "member",
			`{"system": "communications", "object_type": "email-attachment", "object_id": "m1", "filename": "a.bin", "size": 100, "content_type": "application/x`+jsonBad+`"}`),
			400, "", 1, true},
		{"initiate object_id", jsonTo(http.MethodPost, "/api/storage/multipart/initiate", "member",
			`{"system": "workspace", "object_type": "doc", "object_id": "d`+jsonBad+`", "filename": "a.pdf", "size": 100}`),
			400, "invalid_object_id", 1, true},
		{"parts upload_id", jsonTo(http.MethodPost, "/api/storage/multipart/parts", "member",
			`{"upload_id": "u`+jsonBad+`", "part_numbers": [1]}`), 400, "", 1, true},
		{"complete upload_id", jsonTo(http.MethodPost, "/api/storage/multipart/complete", "member",
			`{"upload_id": "u`+jsonBad+`", "parts": [{"part_number": 1, "etag": "e"}]}`), 400, "", 1, true},
		{"abort upload_id", jsonTo(http.MethodPost, "/api/storage/multipart/abort", "member",
			`{"upload_id": "u`+jsonBad+`"}`), 400, "", 1, true},

		// Query parameters.
		{"files prefix", get("viewer", "/api/storage/files?prefix=workspace"+esc), 400, "invalid_prefix", 1, false},
		{"files cursor", get("viewer", "/api/storage/files?cursor=a"+esc), 400, "invalid_cursor", 1, false},
		{"files cursor's content", func(a *api, org string) response {
			return a.Get("/api/storage/files?cursor="+b64(org+"/workspace/doc/d1/a"+bad+".png"), a.Token(org, "viewer"))
		}, 400, "invalid_cursor", 1, false},
		{"files limit", get("viewer", "/api/storage/files?limit=1"+esc), 400, "invalid_limit", 0, false},
		{"audit user_id", get("admin", "/api/storage/audit-logs?user_id=u"+esc), 400, "invalid_text", 1, false},
		{"audit action_type", get("admin", "/api/storage/audit-logs?action_type=UPLOAD"+esc), 400, "", 1, false},
		{"audit file_path", get("admin", "/api/storage/audit-logs?file_path={org}/workspace/doc/d1/a"+esc+".png"), 400, "invalid_text", 1, false},
		{"audit related_object_type", get("admin", "/api/storage/audit-logs?related_object_type=doc"+esc), 400, "invalid_text", 1, false},
		{"audit related_object_id", get("admin", "/api/storage/audit-logs?related_object_id=d"+esc), 400, "invalid_text", 1, false},
		{"audit cursor's content", get("admin", "/api/storage/audit-logs?cursor="+auditCursor), 400, "invalid_cursor", 1, false},
		{"audit from", get("admin", "/api/storage/audit-logs?from=2026-01-01T00:00:00Z"+esc), 400, "invalid_from", 0, false},
		{"audit to", get("admin", "/api/storage/audit-logs?to="+esc), 400, "invalid_to", 0, false},

		// Path parameters.
		{"metadata path", get("viewer", "/api/storage/metadata/{org}/workspace/doc/d1/a"+esc+".png"), 400, "invalid_path", 1, false},

		// Token claims (a JSON string too: an invalid byte arrives as U+FFFD).
		{"token subject", func(a *api, org string) response {
			// Signed with the service's own secret, as a trusted issuer that
			// let such a subject through would (auth.Mint refuses it).
			tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "u" + bad, "org_id": org,
				"role": "viewer", "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}).SignedString(a.Secret)
			if err != nil {
				a.T.Fatal(err)
			}
			return a.Get("/api/storage/files", tok)
		}, 401, "token_invalid", 0, false},
	}
	if bad != "\x00" { // a JWT is JSON: an invalid byte would arrive as U+FFFD, valid text
		cases = cases[:len(cases)-1]
	}
	return cases
}

// TestHostileText: NUL and invalid UTF-8 in every client string are a 4xx
// with a code, never a 500, on SQLite and on PostgreSQL (which refuses
// both in text); a request that reached a use case wrote exactly one
// (failed) audit event, and nothing was stored.
func TestHostileText(t *testing.T) {
	t.Parallel()
	dialects := []struct {
		name    string
		env     func(t *testing.T) map[string]string
		dialect string
	}{
		{"sqlite", func(*testing.T) map[string]string { return nil }, postgres.DialectSQLite},
		{"postgres", postgresEnv, postgres.DialectPostgres},
	}
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			a := newAPI(t, d.env(t))
			if got := a.Svc.DB.Dialect(); got != d.dialect {
				t.Fatalf("the service runs on %s, want %s", got, d.dialect)
			}
			n := 0
			for _, bad := range []struct{ name, raw, esc string }{{"NUL", "\x00", "%00"}, {"invalid UTF-8", "\xff", "%FF"}} {
				for _, tc := range hostileCases(bad.raw, bad.esc) {
					if tc.json && bad.raw == "\xff" {
						// JSON must be UTF-8: the body is refused whole,
						// before it decodes into a command.
						tc.code, tc.events = "invalid_text", 0
					}
					n++
					org := fmt.Sprintf("hostile-%d", n) // one org per case: its audit trail is the case's
					r := tc.send(a, org)
					what := bad.name + " in " + tc.name
					if r.Status != tc.status || r.Code() == "" || tc.code != "" && r.Code() != tc.code {
						t.Errorf("%s: got %d %s, want %d %s", what, r.Status, r.Body, tc.status, tc.code)
					}
					events := a.AuditLog(org, "")
					if tc.events >= 0 && len(events) != tc.events {
						t.Errorf("%s: got %d audit events, want %d", what, len(events), tc.events)
					}
					for _, e := range events {
						if e.Success {
							t.Errorf("%s: got a successful %s event, want a failure", what, e.ActionType)
						}
					}
					if files := a.Get("/api/storage/files", a.Token(org, "viewer")); !strings.Contains(string(files.Body), `"items":[]`) {
						t.Errorf("%s: files were stored: %s", what, files.Body)
					}
				}
			}
		})
	}
}

// TestHostileUserAgent: a User-Agent that is not text is recorded
// escaped, on either database, and never fails the request.
func TestHostileUserAgent(t *testing.T) {
	t.Parallel()
	for _, d := range []struct {
		name string
		env  func(t *testing.T) map[string]string
	}{{"sqlite", func(*testing.T) map[string]string { return nil }}, {"postgres", postgresEnv}} {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			a := newAPI(t, d.env(t))
			r := a.Do(http.MethodGet, "/api/storage/metadata/ua/workspace/doc/d1/a.png", a.Token("ua", "viewer"), nil,
				http.Header{"User-Agent": {"agent\xff/1.0"}})
			want(t, "metadata with a hostile User-Agent", r, http.StatusNotFound, "not_found")
			events := a.AuditLog("ua", "")
			if len(events) != 1 || events[0].UserAgent == "" || strings.Contains(events[0].UserAgent, "\xff") {
				t.Errorf("got events %+v, want one with the user agent made text", events)
			}
		})
	}
}
