package e2e

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// signedLink is the answer of POST /signed-url.
type signedLink struct {
	URL       string `json:"url"`
	ExpiresIn int64  `json:"expires_in"`
	LinkID    string `json:"link_id"`
	LinkMode  string `json:"link_mode"`
	MaxUses   int    `json:"max_uses"`
}

func (a *api) signLink(t testing.TB, tok, filePath, extra string) signedLink {
	t.Helper()
	r := a.SendJSON(http.MethodPost, "/api/storage/signed-url", tok, `{"file_path":"`+filePath+`"`+extra+`}`)
	if r.Status != http.StatusOK {
		t.Fatalf("signed-url %s: got %d %s", filePath, r.Status, r.Body)
	}
	var s signedLink
	r.JSON(t, &s)
	if s.LinkID == "" || s.LinkMode == "" {
		t.Fatalf("signed-url %s: no link in %s", filePath, r.Body)
	}
	return s
}

func (a *api) uploadReceipt(t testing.TB, org, objectID string, content []byte) record {
	t.Helper()
	r := a.Upload("/api/storage/receipt-upload", a.Token(org, "member"), [][2]string{{"object_id", objectID}}, "r.png", content)
	if r.Status != http.StatusCreated {
		t.Fatalf("receipt upload: got %d %s", r.Status, r.Body)
	}
	var rec record
	r.JSON(t, &rec)
	return rec
}

// on rewrites the signed URL u to be served by the replica b.
func (a *api) on(t *testing.T, u string) string {
	t.Helper()
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(a.URL)
	parsed.Scheme, parsed.Host = base.Scheme, base.Host
	return parsed.String()
}

// downloadEvents are the DOWNLOAD events of link id in org's trail.
func (a *api) downloadEvents(org, linkID string) (ok, refused int) {
	for _, ev := range a.AuditLog(org, "action_type=DOWNLOAD") {
		if ev.Metadata["link_id"] == linkID {
			if ev.Success {
				ok++
			} else {
				refused++
			}
		}
	}
	return ok, refused
}

// TestLinksLocal: on local disk every signed URL has a link that the
// service checks on every use, on SQLite and on two replicas sharing one
// PostgreSQL database (and the data dir, so its keys).
func TestLinksLocal(t *testing.T) {
	t.Parallel()
	t.Run("SQLite", func(t *testing.T) {
		t.Parallel()
		a := newAPI(t, nil)
		testLinksLocal(t, a, a)
	})
	t.Run("PostgresTwoReplicas", func(t *testing.T) {
		t.Parallel()
		env := postgresEnv(t)
		env["STORAGEGW_DATA_DIR"] = t.TempDir()
		a := newAPI(t, env)
		b := newAPI(t, env)
		testLinksLocal(t, a, b)
	})
}

// testLinksLocal signs on a and uses and revokes on a and b.
func testLinksLocal(t *testing.T, a, b *api) {
	body := pngOf(2000)
	rec := a.uploadReceipt(t, "org-1", "exp-1", body)
	member, viewer := a.Token("org-1", "member"), a.Token("org-1", "viewer")

	// One link: used on both replicas, then revoked on b.
	l := a.signLink(t, viewer, rec.FilePath, "")
	if l.LinkMode != "local" || !strings.HasPrefix(l.URL, a.URL+"/api/storage/blob?") {
		t.Fatalf("link %+v", l)
	}
	for _, r := range []*api{a, b} {
		got := r.Get(r.on(t, l.URL), "")
		if got.Status != http.StatusOK || string(got.Body) != string(body) {
			t.Fatalf("use on %s: got %d %s", r.URL, got.Status, got.Body)
		}
	}
	want(t, "viewer revokes", b.Do(http.MethodDelete, "/api/storage/links/"+l.LinkID, viewer, nil, nil), http.StatusForbidden, "forbidden")
	want(t, "another org revokes", b.Do(http.MethodDelete, "/api/storage/links/"+l.LinkID, b.Token("org-2", "admin"), nil, nil),
		http.StatusNotFound, "link_not_found")
	want(t, "unknown link", b.Do(http.MethodDelete, "/api/storage/links/nope", member, nil, nil), http.StatusNotFound, "link_not_found")
	r := b.Do(http.MethodDelete, "/api/storage/links/"+l.LinkID, member, nil, nil)
	want(t, "revoke", r, http.StatusOK, "")
	if !strings.Contains(string(r.Body), `"uses":2`) || !strings.Contains(string(r.Body), `"file_path":"`+rec.FilePath+`"`) {
		t.Errorf("revoke answer %s", r.Body)
	}
	for _, r := range []*api{a, b} {
		want(t, "revoked link on "+r.URL, r.Get(r.on(t, l.URL), ""), http.StatusGone, "link_revoked")
	}
	if ok, refused := a.downloadEvents("org-1", l.LinkID); ok != 2 || refused != 2 {
		t.Errorf("DOWNLOAD events of the link: %d ok, %d refused; want 2 and 2", ok, refused)
	}
	events := a.AuditLog("org-1", "action_type=LINK_REVOKED")
	var succeeded, failed int
	for _, ev := range events {
		if ev.Success {
			succeeded++
		} else {
			failed++
		}
	}
	if succeeded != 1 || failed != 2 { // the viewer's and the unknown link's refusals (org-2's is in org-2's trail)
		t.Errorf("LINK_REVOKED events: %d ok, %d refused; want 1 and 2", succeeded, failed)
	}

	// Every link of a file, and only that file's.
	l1, l2 := a.signLink(t, viewer, rec.FilePath, ""), a.signLink(t, viewer, rec.FilePath, "")
	doc := a.UploadDoc("org-1", "d1", "d.pdf", pdfBytes)
	other := a.signLink(t, viewer, doc.FilePath, "")
	want(t, "revoke all as a viewer", b.SendJSON(http.MethodPost, "/api/storage/links/revoke", viewer,
		`{"file_path":"`+rec.FilePath+`"}`), http.StatusForbidden, "forbidden")
	want(t, "revoke all of another org's path", b.SendJSON(http.MethodPost, "/api/storage/links/revoke", member,
		`{"file_path":"org-2/accounting/receipt/exp-1/r.png"}`), http.StatusNotFound, "not_found")
	r = b.SendJSON(http.MethodPost, "/api/storage/links/revoke", member, `{"file_path":"`+rec.FilePath+`"}`)
	want(t, "revoke all", r, http.StatusOK, "")
	if !strings.Contains(string(r.Body), `"revoked":2`) {
		t.Errorf("revoke all answer %s, want 2 revoked (the first was revoked already)", r.Body)
	}
	for _, l := range []signedLink{l1, l2} {
		want(t, "a revoked link of the file", a.Get(l.URL, ""), http.StatusGone, "link_revoked")
	}
	want(t, "another file's link", a.Get(other.URL, ""), http.StatusOK, "")

	// max_uses, counted across replicas.
	counted := a.signLink(t, viewer, rec.FilePath, `,"max_uses":2`)
	if counted.MaxUses != 2 {
		t.Errorf("max_uses %+v", counted)
	}
	want(t, "use 1", a.Get(counted.URL, ""), http.StatusOK, "")
	want(t, "use 2", b.Get(b.on(t, counted.URL), ""), http.StatusOK, "")
	want(t, "use 3", a.Get(counted.URL, ""), http.StatusGone, "link_exhausted")
	want(t, "max_uses 0", a.SendJSON(http.MethodPost, "/api/storage/signed-url", viewer,
		`{"file_path":"`+rec.FilePath+`","max_uses":0}`), http.StatusBadRequest, "invalid_max_uses")

	// The file's links as a member sees them, on the other replica, in
	// pages of two: oldest first, revocations and uses included.
	testListLinks(t, b, rec.FilePath, []signedLink{l, l1, l2, counted},
		map[string]bool{l.LinkID: true, l1.LinkID: true, l2.LinkID: true}, map[string]int{l.LinkID: 2, counted.LinkID: 2})

	// A soft delete revokes every link of the file; a restore does not
	// bring them back.
	d1, d2 := a.signLink(t, viewer, doc.FilePath, ""), a.signLink(t, viewer, doc.FilePath, "")
	r = b.SendJSON(http.MethodDelete, "/api/storage/delete", member, `{"file_path":"`+doc.FilePath+`"}`)
	want(t, "soft delete", r, http.StatusOK, "")
	want(t, "restore", a.SendJSON(http.MethodPost, "/api/storage/restore", a.Token("org-1", "admin"),
		`{"file_path":"`+doc.FilePath+`"}`), http.StatusOK, "")
	for _, l := range []signedLink{d1, d2, other} {
		want(t, "a deleted file's link", a.Get(l.URL, ""), http.StatusGone, "link_revoked")
	}
	deletes := a.AuditLog("org-1", "action_type=DELETE")
	if len(deletes) != 1 || fmt.Sprint(deletes[0].Metadata["links_revoked"]) != "3" {
		t.Errorf("DELETE event: %+v, want links_revoked 3", deletes)
	}
}

// listedLink is one item of GET /api/storage/links.
type listedLink struct {
	LinkID    string  `json:"link_id"`
	LinkMode  string  `json:"link_mode"`
	CreatedBy string  `json:"created_by"`
	MaxUses   *int    `json:"max_uses"`
	Uses      int     `json:"uses"`
	RevokedAt *string `json:"revoked_at"`
	RevokedBy *string `json:"revoked_by"`
}

// testListLinks lists filePath's links on a in pages of two and checks
// they are want, in order, with the revocations and uses given; then the
// refusals, and that each listing is a LIST event.
func testListLinks(t *testing.T, a *api, filePath string, links []signedLink, revoked map[string]bool, uses map[string]int) {
	t.Helper()
	member := a.Token("org-1", "member")
	var got []listedLink
	cursor := ""
	for pages := 0; pages < len(links); pages++ {
		q := url.Values{"file_path": {filePath}, "limit": {"2"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		r := a.Do(http.MethodGet, "/api/storage/links?"+q.Encode(), member, nil, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("list links: got %d %s", r.Status, r.Body)
		}
		var p struct {
			Items      []listedLink `json:"items"`
			NextCursor *string      `json:"next_cursor"`
		}
		r.JSON(t, &p)
		got = append(got, p.Items...)
		if p.NextCursor == nil {
			break
		}
		cursor = *p.NextCursor
	}
	if len(got) != len(links) {
		t.Fatalf("listed %d links, want %d: %+v", len(got), len(links), got)
	}
	for i, l := range got {
		if l.LinkID != links[i].LinkID || l.LinkMode != links[i].LinkMode || l.CreatedBy != "viewer-org-1" {
			t.Errorf("link %d: %+v, want %+v", i, l, links[i])
		}
		if (l.RevokedAt != nil) != revoked[l.LinkID] || (l.RevokedBy != nil) != revoked[l.LinkID] {
			t.Errorf("link %d revoked %v, want %v", i, l.RevokedAt, revoked[l.LinkID])
		}
		if l.Uses != uses[l.LinkID] {
			t.Errorf("link %d: %d uses, want %d", i, l.Uses, uses[l.LinkID])
		}
		if (l.MaxUses != nil) != (links[i].MaxUses > 0) {
			t.Errorf("link %d max_uses %v, want %d", i, l.MaxUses, links[i].MaxUses)
		}
	}
	want(t, "list links as a viewer", a.Do(http.MethodGet, "/api/storage/links?file_path="+url.QueryEscape(filePath),
		a.Token("org-1", "viewer"), nil, nil), http.StatusForbidden, "forbidden")
	want(t, "list another org's links", a.Do(http.MethodGet, "/api/storage/links?file_path="+
		url.QueryEscape("org-2/accounting/receipt/exp-1/r.png"), member, nil, nil), http.StatusNotFound, "not_found")
	want(t, "list links with no path", a.Do(http.MethodGet, "/api/storage/links", member, nil, nil),
		http.StatusBadRequest, "invalid_path")
	listed := 0
	for _, ev := range a.AuditLog("org-1", "action_type=LIST") {
		if ev.Metadata["links"] == true && ev.FilePath == filePath && ev.Success {
			listed++
		}
	}
	if pages := (len(links) + 1) / 2; listed != pages {
		t.Errorf("%d successful LIST events of the file's links, want %d (one per page)", listed, pages)
	}
}

// noRedirect is a client that hands back a redirect instead of following it.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// TestGatewayLinks: on an S3 store, receipts' URLs go through the gateway,
// which checks every use, audits it as DOWNLOAD and redirects to a store URL
// of at most 60 s; two replicas on one PostgreSQL database, with their own
// data dirs and shared secrets, see one another's revocations.
func TestGatewayLinks(t *testing.T) {
	t.Parallel()
	s3 := testS3(t)
	bucket := s3.Bucket(t)
	env := s3.SpacesEnv(s3.Endpoint, bucket, postgresEnv(t))
	env["JWT_HS256_SECRET"] = strings.Repeat("j", 32)
	env["STORAGEGW_LINK_SIGNING_SECRET"] = strings.Repeat("l", 32)
	a := newAPI(t, env)
	benv := maps.Clone(env)
	b := newAPI(t, benv)
	body := pngOf(3000)
	rec := a.uploadReceipt(t, "org-1", "exp-1", body)
	viewer, member := a.Token("org-1", "viewer"), a.Token("org-1", "member")

	l := a.signLink(t, viewer, rec.FilePath, "")
	if l.LinkMode != "gateway" || !strings.HasPrefix(l.URL, a.URL+"/api/storage/blob?") {
		t.Fatalf("receipt link %+v, want a gateway link on %s", l, a.URL)
	}
	for i, r := range []*api{a, b, a} {
		res, err := noRedirect.Get(r.on(t, l.URL))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc, err := url.Parse(res.Header.Get("Location"))
		if res.StatusCode != http.StatusFound || err != nil || loc.Host != s3.Endpoint {
			t.Fatalf("use %d: got %d to %q, want 302 to the store", i, res.StatusCode, res.Header.Get("Location"))
		}
		if exp, _ := strconv.Atoi(loc.Query().Get("X-Amz-Expires")); exp < 1 || exp > 60 {
			t.Errorf("use %d: the store URL lives %q s, want at most 60", i, loc.Query().Get("X-Amz-Expires"))
		}
		if got := a.Get(loc.String(), ""); got.Status != http.StatusOK || string(got.Body) != string(body) {
			t.Fatalf("use %d: the store answered %d with %d bytes", i, got.Status, len(got.Body))
		}
	}
	if ok, refused := a.downloadEvents("org-1", l.LinkID); ok != 3 || refused != 0 {
		t.Errorf("DOWNLOAD events of the gateway link: %d ok, %d refused; want one per use (3)", ok, refused)
	}
	want(t, "revoke on b", b.Do(http.MethodDelete, "/api/storage/links/"+l.LinkID, member, nil, nil), http.StatusOK, "")
	for _, r := range []*api{a, b} {
		res, err := noRedirect.Get(r.on(t, l.URL))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusGone || res.Header.Get("Location") != "" {
			t.Errorf("revoked gateway link on %s: got %d, want 410 and no redirect", r.URL, res.StatusCode)
		}
	}
	if ok, refused := a.downloadEvents("org-1", l.LinkID); ok != 3 || refused != 2 {
		t.Errorf("DOWNLOAD events after the revocation: %d ok, %d refused; want 3 and 2", ok, refused)
	}

	// A workspace doc is presigned by the store (no gateway) unless its
	// link counts its uses.
	doc := a.UploadDoc("org-1", "d1", "d.pdf", pdfBytes)
	p := a.signLink(t, viewer, doc.FilePath, "")
	if u, _ := url.Parse(p.URL); p.LinkMode != "presigned" || u.Host != s3.Endpoint {
		t.Errorf("doc link %+v, want presigned on the store", p)
	}
	once := a.signLink(t, viewer, doc.FilePath, `,"max_uses":1`)
	if once.LinkMode != "gateway" {
		t.Fatalf("doc link with max_uses %+v, want gateway", once)
	}
	if got := b.Get(b.on(t, once.URL), ""); got.Status != http.StatusOK || string(got.Body) != string(pdfBytes) {
		t.Errorf("the one use, followed: got %d %q", got.Status, got.Body)
	}
	want(t, "the second use", a.Get(once.URL, ""), http.StatusGone, "link_exhausted")

	// A delete revokes the receipt's gateway links.
	g := a.signLink(t, viewer, rec.FilePath, "")
	want(t, "soft delete", b.SendJSON(http.MethodDelete, "/api/storage/delete", member, `{"file_path":"`+rec.FilePath+`"}`), http.StatusOK, "")
	want(t, "restore", a.SendJSON(http.MethodPost, "/api/storage/restore", a.Token("org-1", "admin"),
		`{"file_path":"`+rec.FilePath+`"}`), http.StatusOK, "")
	want(t, "a deleted receipt's gateway link", a.Get(g.URL, ""), http.StatusGone, "link_revoked")
}
