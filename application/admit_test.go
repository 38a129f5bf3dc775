package application_test

import (
	"context"
	"errors"
	"testing"

	"storagegw/application"
	"storagegw/domain"
)

// TestAdmit: each use case with a request body admits, from the caller
// alone, exactly the roles its least permission allows; a refusal is one
// audit event with the use case's own action, an admission none.
func TestAdmit(t *testing.T) {
	t.Parallel()
	type admitter func(*application.Application) func(context.Context, application.Caller) error
	useCases := []struct {
		name   string
		admit  admitter
		action domain.Action
		perm   domain.Permission
	}{
		{"upload", func(a *application.Application) func(context.Context, application.Caller) error {
			return a.Upload.Admit
		},
			domain.ActionUpload, domain.PermUpload},
		{"sign url", func(a *application.Application) func(context.Context, application.Caller) error {
			return a.SignURL.Admit
		},
			domain.ActionSignedURLGenerated, domain.PermSignURL},
		{"delete", func(a *application.Application) func(context.Context, application.Caller) error {
			return a.Delete.Admit
		},
			domain.ActionDelete, domain.PermSoftDelete},
		{"restore", func(a *application.Application) func(context.Context, application.Caller) error {
			return a.Restore.Admit
		},
			domain.ActionRestore, domain.PermRestore},
		{"initiate multipart", func(a *application.Application) func(context.Context, application.Caller) error {
			return a.InitiateMultipart.Admit
		}, domain.ActionMultipartInitiate, domain.PermUpload},
		{"part urls", func(a *application.Application) func(context.Context, application.Caller) error {
			return a.MultipartPartURLs.Admit
		}, domain.ActionMultipartPartURLs, domain.PermUpload},
		{"complete multipart", func(a *application.Application) func(context.Context, application.Caller) error {
			return a.CompleteMultipart.Admit
		}, domain.ActionUpload, domain.PermUpload},
		{"abort multipart", func(a *application.Application) func(context.Context, application.Caller) error {
			return a.AbortMultipart.Admit
		}, domain.ActionMultipartAbort, domain.PermUpload},
	}
	for _, uc := range useCases {
		for _, role := range domain.Roles() {
			t.Run(uc.name+"/"+string(role), func(t *testing.T) {
				t.Parallel()
				f := newFixture(t)
				err := uc.admit(f.app)(context.Background(), caller("acme", role))
				evs := f.audit.Events()
				if role.Can(uc.perm) {
					if err != nil || len(evs) != 0 {
						t.Fatalf("got %v and %d events, want admission without an event", err, len(evs))
					}
					return
				}
				if !errors.Is(err, domain.ErrForbidden) {
					t.Fatalf("got %v, want ErrForbidden", err)
				}
				if len(evs) != 1 {
					t.Fatalf("got %d events, want 1", len(evs))
				}
				d := evs[0].Data()
				if d.Action != uc.action || d.Success || d.Actor.Role != role || d.Metadata["body_read"] != false {
					t.Errorf("got event %+v, want a failed %s by %s with body_read=false", d, uc.action, role)
				}
			})
		}
	}
}

// TestAdmitRefusalIsAnsweredWhenTheAuditFails: a refusal keeps its
// answer when its event cannot be written (the failure is reported).
func TestAdmitRefusalIsAnsweredWhenTheAuditFails(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.faultyAudit.fail = true
	err := f.app.Upload.Admit(context.Background(), caller("acme", domain.RoleViewer))
	if !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("got %v, want ErrForbidden", err)
	}
	if ops := f.backgroundOps(); len(ops) != 1 {
		t.Errorf("background reports %v, want the failed audit write", ops)
	}
}
