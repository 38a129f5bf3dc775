package application

import (
	"cmp"
	"context"
	"strings"
	"time"

	"github.com/gabriel-vasile/mimetype"

	"storagegw/domain"
)

// InitiateMultipartCommand asks to start a multipart upload of one file.
type InitiateMultipartCommand struct {
	Caller       Caller
	System       string
	ObjectType   string
	ObjectID     string
	Filename     string // as the client named it
	Size         int64  // the exact size of the file, in bytes
	ContentType  string // optional: the type the client expects; checked early, the bytes decide
	AddTimestamp bool
	Overwrite    bool

	// Set by TusCreate, which starts its uploads through this use case:
	// the preferred part size (0: the configured one), the protocol named
	// in the event's metadata, what to save with the session, in its
	// transaction, and whether the event waits (a creation-with-upload
	// commits its one event with the body's outcome; run only).
	partSize   int64
	protocol   string
	onCreate   func(ctx context.Context, s *domain.UploadSession) error
	deferEvent bool
	lease      time.Duration // of the path's reservation; 0: the session's lifetime
	// PartSize is the part size the client proposes (0: the service's,
	// domain.PlanParts); a proposal is the size in force or refused
	// (domain.PlanProposedParts).
	PartSize int64
}

// InitiateMultipart starts a multipart upload: the client then asks for
// part URLs (MultipartPartURLs), sends the parts straight to the store and
// completes (CompleteMultipart) or aborts (AbortMultipart) it.
//
// It checks what it can before any byte is sent: the role, the path (built
// as Upload builds it, org from the token), the name against the kind's
// rule (an app-builder archive's must end in .zip), the declared size against the
// kind's limit (domain.ErrTooLarge) and a declared content type against
// the kind's types (domain.ErrUnsupportedType). It then reserves the path
// exactly as Upload does, starts the store's multipart upload and saves
// the session, in one transaction with the MULTIPART_INITIATE event. A
// failure after the reservation (an event that cannot be written
// included) releases it, and one after the store's upload started aborts
// that too.
type InitiateMultipart struct {
	*multipart
}

// Handle starts the upload and returns its session. It writes one
// MULTIPART_INITIATE audit event.
func (u *InitiateMultipart) Handle(ctx context.Context, cmd InitiateMultipartCommand) (*domain.UploadSession, error) {
	e := entry{action: domain.ActionMultipartInitiate, objType: cmd.ObjectType, objID: cmd.ObjectID,
		metadata: map[string]any{"overwrite": cmd.Overwrite, "declared_size": cmd.Size}}
	s, err := u.run(ctx, cmd, &e)
	if err := u.audit.finish(ctx, cmd.Caller, e, err, false); err != nil {
		return nil, err
	}
	return s, nil
}

func (u *InitiateMultipart) run(ctx context.Context, cmd InitiateMultipartCommand, e *entry) (*domain.UploadSession, error) {
	spec := domain.PathSpec{System: cmd.System, ObjectType: cmd.ObjectType, ObjectID: cmd.ObjectID, Filename: cmd.Filename}
	path, rule, err := u.target(cmd.Caller.Principal, spec, cmd.AddTimestamp, e)
	if err != nil {
		return nil, err
	}
	if err := rule.CheckName(cmd.Filename); err != nil {
		return nil, err
	}
	if err := domain.CheckText("content_type", cmd.ContentType); err != nil {
		return nil, err
	}
	if err := rule.CheckSize(cmd.Size); err != nil {
		return nil, err
	}
	plan, err := domain.PlanParts(cmd.Size, cmp.Or(cmd.partSize, u.mopts.PartSize))
	if cmd.PartSize != 0 {
		e.metadata["proposed_part_size"] = cmd.PartSize
		plan, err = domain.PlanProposedParts(cmd.Size, cmd.PartSize)
	}
	if err != nil {
		return nil, err
	}
	contentType, err := declaredType(rule, cmd.ContentType)
	if err != nil {
		return nil, err
	}
	store, err := u.store()
	if err != nil {
		return nil, err
	}

	uploadID := newID()
	reservation := entry{action: domain.ActionUpload}
	ucmd := UploadCommand{Caller: cmd.Caller, Filename: cmd.Filename, Overwrite: cmd.Overwrite, DeclaredSize: cmd.Size}
	if _, _, err := u.reserve(ctx, path, ucmd, uploadID, cmp.Or(cmd.lease, u.mopts.SessionTTL), &reservation); err != nil {
		return nil, err
	}
	key := domain.BlobKeyFor(path, uploadID)
	storeID, err := store.InitiateMultipart(ctx, key, contentType)
	if err != nil {
		u.abandon(ctx, path, uploadID, key)
		return nil, err
	}
	s, err := domain.NewUploadSession(domain.UploadSessionData{
		ID: newID(), Path: path, UploadID: uploadID, StoreUploadID: storeID,
		OriginalFilename: cmd.Filename, DeclaredSize: cmd.Size, PartSize: plan.Size,
		ContentType: contentType, CreatedBy: cmd.Caller.Principal.UserID,
	}, u.clock.Now(), u.mopts.SessionTTL)
	if err == nil {
		e.metadata["upload_id"], e.metadata["part_size"], e.metadata["part_count"] = s.ID(), plan.Size, plan.Count
		e.metadata["replaces_file"] = reservation.action == domain.ActionEdit
		if cmd.protocol != "" {
			e.metadata["protocol"] = cmd.protocol
		}
		create := func(ctx context.Context) (err error) {
			if s, err = u.sessions.Create(ctx, s); err == nil {
				e.result = s // the answer: the session (part URLs are asked for apart, MultipartPartURLs)
				if cmd.onCreate != nil {
					err = cmd.onCreate(ctx, s)
				}
			}
			return err
		}
		if cmd.deferEvent {
			err = u.audit.tx.InTx(ctx, create)
		} else {
			err = u.audit.change(ctx, cmd.Caller, e, create)
		}
	}
	if err != nil {
		u.abortStore(ctx, store, key, storeID)
		u.abandon(ctx, path, uploadID, key)
		return nil, err
	}
	return s, nil
}

// declaredType checks a content type the client declared against rule,
// as a sniffed one is (domain.ContentRule.Accept), and returns it ("" when none was
// declared). Only the bytes decide the type that is recorded.
func declaredType(rule domain.ContentRule, declared string) (string, error) {
	ct, _, _ := strings.Cut(declared, ";")
	ct = strings.ToLower(strings.TrimSpace(ct))
	if ct == "" {
		return "", nil
	}
	if m := mimetype.Lookup(ct); m != nil {
		return rule.Accept(typesOf(m))
	}
	if err := rule.CheckType(ct); err != nil {
		return "", err
	}
	return ct, nil
}

// abortStore aborts the store's upload after a failure, detached from the
// request; a failed abort is reported and left to the clean-up.
func (m *multipart) abortStore(ctx context.Context, store MultipartStore, key, storeID string) {
	dctx, cancel := detached(ctx)
	defer cancel()
	if err := store.AbortMultipart(dctx, key, storeID); err != nil {
		m.report(ctx, "abort multipart upload", err)
	}
}
