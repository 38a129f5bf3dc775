package application_test

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/application/memrepo"
	"storagegw/domain"
)

// sealingSigner stands in for the service's own signer (local disk, or the
// gateway on a store that presigns): it remembers each request under a
// number, which its URL carries.
type sealingSigner struct {
	mu   sync.Mutex
	reqs []application.SignRequest
}

func (s *sealingSigner) SignURL(_ context.Context, r application.SignRequest) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r)
	return fmt.Sprintf("https://gw.example/api/storage/blob?n=%d", len(s.reqs)-1), nil
}

func (s *sealingSigner) Verify(q url.Values) (application.SignRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int
	if _, err := fmt.Sscan(q.Get("n"), &n); err != nil || n < 0 || n >= len(s.reqs) {
		return application.SignRequest{}, domain.Errorf(domain.ErrForbidden, "signature_invalid", "The link is not valid.")
	}
	return s.reqs[n], nil
}

type linkFixture struct {
	*fixture
	links   *memrepo.Links
	sealer  *sealingSigner
	member  application.Caller
	receipt *domain.FileRecord
	doc     *domain.FileRecord
}

// newLinkFixture wires the use cases with links over memrepo. local: the
// service serves every URL (sealingSigner signs them all); otherwise the
// store presigns (recordingSigner) and sealingSigner is the gateway of
// receipts and invoices (gateway) or there is none.
func newLinkFixture(t *testing.T, local, gateway bool) *linkFixture {
	t.Helper()
	base := newFixture(t)
	f := &linkFixture{fixture: base, links: memrepo.NewLinks(), sealer: &sealingSigner{},
		member: caller("org-1", domain.RoleMember)}
	var signer application.URLSigner = f.signer
	if local {
		signer = f.sealer
	}
	tx := memrepo.NewTransactor()
	f.app = application.New(f.faultyBlobs, f.faultyFiles, f.faultyAudit, nil, tx, nil, signer, f.clock, application.Options{})
	opts := application.LinkOptions{GatewayKinds: application.DefaultGatewayKinds()}
	if gateway {
		opts.Gateway = f.sealer
	}
	f.app.EnableLinks(f.links, opts)
	f.receipt = f.mustUpload(t, receipt(f.member, "r.png", pngBytes(500)))
	f.doc = f.mustUpload(t, application.UploadCommand{Caller: f.member, System: "workspace", ObjectType: "pdf",
		ObjectID: "d1", Filename: "d.pdf", Body: strings.NewReader(string(pdfBytes(300))), DeclaredSize: -1})
	return f
}

func (f *linkFixture) sign(t *testing.T, rec *domain.FileRecord, maxUses *int) application.SignedURL {
	t.Helper()
	out, err := f.app.SignURL.Handle(context.Background(), application.SignURLQuery{Caller: caller("org-1", domain.RoleViewer),
		FilePath: rec.Path().String(), MaxUses: maxUses})
	if err != nil {
		t.Fatalf("sign %s: %v", rec.Path(), err)
	}
	if out.LinkID == "" {
		t.Fatalf("sign %s: no link id", rec.Path())
	}
	return out
}

// use downloads through the URL out, as the HTTP route does.
func (f *linkFixture) use(out application.SignedURL) (application.DownloadResult, error) {
	u, err := url.Parse(out.URL)
	if err != nil {
		return application.DownloadResult{}, err
	}
	res, err := f.app.Download.Handle(context.Background(), application.DownloadQuery{Query: u.Query(), IP: "198.51.100.9"})
	if err == nil && res.Body != nil {
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	return res, err
}

func TestSignedURLHasALink(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, true, false)
	before := len(f.audit.Events())
	out := f.sign(t, f.receipt, nil)
	if out.LinkMode != domain.LinkLocal {
		t.Errorf("mode %q, want local", out.LinkMode)
	}
	ev := f.eventsSince(t, before, 1)[0].Data()
	if ev.Action != domain.ActionSignedURLGenerated || ev.Metadata["link_id"] != out.LinkID || ev.Metadata["link_mode"] != "local" {
		t.Errorf("event %+v", ev)
	}
	l, err := f.links.Get(context.Background(), out.LinkID)
	if err != nil {
		t.Fatal(err)
	}
	if d := l.Data(); d.OrgID != "org-1" || d.FilePath != f.receipt.Path().String() || d.RecordID != f.receipt.ID() ||
		d.CreatedBy != "user-viewer" || !d.ExpiresAt.Equal(out.ExpiresAt) {
		t.Errorf("stored link %+v", d)
	}
	if got := f.sealer.reqs[0].LinkID; got != out.LinkID {
		t.Errorf("URL signed for link %q, want %q", got, out.LinkID)
	}
	// Every use is counted with its DOWNLOAD event.
	for i := 1; i <= 3; i++ {
		before := len(f.audit.Events())
		if _, err := f.use(out); err != nil {
			t.Fatal(err)
		}
		ev := f.eventsSince(t, before, 1)[0].Data()
		if ev.Action != domain.ActionDownload || !ev.Success || ev.Metadata["link_id"] != out.LinkID || ev.Metadata["uses"] != i {
			t.Errorf("use %d: event %+v", i, ev)
		}
	}
}

func TestSignURLLinkNeedsItsStore(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, true, false)
	before := len(f.audit.Events())
	failing := &failingLinks{Links: f.links}
	f.app.EnableLinks(failing, application.LinkOptions{})
	_, err := f.app.SignURL.Handle(context.Background(), application.SignURLQuery{Caller: f.member, FilePath: f.receipt.Path().String()})
	wantKind(t, err, domain.ErrUnavailable, "")
	ev := f.eventsSince(t, before, 1)[0].Data()
	if ev.Success {
		t.Errorf("a URL whose link was not stored was audited as a success: %+v", ev)
	}
}

type failingLinks struct{ application.Links }

func (failingLinks) Create(context.Context, *domain.Link) error {
	return domain.Errorf(domain.ErrUnavailable, "database_unavailable", "down")
}

func TestRevokeOneLink(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, true, false)
	ctx := context.Background()
	a, b := f.sign(t, f.receipt, nil), f.sign(t, f.receipt, nil)
	if _, err := f.use(a); err != nil {
		t.Fatal(err)
	}
	before := len(f.audit.Events())
	got, err := f.app.RevokeLinks.One(ctx, application.RevokeLinkCommand{Caller: f.member, LinkID: a.LinkID})
	if err != nil {
		t.Fatal(err)
	}
	if got.LinkID != a.LinkID || got.FilePath != f.receipt.Path().String() || got.Uses != 1 || !got.RevokedAt.Equal(f.clock.Now()) {
		t.Errorf("revoked: %+v", got)
	}
	ev := f.eventsSince(t, before, 1)[0].Data()
	if ev.Action != domain.ActionLinkRevoked || !ev.Success || ev.FilePath != f.receipt.Path().String() ||
		ev.Metadata["link_id"] != a.LinkID || ev.Actor.UserID != "user-member" {
		t.Errorf("event %+v", ev)
	}
	before = len(f.audit.Events())
	_, err = f.use(a)
	wantKind(t, err, domain.ErrForbidden, domain.CodeLinkRevoked)
	ev = f.eventsSince(t, before, 1)[0].Data()
	if ev.Action != domain.ActionDownload || ev.Success || !strings.HasPrefix(ev.ErrorMessage, domain.CodeLinkRevoked) {
		t.Errorf("refused use: event %+v", ev)
	}
	if _, err := f.use(b); err != nil {
		t.Errorf("the other link of the file: %v", err)
	}
	// Revoking again succeeds and keeps the first revocation.
	f.clock.Advance(time.Minute)
	again, err := f.app.RevokeLinks.One(ctx, application.RevokeLinkCommand{Caller: f.member, LinkID: a.LinkID})
	if err != nil || !again.RevokedAt.Equal(got.RevokedAt) {
		t.Errorf("revoked again: %+v, %v", again, err)
	}
}

func TestRevokeLinkRefusals(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, true, false)
	ctx := context.Background()
	a := f.sign(t, f.receipt, nil)
	for name, tc := range map[string]struct {
		c    application.Caller
		id   string
		kind error
		code string
	}{
		"viewer":        {caller("org-1", domain.RoleViewer), a.LinkID, domain.ErrForbidden, "forbidden"},
		"auditor":       {caller("org-1", domain.RoleAuditor), a.LinkID, domain.ErrForbidden, "forbidden"},
		"another org":   {caller("org-2", domain.RoleAdmin), a.LinkID, domain.ErrNotFound, "link_not_found"},
		"unknown":       {f.member, "0193a3b4-0000-7000-8000-000000000000", domain.ErrNotFound, "link_not_found"},
		"empty":         {f.member, "", domain.ErrNotFound, "link_not_found"},
		"control chars": {f.member, "a\x00b", domain.ErrNotFound, "link_not_found"},
	} {
		before := len(f.audit.Events())
		_, err := f.app.RevokeLinks.One(ctx, application.RevokeLinkCommand{Caller: tc.c, LinkID: tc.id})
		t.Run(name, func(t *testing.T) { wantKind(t, err, tc.kind, tc.code) })
		if ev := f.eventsSince(t, before, 1)[0].Data(); ev.Success || ev.Action != domain.ActionLinkRevoked {
			t.Errorf("%s: event %+v", name, ev)
		}
	}
	if _, err := f.use(a); err != nil {
		t.Errorf("the link after refused revocations: %v", err)
	}
	_, err := f.app.RevokeLinks.File(ctx, application.RevokeFileLinksCommand{Caller: caller("org-2", domain.RoleAdmin),
		FilePath: f.receipt.Path().String()})
	wantKind(t, err, domain.ErrNotFound, "not_found")
	_, err = f.app.RevokeLinks.File(ctx, application.RevokeFileLinksCommand{Caller: f.member, FilePath: "org-1/../x"})
	wantKind(t, err, domain.ErrInvalid, "")
}

func TestRevokeEveryLinkOfAFile(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, true, false)
	a, b, other := f.sign(t, f.receipt, nil), f.sign(t, f.receipt, nil), f.sign(t, f.doc, nil)
	before := len(f.audit.Events())
	n, err := f.app.RevokeLinks.File(context.Background(), application.RevokeFileLinksCommand{Caller: f.member,
		FilePath: f.receipt.Path().String()})
	if err != nil || n != 2 {
		t.Fatalf("revoked %d, %v; want 2", n, err)
	}
	ev := f.eventsSince(t, before, 1)[0].Data()
	if ev.Action != domain.ActionLinkRevoked || ev.Metadata["links_revoked"] != 2 || ev.FilePath != f.receipt.Path().String() {
		t.Errorf("event %+v", ev)
	}
	for _, out := range []application.SignedURL{a, b} {
		_, err := f.use(out)
		wantKind(t, err, domain.ErrForbidden, domain.CodeLinkRevoked)
	}
	if _, err := f.use(other); err != nil {
		t.Errorf("another file's link: %v", err)
	}
}

func TestSoftDeleteRevokesTheLinks(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, true, false)
	ctx := context.Background()
	a, b := f.sign(t, f.receipt, nil), f.sign(t, f.receipt, nil)
	before := len(f.audit.Events())
	if _, err := f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: f.member, FilePath: f.receipt.Path().String()}); err != nil {
		t.Fatal(err)
	}
	if ev := f.eventsSince(t, before, 1)[0].Data(); ev.Action != domain.ActionDelete || ev.Metadata["links_revoked"] != 2 {
		t.Errorf("event %+v", ev)
	}
	for _, out := range []application.SignedURL{a, b} {
		l, err := f.links.Get(ctx, out.LinkID)
		if err != nil || !l.Revoked() || l.Data().RevokedBy != "user-member" {
			t.Errorf("link after the delete: %+v, %v", l, err)
		}
	}
	// Restored, the file's old links stay revoked.
	admin := caller("org-1", domain.RoleAdmin)
	if _, err := f.app.Restore.Handle(ctx, application.RestoreCommand{Caller: admin, FilePath: f.receipt.Path().String()}); err != nil {
		t.Fatal(err)
	}
	_, err := f.use(a)
	wantKind(t, err, domain.ErrForbidden, domain.CodeLinkRevoked)
}

func TestSoftDeleteWithoutItsRevocationIsRolledBack(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, true, false)
	f.sign(t, f.receipt, nil)
	f.app.EnableLinks(&failingRevoke{Links: f.links}, application.LinkOptions{})
	_, err := f.app.Delete.Handle(context.Background(), application.DeleteCommand{Caller: f.member, FilePath: f.receipt.Path().String()})
	wantKind(t, err, domain.ErrUnavailable, "")
	if rec := f.record(t, f.receipt.Path()); !rec.Visible() {
		t.Errorf("the delete committed without revoking the file's links")
	}
}

type failingRevoke struct{ application.Links }

func (failingRevoke) RevokeFile(context.Context, string, string, string, time.Time) (int, error) {
	return 0, domain.Errorf(domain.ErrUnavailable, "database_unavailable", "down")
}

func TestLinkMaxUses(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, true, false)
	two := 2
	out := f.sign(t, f.receipt, &two)
	if out.MaxUses != 2 {
		t.Errorf("max uses %d", out.MaxUses)
	}
	for range 2 {
		if _, err := f.use(out); err != nil {
			t.Fatal(err)
		}
	}
	before := len(f.audit.Events())
	_, err := f.use(out)
	wantKind(t, err, domain.ErrForbidden, domain.CodeLinkExhausted)
	if ev := f.eventsSince(t, before, 1)[0].Data(); ev.Success || ev.Metadata["uses"] != 2 {
		t.Errorf("event %+v", ev)
	}
	for _, bad := range []int{0, -1, domain.MaxLinkUses + 1} {
		_, err := f.app.SignURL.Handle(context.Background(), application.SignURLQuery{Caller: f.member,
			FilePath: f.receipt.Path().String(), MaxUses: &bad})
		wantKind(t, err, domain.ErrInvalid, "invalid_max_uses")
	}
}

func TestLinkUseNeedsItsAuditEvent(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, true, false)
	one := 1
	out := f.sign(t, f.receipt, &one)
	f.faultyAudit.fail = true
	_, err := f.use(out)
	wantKind(t, err, domain.ErrUnavailable, "audit_unavailable")
	f.faultyAudit.fail = false
	l, _ := f.links.Get(context.Background(), out.LinkID)
	if l.Uses() != 0 {
		t.Fatalf("a use without its DOWNLOAD event was counted: uses %d", l.Uses())
	}
	if _, err := f.use(out); err != nil {
		t.Fatalf("the link's one use after the failure: %v", err)
	}
}

func TestGatewayLinks(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, false, true)
	if f.app.Download == nil {
		t.Fatal("a gateway without Download")
	}
	// A receipt's link goes through the gateway.
	out := f.sign(t, f.receipt, nil)
	if out.LinkMode != domain.LinkGateway || !strings.HasPrefix(out.URL, "https://gw.example/") {
		t.Fatalf("receipt: %+v", out)
	}
	before := len(f.audit.Events())
	res, err := f.use(out)
	if err != nil {
		t.Fatal(err)
	}
	if res.Body != nil || !strings.HasPrefix(res.Redirect, "https://signed.example/") {
		t.Fatalf("gateway use: %+v", res)
	}
	presigned := f.signer.reqs[len(f.signer.reqs)-1]
	if presigned.Key != f.receipt.Content().BlobKey || presigned.Expiry > domain.GatewayRedirectExpiry || presigned.Expiry < time.Second {
		t.Errorf("redirect presigned for %+v", presigned)
	}
	ev := f.eventsSince(t, before, 1)[0].Data()
	if ev.Action != domain.ActionDownload || !ev.Success || ev.Metadata["link_id"] != out.LinkID || ev.Metadata["redirect_expires_in"] != int64(60) {
		t.Errorf("event %+v", ev)
	}
	// A redirect near the link's end lives no longer than the link.
	f.clock.Advance(out.ExpiresIn - 10*time.Second)
	f.sealer.reqs[0].Expiry = 10 * time.Second // what the verifier says is left
	if _, err := f.use(out); err != nil {
		t.Fatal(err)
	}
	if got := f.signer.reqs[len(f.signer.reqs)-1].Expiry; got != 10*time.Second {
		t.Errorf("redirect near the end: %v", got)
	}
	if _, err := f.app.RevokeLinks.One(context.Background(), application.RevokeLinkCommand{Caller: f.member, LinkID: out.LinkID}); err != nil {
		t.Fatal(err)
	}
	_, err = f.use(out)
	wantKind(t, err, domain.ErrForbidden, domain.CodeLinkRevoked)

	// A PDF is presigned by the store, unless it counts its uses.
	doc := f.sign(t, f.doc, nil)
	if doc.LinkMode != domain.LinkPresigned || !strings.HasPrefix(doc.URL, "https://signed.example/") {
		t.Errorf("doc: %+v", doc)
	}
	one := 1
	if counted := f.sign(t, f.doc, &one); counted.LinkMode != domain.LinkGateway {
		t.Errorf("doc with max_uses: %+v", counted)
	}
}

func TestNoGatewayNoMaxUses(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, false, false)
	if f.app.Download != nil {
		t.Error("Download without a gateway on a store that presigns")
	}
	if out := f.sign(t, f.receipt, nil); out.LinkMode != domain.LinkPresigned {
		t.Errorf("receipt without a gateway: %+v", out)
	}
	one := 1
	_, err := f.app.SignURL.Handle(context.Background(), application.SignURLQuery{Caller: f.member,
		FilePath: f.doc.Path().String(), MaxUses: &one})
	wantKind(t, err, domain.ErrInvalid, "invalid_max_uses")
}

func TestExpireLinks(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, true, false)
	ctx := context.Background()
	old := f.sign(t, f.receipt, nil) // expires in 10 minutes
	f.clock.Advance(application.LinkRetention)
	recent := f.sign(t, f.receipt, nil)
	if n, err := f.app.RevokeLinks.Expire(ctx); err != nil || n != 0 {
		t.Fatalf("expire, the first link expired less than a day ago: %d, %v", n, err)
	}
	f.clock.Advance(10 * time.Minute)
	if n, err := f.app.RevokeLinks.Expire(ctx); err != nil || n != 1 {
		t.Fatalf("expire: %d, %v; want the one link expired a day ago", n, err)
	}
	if _, err := f.links.Get(ctx, old.LinkID); err == nil {
		t.Error("the old link is still stored")
	}
	if _, err := f.links.Get(ctx, recent.LinkID); err != nil {
		t.Errorf("the recent link: %v", err)
	}
}

// issuingAudit is a LinkIssuingLog over memrepo: AppendIssuing stores the
// link in links and the event in the audit log, or neither when fail is
// set.
type issuingAudit struct {
	application.AuditLog
	links *memrepo.Links
	fail  bool
	calls int
}

func (a *issuingAudit) AppendIssuing(ctx context.Context, l *domain.Link, e *domain.AuditEvent) error {
	a.calls++
	if a.fail {
		return errInjected
	}
	if err := a.links.Create(ctx, l); err != nil {
		return err
	}
	return a.AuditLog.Append(ctx, e)
}

// TestSignURLIssuesTheLinkWithItsEvent: with a log that stores links, the
// link goes in its event's commit (the link store's own Create is never
// called), and a failed commit hands out no URL, stores no link and
// audits the failure.
func TestSignURLIssuesTheLinkWithItsEvent(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, true, false)
	log := &issuingAudit{AuditLog: f.faultyAudit, links: f.links}
	f.app = application.New(f.faultyBlobs, f.faultyFiles, log, nil, memrepo.NewTransactor(), nil, f.sealer, f.clock, application.Options{})
	f.app.EnableLinks(&failingLinks{Links: f.links}, application.LinkOptions{})

	before := len(f.audit.Events())
	out := f.sign(t, f.receipt, nil)
	if log.calls != 1 {
		t.Fatalf("AppendIssuing called %d times, want 1", log.calls)
	}
	ev := f.eventsSince(t, before, 1)[0].Data()
	if !ev.Success || ev.Metadata["link_id"] != out.LinkID {
		t.Errorf("event %+v", ev)
	}
	if _, err := f.links.Get(context.Background(), out.LinkID); err != nil {
		t.Errorf("link not stored: %v", err)
	}

	log.fail = true
	before = len(f.audit.Events())
	got, err := f.app.SignURL.Handle(context.Background(), application.SignURLQuery{Caller: f.member, FilePath: f.receipt.Path().String()})
	wantKind(t, err, domain.ErrUnavailable, "audit_unavailable")
	if got.URL != "" || got.LinkID != "" {
		t.Errorf("a URL was handed out without its link and event: %+v", got)
	}
	ev = f.eventsSince(t, before, 1)[0].Data()
	if ev.Success || !strings.HasPrefix(ev.ErrorMessage, "audit_unavailable") {
		t.Errorf("the failed issue was audited as %+v", ev)
	}
	if _, err := f.links.Get(context.Background(), ev.Metadata["link_id"].(string)); err == nil {
		t.Error("the link of a failed issue was stored")
	}
}
