package application_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"

	"storagegw/application"
	"storagegw/application/mocks"
	"storagegw/domain"
)

func TestAuditLogsQuery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	m := caller("org-1", domain.RoleMember)
	for i := range 5 {
		f.clock.Advance(time.Second)
		f.mustUpload(t, receipt(m, "r"+string(rune('a'+i))+".png", pngBytes(100)))
	}
	f.mustUpload(t, receipt(caller("org-2", domain.RoleMember), "x.png", pngBytes(100)))
	_, _ = f.app.Upload.Handle(ctx, receipt(caller("org-1", domain.RoleViewer), "v.png", pngBytes(100)))

	admin := caller("org-1", domain.RoleAdmin)
	var got []*domain.AuditEvent
	cursor := ""
	for {
		page, err := f.app.AuditLogs.Handle(ctx, application.AuditLogsQuery{Caller: admin, ActionType: "UPLOAD", Limit: new(2), Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(got) != 6 {
		t.Fatalf("org-1 UPLOAD events: got %d, want 6 (5 uploads and 1 denial)", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Timestamp().After(got[i-1].Timestamp()) {
			t.Errorf("events not newest first at %d", i)
		}
	}
	for _, e := range got {
		if e.Data().Actor.OrgID != "org-1" {
			t.Errorf("another org's event leaked: %+v", e.Data())
		}
	}

	// A cursor continues the query that issued it only.
	first, err := f.app.AuditLogs.Handle(ctx, application.AuditLogsQuery{Caller: admin, ActionType: "UPLOAD", Limit: new(2)})
	if err != nil || first.NextCursor == "" {
		t.Fatalf("first page: %v, %v", first, err)
	}
	for name, q := range map[string]application.AuditLogsQuery{
		"another action":   {ActionType: "LIST"},
		"no action filter": {},
		"a success filter": {ActionType: "UPLOAD", Success: new(true)},
		"a time range":     {ActionType: "UPLOAD", To: f.clock.Now()},
		"another user":     {ActionType: "UPLOAD", UserID: "user-member"},
		"a path":           {ActionType: "UPLOAD", FilePath: "org-1/accounting/receipt/exp-1/ra.png"},
		"a related type":   {ActionType: "UPLOAD", RelatedObjectType: "receipt"},
		"a related id":     {ActionType: "UPLOAD", RelatedObjectID: "exp-1"},
	} {
		q.Caller, q.Cursor, q.Limit = admin, first.NextCursor, new(2)
		_, err := f.app.AuditLogs.Handle(ctx, q)
		wantKind(t, err, domain.ErrInvalid, "invalid_cursor")
		if t.Failed() {
			t.Fatalf("the cursor continued a query with %s", name)
		}
	}

	failed := false
	page, err := f.app.AuditLogs.Handle(ctx, application.AuditLogsQuery{Caller: caller("org-1", domain.RoleAuditor), ActionType: "UPLOAD", Success: &failed})
	if err != nil || len(page.Items) != 1 || page.Items[0].Data().Actor.UserID != "user-viewer" {
		t.Errorf("failed events: got %v, %v; want the viewer's denied upload", page.Items, err)
	}

	for name, q := range map[string]struct {
		q    application.AuditLogsQuery
		kind error
		code string
	}{
		"member may not read": {application.AuditLogsQuery{Caller: m}, domain.ErrForbidden, "forbidden"},
		"limit over 500":      {application.AuditLogsQuery{Caller: admin, Limit: new(501)}, domain.ErrInvalid, "invalid_limit"},
		"unknown action":      {application.AuditLogsQuery{Caller: admin, ActionType: "HACK"}, domain.ErrInvalid, "invalid_action_type"},
		"bad cursor":          {application.AuditLogsQuery{Caller: admin, Cursor: "bm9wZQ"}, domain.ErrInvalid, "invalid_cursor"},
		"reversed range":      {application.AuditLogsQuery{Caller: admin, From: f.clock.Now(), To: f.clock.Now().Add(-time.Hour)}, domain.ErrInvalid, "invalid_time_range"},
	} {
		_, err := f.app.AuditLogs.Handle(ctx, q.q)
		if err == nil {
			t.Errorf("%s: got a page, want an error", name)
			continue
		}
		wantKind(t, err, q.kind, q.code)
	}
}

// TestDeniedUploadAuditsCallerDetails checks, with a mock, the exact event a
// denied call writes: one Append, failure, who and from where, no content.
func TestDeniedUploadAuditsCallerDetails(t *testing.T) {
	t.Parallel()
	audit := mocks.NewAuditLog(t)
	blobs := mocks.NewBlobStore(t)
	files := mocks.NewFileRepository(t)
	clock := mocks.NewClock(t)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	clock.EXPECT().Now().Return(now)
	audit.EXPECT().Append(mock.Anything, mock.MatchedBy(func(e *domain.AuditEvent) bool {
		d := e.Data()
		return d.Action == domain.ActionUpload && !d.Success &&
			d.ErrorMessage == "forbidden: Your role (viewer) does not allow upload." &&
			d.Actor == domain.Actor{UserID: "user-viewer", Role: domain.RoleViewer, OrgID: "org-1", IP: "192.0.2.7", UserAgent: "test-agent/1.0"} &&
			d.RelatedObjectType == "receipt" && d.RelatedObjectID == "exp-1" && d.Timestamp.Equal(now)
	})).Return(nil).Once()

	app := application.New(blobs, files, audit, nil, nil, nil, mocks.NewURLSigner(t), clock, application.Options{})
	_, err := app.Upload.Handle(context.Background(), receipt(caller("org-1", domain.RoleViewer), "r.png", pngBytes(100)))
	wantKind(t, err, domain.ErrForbidden, "forbidden")
	// blobs and files have no expectations: any call to them fails the test.
}
