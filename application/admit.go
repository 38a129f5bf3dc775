package application

import (
	"context"

	"storagegw/domain"
)

// Admission. Every use case whose request has a body has an Admit method
// that the inbound adapter calls before it reads a byte of that body: it
// checks, from the caller alone, that the caller's role grants the least
// permission the use case needs. A refusal is the call's one audit event
// (success=false, the action Handle would have audited, metadata
// {"body_read": false}) and its answer (domain.ErrForbidden); the adapter
// then answers without reading the body and does not call Handle. An
// admitted caller writes nothing here: Handle writes the call's one event
// and checks the role again (so a direct caller of Handle is held to the
// same rule), with the permissions that depend on the request too (a hard
// delete, an overwrite of a deleted file).

// admit is the admission of a call of action needing perm.
func (d *deps) admit(ctx context.Context, c Caller, action domain.Action, perm domain.Permission) error {
	err := c.Principal.Authorize(perm)
	if err == nil {
		return nil
	}
	return d.audit.finish(ctx, c, entry{action: action, metadata: map[string]any{"body_read": false}}, err, false)
}

// Admit refuses, before the file is read, a caller who may not upload.
func (u *Upload) Admit(ctx context.Context, c Caller) error {
	return u.admit(ctx, c, domain.ActionUpload, domain.PermUpload)
}

// Admit refuses, before the request is read, a caller who may not sign
// URLs.
func (s *SignURL) Admit(ctx context.Context, c Caller) error {
	return s.admit(ctx, c, domain.ActionSignedURLGenerated, domain.PermSignURL)
}

// Admit refuses, before the request is read, a caller who may not delete
// at all (a soft delete); a hard delete's permission is Handle's to check.
func (d *Delete) Admit(ctx context.Context, c Caller) error {
	return d.admit(ctx, c, domain.ActionDelete, domain.PermSoftDelete)
}

// Admit refuses, before the request is read, a caller who may not restore.
func (r *Restore) Admit(ctx context.Context, c Caller) error {
	return r.admit(ctx, c, domain.ActionRestore, domain.PermRestore)
}

// Admit refuses, before the request is read, a caller who may not upload.
func (u *InitiateMultipart) Admit(ctx context.Context, c Caller) error {
	return u.admit(ctx, c, domain.ActionMultipartInitiate, domain.PermUpload)
}

// Admit refuses, before the request is read, a caller who may not upload.
func (u *MultipartPartURLs) Admit(ctx context.Context, c Caller) error {
	return u.admit(ctx, c, domain.ActionMultipartPartURLs, domain.PermUpload)
}

// Admit refuses, before the request is read, a caller who may not upload.
func (u *CompleteMultipart) Admit(ctx context.Context, c Caller) error {
	return u.admit(ctx, c, domain.ActionUpload, domain.PermUpload)
}

// Admit refuses, before the request is read, a caller who may not upload.
func (u *AbortMultipart) Admit(ctx context.Context, c Caller) error {
	return u.admit(ctx, c, domain.ActionMultipartAbort, domain.PermUpload)
}
