package application_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/application/memrepo"
	"storagegw/domain"
)

// holdFixture is a fixture whose application keeps legal holds.
func holdFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	f.app.EnableLegalHolds(memrepo.NewLegalHolds())
	return f
}

func (f *fixture) setHold(t *testing.T, cmd application.SetLegalHoldCommand) *domain.LegalHold {
	t.Helper()
	if cmd.Caller.Principal.UserID == "" {
		cmd.Caller = caller("org-1", domain.RoleAdmin)
	}
	if cmd.Reason == "" {
		cmd.Reason = "case 12"
	}
	h, err := f.app.SetLegalHold.Handle(context.Background(), cmd)
	if err != nil {
		t.Fatalf("set hold: %v", err)
	}
	return h
}

// lastEventData is the newest event, checking that exactly one was written since before.
func (f *fixture) lastEventData(t *testing.T, before int) domain.AuditEventData {
	t.Helper()
	return f.eventsSince(t, before, 1)[0].Data()
}

func TestLegalHoldSetListClear(t *testing.T) {
	t.Parallel()
	f := holdFixture(t)
	ctx := context.Background()
	rec := f.mustUpload(t, receipt(caller("org-1", domain.RoleMember), "a.png", pngBytes(100)))
	admin := caller("org-1", domain.RoleAdmin)

	before := len(f.audit.Events())
	h := f.setHold(t, application.SetLegalHoldCommand{Caller: admin, FilePath: rec.Path().String(), Reason: "case 12"})
	if h.Scope() != domain.FileHoldScope(rec.Path()) || h.SetBy() != "user-admin" || h.Reason() != "case 12" {
		t.Errorf("hold: got %+v", h.Data())
	}
	ev := f.lastEventData(t, before)
	if ev.Action != domain.ActionLegalHoldSet || !ev.Success || ev.FilePath != rec.Path().String() ||
		ev.Metadata["scope"] != "accounting/receipt/exp-1/a.png" || ev.Metadata["scope_kind"] != "file" || ev.Metadata["reason"] != "case 12" {
		t.Errorf("LEGAL_HOLD_SET event: got %+v", ev)
	}
	obj := f.setHold(t, application.SetLegalHoldCommand{Prefix: "accounting/invoice/inv-42/"})
	if !obj.Scope().IsObject() {
		t.Errorf("object hold: got %+v", obj.Data())
	}

	before = len(f.audit.Events())
	_, err := f.app.SetLegalHold.Handle(ctx, application.SetLegalHoldCommand{Caller: admin, Prefix: "accounting/invoice/inv-42/", Reason: "again"})
	wantKind(t, err, domain.ErrExists, domain.CodeLegalHoldExists)
	if ev := f.lastEventData(t, before); ev.Success || ev.Action != domain.ActionLegalHoldSet {
		t.Errorf("refused second hold: event %+v", ev)
	}

	for _, role := range []domain.Role{domain.RoleAdmin, domain.RoleAuditor} {
		got, err := f.app.ListLegalHolds.Handle(ctx, application.ListLegalHoldsQuery{Caller: caller("org-1", role)})
		if err != nil || len(got) != 2 || got[0].Scope().Relative() != "accounting/invoice/inv-42/" {
			t.Errorf("list as %s: got %v, %v; want both holds by scope", role, got, err)
		}
	}
	if got, err := f.app.ListLegalHolds.Handle(ctx, application.ListLegalHoldsQuery{Caller: caller("org-2", domain.RoleAdmin)}); err != nil || len(got) != 0 {
		t.Errorf("another org's list: got %v, %v; want none", got, err)
	}
	if ev := f.audit.Events()[len(f.audit.Events())-1].Data(); ev.Action != domain.ActionLegalHoldQuery || ev.Metadata["count"] != 0 {
		t.Errorf("LEGAL_HOLD_QUERY event: got %+v", ev)
	}

	before = len(f.audit.Events())
	cleared, err := f.app.ClearLegalHold.Handle(ctx, application.ClearLegalHoldCommand{Caller: admin, FilePath: rec.Path().String()})
	if err != nil || cleared.Reason() != "case 12" {
		t.Fatalf("clear: got %v, %v", cleared, err)
	}
	if ev := f.lastEventData(t, before); ev.Action != domain.ActionLegalHoldCleared || !ev.Success || ev.Metadata["reason"] != "case 12" || ev.Metadata["set_by"] != "user-admin" {
		t.Errorf("LEGAL_HOLD_CLEARED event: got %+v", ev)
	}
	_, err = f.app.ClearLegalHold.Handle(ctx, application.ClearLegalHoldCommand{Caller: admin, FilePath: rec.Path().String()})
	wantKind(t, err, domain.ErrNotFound, domain.CodeLegalHoldNotFound)
}

func TestLegalHoldRefusals(t *testing.T) {
	t.Parallel()
	f := holdFixture(t)
	ctx := context.Background()
	rec := f.mustUpload(t, receipt(caller("org-1", domain.RoleMember), "a.png", pngBytes(100)))
	admin := caller("org-1", domain.RoleAdmin)
	for name, c := range map[string]struct {
		cmd  application.SetLegalHoldCommand
		kind error
		code string
	}{
		"member":          {application.SetLegalHoldCommand{Caller: caller("org-1", domain.RoleMember), FilePath: rec.Path().String(), Reason: "x"}, domain.ErrForbidden, "forbidden"},
		"auditor":         {application.SetLegalHoldCommand{Caller: caller("org-1", domain.RoleAuditor), FilePath: rec.Path().String(), Reason: "x"}, domain.ErrForbidden, "forbidden"},
		"another org":     {application.SetLegalHoldCommand{Caller: caller("org-2", domain.RoleAdmin), FilePath: rec.Path().String(), Reason: "x"}, domain.ErrNotFound, "not_found"},
		"missing file":    {application.SetLegalHoldCommand{Caller: admin, FilePath: "org-1/accounting/receipt/exp-1/none.png", Reason: "x"}, domain.ErrNotFound, "not_found"},
		"both":            {application.SetLegalHoldCommand{Caller: admin, FilePath: rec.Path().String(), Prefix: "accounting/receipt/exp-1/", Reason: "x"}, domain.ErrInvalid, "invalid_legal_hold"},
		"neither":         {application.SetLegalHoldCommand{Caller: admin, Reason: "x"}, domain.ErrInvalid, "invalid_legal_hold"},
		"not an object":   {application.SetLegalHoldCommand{Caller: admin, Prefix: "accounting/receipt/", Reason: "x"}, domain.ErrInvalid, "invalid_prefix"},
		"no reason":       {application.SetLegalHoldCommand{Caller: admin, FilePath: rec.Path().String()}, domain.ErrInvalid, "invalid_text"},
		"reason too long": {application.SetLegalHoldCommand{Caller: admin, FilePath: rec.Path().String(), Reason: string(make([]byte, 2000))}, domain.ErrInvalid, "invalid_text"},
	} {
		before := len(f.audit.Events())
		_, err := f.app.SetLegalHold.Handle(ctx, c.cmd)
		if !errorsIs(err, c.kind, c.code) {
			t.Errorf("%s: got %v, want %v %s", name, err, c.kind, c.code)
		}
		if ev := f.lastEventData(t, before); ev.Success || ev.Action != domain.ActionLegalHoldSet {
			t.Errorf("%s: event %+v, want a refused LEGAL_HOLD_SET", name, ev)
		}
	}
	if _, err := f.app.ListLegalHolds.Handle(ctx, application.ListLegalHoldsQuery{Caller: caller("org-1", domain.RoleMember)}); !errorsIs(err, domain.ErrForbidden, "forbidden") {
		t.Errorf("member lists: got %v, want forbidden", err)
	}
	if err := f.app.SetLegalHold.Admit(ctx, caller("org-1", domain.RoleMember)); !errorsIs(err, domain.ErrForbidden, "forbidden") {
		t.Errorf("Admit member: got %v, want forbidden", err)
	}
}

func TestLegalHoldKeepsFilesFromHardDeleteAndPurge(t *testing.T) {
	t.Parallel()
	f := holdFixture(t)
	ctx := context.Background()
	member, admin := caller("org-1", domain.RoleMember), caller("org-1", domain.RoleAdmin)
	held := f.mustUpload(t, receipt(member, "held.png", pngBytes(100)))
	other := application.UploadCommand{Caller: member, System: "accounting", ObjectType: "receipt",
		ObjectID: "exp-2", Filename: "free.png", Body: bytesReader(pngBytes(50)), DeclaredSize: -1}
	free := f.mustUpload(t, other)
	f.setHold(t, application.SetLegalHoldCommand{Prefix: "accounting/receipt/exp-1/"})

	// Hard delete: refused, audited, nothing changed.
	before := len(f.audit.Events())
	_, err := f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: admin, FilePath: held.Path().String(), Hard: true})
	wantKind(t, err, domain.ErrExists, domain.CodeLegalHold)
	ev := f.lastEventData(t, before)
	if ev.Action != domain.ActionDelete || ev.Success || ev.Metadata["legal_hold"] != "accounting/receipt/exp-1/" ||
		ev.ErrorMessage == "" || ev.FilePath != held.Path().String() {
		t.Errorf("refused hard delete: event %+v", ev)
	}
	if !f.record(t, held.Path()).Visible() || len(f.blobKeys(t, held.Path().String())) != 1 {
		t.Fatal("the refused hard delete changed the held file")
	}

	// The record answers show the hold; an unheld one shows none.
	got, err := f.app.Metadata.Handle(ctx, application.MetadataQuery{Caller: member, FilePath: held.Path().String()})
	if err != nil || got.LegalHold() == nil || got.LegalHold().Scope().Relative() != "accounting/receipt/exp-1/" {
		t.Errorf("metadata: got %v, %v; want the object's hold", got, err)
	}
	page, err := f.app.List.Handle(ctx, application.ListFilesQuery{Caller: member, Prefix: "accounting/receipt/"})
	if err != nil || len(page.Items) != 2 || page.Items[0].LegalHold() == nil || page.Items[1].LegalHold() != nil {
		t.Errorf("list: got %v, %v; want the held file shown held and the other not", page.Items, err)
	}

	// Soft delete: allowed; the answer shows the hold; the purge keeps it.
	soft, err := f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: member, FilePath: held.Path().String()})
	if err != nil || !soft.Deleted() || soft.LegalHold() == nil {
		t.Fatalf("soft delete of a held file: got %v, %v", soft, err)
	}
	if _, err := f.app.Delete.Handle(ctx, application.DeleteCommand{Caller: member, FilePath: free.Path().String()}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(application.DefaultRetention + time.Hour)
	if rep := f.purge(t, application.PurgeCommand{DryRun: true}); rep.Due != 2 || rep.Held != 1 || rep.Purged != 1 {
		t.Errorf("dry run: got %+v, want 2 due, 1 held, 1 to purge", rep)
	}
	rep := f.purge(t, application.PurgeCommand{})
	if rep.Due != 2 || rep.Held != 1 || rep.Purged != 1 || rep.Failures != 0 {
		t.Errorf("purge: got %+v, want the free file purged and the held one kept", rep)
	}
	if r := f.record(t, held.Path()); r.State() != domain.StateActive || !r.Deleted() || len(f.blobKeys(t, held.Path().String())) != 1 {
		t.Fatalf("held file after the purge: %+v", r.Data())
	}
	if evs := f.purgeEvents("org-1"); len(evs) != 1 || evs[0].FilePath != free.Path().String() {
		t.Errorf("PURGE events: got %+v, want the free file's only", evs)
	}
	if rep := f.purge(t, application.PurgeCommand{}); rep.Held != 1 || rep.Purged != 0 {
		t.Errorf("second purge: got %+v, want the held file skipped again", rep)
	}

	// Cleared, the next purge removes it.
	if _, err := f.app.ClearLegalHold.Handle(ctx, application.ClearLegalHoldCommand{Caller: admin, Prefix: "accounting/receipt/exp-1/"}); err != nil {
		t.Fatal(err)
	}
	if rep := f.purge(t, application.PurgeCommand{}); rep.Purged != 1 || rep.Held != 0 {
		t.Errorf("purge after clear: got %+v, want the file purged", rep)
	}
	if r := f.record(t, held.Path()); r.State() != domain.StatePurged || len(f.blobKeys(t, held.Path().String())) != 0 {
		t.Errorf("after clear and purge: %+v", r.Data())
	}
}

func TestLegalHoldOnASoftDeletedFile(t *testing.T) {
	t.Parallel()
	f := holdFixture(t)
	rec := f.softDeleted(t, "org-1", "gone.png")
	f.setHold(t, application.SetLegalHoldCommand{FilePath: rec.Path().String()})
	f.clock.Advance(application.DefaultRetention + time.Hour)
	if rep := f.purge(t, application.PurgeCommand{}); rep.Held != 1 || rep.Purged != 0 {
		t.Errorf("purge: got %+v, want the soft-deleted held file kept", rep)
	}
	_, err := f.app.Delete.Handle(context.Background(), application.DeleteCommand{Caller: caller("org-1", domain.RoleAdmin),
		FilePath: rec.Path().String(), Hard: true})
	wantKind(t, err, domain.ErrExists, domain.CodeLegalHold)
}

func errorsIs(err, kind error, code string) bool {
	var de *domain.Error
	return errors.Is(err, kind) && errors.As(err, &de) && de.Code == code
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// TestLegalHoldWithoutVersionsRefusesOverwrites: an application that keeps
// legal holds but no versions has nowhere to keep a held file's replaced
// content, so an overwrite of a held file is refused (409 legal_hold,
// audited) and the content and its blob stay as they were.
func TestLegalHoldWithoutVersionsRefusesOverwrites(t *testing.T) {
	t.Parallel()
	f := holdFixture(t)
	member := caller("org-1", domain.RoleMember)
	rec := f.mustUpload(t, receipt(member, "r.png", pngBytes(100)))
	f.setHold(t, application.SetLegalHoldCommand{FilePath: rec.Path().String()})
	before := len(f.audit.Events())
	cmd := receipt(member, "r.png", pngBytes(200))
	cmd.Overwrite = true
	_, err := f.app.Upload.Handle(context.Background(), cmd)
	wantKind(t, err, domain.ErrExists, domain.CodeLegalHold)
	got := f.record(t, rec.Path())
	if got.Content() != rec.Content() {
		t.Errorf("content after a refused overwrite: %+v, want %+v", got.Content(), rec.Content())
	}
	if keys := f.blobKeys(t, rec.Path().String()); len(keys) != 1 || keys[0] != rec.Content().BlobKey {
		t.Errorf("blobs: %v, want the held content's alone", keys)
	}
	if d := f.lastEventData(t, before); d.Success || d.Metadata["legal_hold"] == nil {
		t.Errorf("event of the refused overwrite: %+v", d)
	}
}
