package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"storagegw/adapters/localfs"
)

type signedURL struct {
	URL       string `json:"url"`
	ExpiresAt string `json:"expires_at"`
	ExpiresIn int64  `json:"expires_in"`
}

func (a *api) signURL(tok, body string) signedURL {
	a.T.Helper()
	r := a.SendJSON(http.MethodPost, "/api/storage/signed-url", tok, body)
	if r.Status != http.StatusOK {
		a.T.Fatalf("signed-url: got %d %s", r.Status, r.Body)
	}
	var s signedURL
	r.JSON(a.T, &s)
	return s
}

func TestAPISignedURLs(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	content := pngOf(10000)
	rec := a.UploadDoc("org-1", "d1", "plan.png", content)
	viewer := a.Token("org-1", "viewer")

	s := a.signURL(viewer, `{"file_path":"`+rec.FilePath+`"}`)
	exp, err := time.Parse(time.RFC3339, s.ExpiresAt)
	if s.ExpiresIn != 900 || err != nil || time.Until(exp) < 890*time.Second || !strings.HasPrefix(s.URL, a.URL+"/api/storage/blob?") {
		t.Errorf("signed-url: got %+v, want a local URL for the doc default of 900 s", s)
	}
	r := a.Get(s.URL, "")
	if r.Status != http.StatusOK || !bytes.Equal(r.Body, content) || r.Header.Get("Content-Type") != "image/png" ||
		r.Header.Get("Content-Disposition") != "inline; filename=plan.png; filename*=UTF-8''plan.png" ||
		r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("fetch: got %d, %d bytes, headers %v", r.Status, len(r.Body), r.Header)
	}
	s = a.signURL(viewer, `{"file_path":"`+rec.FilePath+`","expires_in":60,"disposition":"attachment"}`)
	if s.ExpiresIn != 60 {
		t.Errorf("expires_in 60: got %d", s.ExpiresIn)
	}
	r = a.Get(s.URL, "")
	if !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("attachment: got %q", r.Header.Get("Content-Disposition"))
	}

	ranged := func(h string) response { return a.Do(http.MethodGet, s.URL, "", nil, http.Header{"Range": {h}}) }
	for _, tc := range []struct {
		header   string
		from, to int
	}{{"bytes=0-99", 0, 100}, {"bytes=9990-", 9990, len(content)}, {"bytes=-7", len(content) - 7, len(content)}, {"bytes=100-100", 100, 101}} {
		r := ranged(tc.header)
		wantRange := fmt.Sprintf("bytes %d-%d/%d", tc.from, tc.to-1, len(content))
		if r.Status != http.StatusPartialContent || !bytes.Equal(r.Body, content[tc.from:tc.to]) || r.Header.Get("Content-Range") != wantRange {
			t.Errorf("%s: got %d, %d bytes, Content-Range %q, want %s", tc.header, r.Status, len(r.Body), r.Header.Get("Content-Range"), wantRange)
		}
	}
	r = ranged(fmt.Sprintf("bytes=%d-", len(content)))
	want(t, "unsatisfiable", r, http.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable")
	if r.Header.Get("Content-Range") != fmt.Sprintf("bytes */%d", len(content)) {
		t.Errorf("416 Content-Range: got %q", r.Header.Get("Content-Range"))
	}
	if r := ranged("bytes=0-1,5-6"); r.Status != http.StatusOK || len(r.Body) != len(content) {
		t.Errorf("several ranges: got %d with %d bytes, want the whole file", r.Status, len(r.Body))
	}

	for _, tc := range []struct{ body, code string }{
		{`{"file_path":"` + rec.FilePath + `","expires_in":59}`, "invalid_expires_in"},
		{`{"file_path":"` + rec.FilePath + `","expires_in":901}`, "invalid_expires_in"},
		{`{"file_path":"` + rec.FilePath + `","disposition":"download"}`, "invalid_disposition"},
		{`{"file_path":"` + rec.FilePath + `","extra":true}`, "unknown_field"},
		{`{"file_path":"nope"}`, "invalid_path"},
	} {
		want(t, tc.body, a.SendJSON(http.MethodPost, "/api/storage/signed-url", viewer, tc.body), http.StatusBadRequest, tc.code)
	}
	want(t, "auditor", a.SendJSON(http.MethodPost, "/api/storage/signed-url", a.Token("org-1", "auditor"),
		`{"file_path":"`+rec.FilePath+`"}`), http.StatusForbidden, "forbidden")
	want(t, "missing", a.SendJSON(http.MethodPost, "/api/storage/signed-url", viewer,
		`{"file_path":"org-1/workspace/doc/d1/none.png"}`), http.StatusNotFound, "not_found")

	dl := a.AuditLog("org-1", "action_type=DOWNLOAD")
	if len(dl) < 7 || dl[0].UserID != "viewer-org-1" || dl[0].UserRole != "viewer" || dl[0].FilePath != rec.FilePath {
		t.Errorf("DOWNLOAD audit rows: got %d, newest %+v", len(dl), dl)
	}
	if sg := a.AuditLog("org-1", "action_type=SIGNED_URL_GENERATED&success=true"); len(sg) != 2 ||
		sg[0].Metadata["disposition"] != "attachment" || sg[0].Metadata["expires_in"] != float64(60) {
		t.Errorf("SIGNED_URL_GENERATED rows: got %+v", sg)
	}
}

// wantOpaque checks that a local URL's query is one opaque token that
// names none of clear, raw or query-escaped.
func wantOpaque(t *testing.T, what, link string, clear ...string) {
	t.Helper()
	u, err := url.Parse(link)
	if q := u.Query(); err != nil || len(q) != 1 || len(q["t"]) != 1 || q.Get("t") == "" {
		t.Errorf("%s %q: got query %v, want the token t alone", what, link, q)
	}
	for _, c := range clear {
		if strings.Contains(link, c) || strings.Contains(link, url.QueryEscape(c)) {
			t.Errorf("%s %q carries %q in clear", what, link, c)
		}
	}
}

func TestAPISignedURLRefused(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	rec := a.UploadDoc("org-1", "d1", "a.png", pngOf(100))
	member := a.Token("org-1", "member")
	s := a.signURL(member, `{"file_path":"`+rec.FilePath+`"}`)
	u, _ := url.Parse(s.URL)
	clear := []string{"org-1", "member-org-1", "member", rec.FilePath, "a.png"}
	wantOpaque(t, "signed URL", s.URL, clear...)
	up := a.initiate(member, `"system": "workspace", "object_type": "doc", "object_id": "d1", "filename": "b.png", "content_type": "image/png"`, 100)
	part := a.partURLs(member, up)[0].URL
	wantOpaque(t, "part URL", part, "org-1", "member-org-1", "member", up.FilePath, "b.png", up.UploadID)
	pu, _ := url.Parse(part)

	tok := u.Query().Get("t")
	if tok == "" {
		t.Fatalf("signed URL %q: no token to tamper with", s.URL)
	}
	flip := func(i int) string { // tok with its i-th character changed
		c := map[bool]string{true: "B", false: "A"}[tok[i] == 'A']
		return tok[:i] + c + tok[i+1:]
	}
	for _, tc := range []struct{ name, query string }{
		{"first character changed", "t=" + flip(0)}, {"middle character changed", "t=" + flip(len(tok)/2)},
		{"last character changed", "t=" + flip(len(tok)-1)}, {"truncated", "t=" + tok[:len(tok)-4]},
		{"extended", "t=" + tok + "AAAA"}, {"repeated", "t=" + tok + "&t=" + tok}, {"no token", "sig=" + tok},
		{"a part URL's token", pu.RawQuery},
		{"v2 fields in clear", "key=" + url.QueryEscape(rec.FilePath) + "&org=org-1&user=member-org-1&role=admin&path=" +
			url.QueryEscape(rec.FilePath) + "&exp=99999999999&sig=AAAA"},
	} {
		want(t, tc.name, a.Get(a.URL+u.Path+"?"+tc.query, ""), http.StatusForbidden, "signature_invalid")
	}
	want(t, "a download token on the part route", a.Do(http.MethodPut, a.URL+pu.Path+"?"+u.RawQuery, "",
		bytes.NewReader(pngOf(100)), nil), http.StatusForbidden, "signature_invalid")

	// An authentic URL whose time has passed: the genuine URL opened and
	// sealed again with the service's own key by a clock two hours behind,
	// as another replica would.
	key, err := os.ReadFile(a.Cfg.URLKeyPath())
	if err != nil {
		t.Fatal(err)
	}
	past, err := localfs.NewSigner(a.URL, key, fixedClock(time.Now().Add(-2*time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	req, err := past.Verify(u.Query())
	if err != nil || req.OrgID != "org-1" || req.UserID != "member-org-1" || req.Path != rec.FilePath {
		t.Fatalf("the genuine URL opened by another signer with the key: got %+v, %v", req, err)
	}
	req.Expiry = time.Minute
	old, err := past.SignURL(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	want(t, "expired", a.Get(old, ""), http.StatusForbidden, "url_expired")

	if r := a.Get(s.URL, ""); r.Status != http.StatusOK {
		t.Fatalf("the genuine URL: got %d %s", r.Status, r.Body)
	}
	a.SendJSON(http.MethodDelete, "/api/storage/delete", member, `{"file_path":"`+rec.FilePath+`"}`)
	want(t, "after delete", a.Get(s.URL, ""), http.StatusNotFound, "not_found")

	rows := a.AuditLog("org-1", "action_type=DOWNLOAD")
	var expired, deleted, ok int
	for _, ev := range rows {
		switch {
		case ev.Success:
			ok++
		case ev.ErrorMessage != nil && strings.HasPrefix(*ev.ErrorMessage, "url_expired"):
			expired++
		case ev.ErrorMessage != nil && strings.HasPrefix(*ev.ErrorMessage, "not_found"):
			deleted++
		}
	}
	// Tampered URLs name no one trustworthy: logged, not audited.
	if len(rows) != 3 || ok != 1 || expired != 1 || deleted != 1 {
		t.Errorf("DOWNLOAD rows: got %+v, want one success, one expired, one not found", rows)
	}
}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// TestAPIHugeUploadRefusedEarly declares a 600 MiB body and trickles it:
// the service must answer 413 at once, without waiting for the body.
func TestAPIHugeUploadRefusedEarly(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	w.WriteField("object_id", "exp-1")
	fw, _ := w.CreateFormFile("file", "huge.pdf")
	fw.Write(pdfBytes)

	conn, err := net.Dial("tcp", strings.TrimPrefix(a.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/storage/receipt-upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: %s\r\nContent-Length: %d\r\n\r\n", a.Token("org-1", "member"), w.FormDataContentType(), 600<<20)
	conn.Write(head.Bytes())
	var sent atomic.Int64
	stop := make(chan struct{})
	defer close(stop)
	go func() { // a slow client: 4 KiB every 10 ms, for as long as it may
		chunk := bytes.Repeat([]byte(" "), 4096)
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			if _, err := conn.Write(chunk); err != nil {
				return
			}
			sent.Add(int64(len(chunk)))
		}
	}()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer while the body was still coming (sent %d bytes): %v", sent.Load(), err)
	}
	if res.StatusCode != http.StatusRequestEntityTooLarge || !res.Close {
		t.Errorf("got %d, close %v, want 413 and Connection: close", res.StatusCode, res.Close)
	}
	if n := sent.Load(); n > 1<<20 {
		t.Errorf("the answer came after %d bytes of the body, want it before the body was read", n)
	}
	if evs := a.AuditLog("org-1", "action_type=UPLOAD&success=false"); len(evs) != 1 || !strings.HasPrefix(*evs[0].ErrorMessage, "file_too_large") {
		t.Errorf("audit: got %+v, want the refused upload", evs)
	}
}
