package application

import (
	"context"
	"time"

	"storagegw/domain"
)

// RevokeLinkCommand revokes one link, by its id.
type RevokeLinkCommand struct {
	Caller Caller
	LinkID string
}

// RevokeFileLinksCommand revokes every link of one file.
type RevokeFileLinksCommand struct {
	Caller   Caller
	FilePath string
}

// RevokedLink is a link as it stands after its revocation.
type RevokedLink struct {
	LinkID    string
	FilePath  string
	Mode      domain.LinkMode
	RevokedAt time.Time
	Uses      int
}

// RevokedFileLinks is what revoking every link of a file did: the file
// path as asked, and how many links were revoked (the answer a request
// with an Idempotency-Key stores with its change).
type RevokedFileLinks struct {
	FilePath string
	Revoked  int
}

// RevokeLinks revokes the links of signed URLs, for members and admins of
// the link's org; another org's link is not found. Each call commits in
// one transaction with its LINK_REVOKED event. A revoked link refuses its
// next use (local and gateway links); a presigned link's URL cannot be
// stopped before it expires, which the answer's mode says.
type RevokeLinks struct {
	*deps
}

// Admit refuses, before the request is read, a caller who may not revoke
// links.
func (r *RevokeLinks) Admit(ctx context.Context, c Caller) error {
	return r.admit(ctx, c, domain.ActionLinkRevoked, domain.PermRevokeLink)
}

// One revokes cmd.LinkID. Revoking a revoked link succeeds and keeps the
// first revocation.
func (r *RevokeLinks) One(ctx context.Context, cmd RevokeLinkCommand) (RevokedLink, error) {
	e := entry{action: domain.ActionLinkRevoked, objType: "link", objID: cmd.LinkID,
		metadata: map[string]any{"link_id": cmd.LinkID}}
	out, err := r.one(ctx, cmd, &e)
	if err := r.audit.finish(ctx, cmd.Caller, e, err, false); err != nil {
		return RevokedLink{}, err
	}
	return out, nil
}

func noLink() error { return domain.Errorf(domain.ErrNotFound, "link_not_found", "No such link.") }

func (r *RevokeLinks) one(ctx context.Context, cmd RevokeLinkCommand, e *entry) (RevokedLink, error) {
	p := cmd.Caller.Principal
	if err := p.Authorize(domain.PermRevokeLink); err != nil {
		return RevokedLink{}, err
	}
	if cmd.LinkID == "" || len(cmd.LinkID) > 64 || domain.CheckText("link_id", cmd.LinkID) != nil {
		return RevokedLink{}, noLink()
	}
	var out RevokedLink
	err := r.audit.change(ctx, cmd.Caller, e, func(ctx context.Context) error {
		l, err := r.links.Get(ctx, cmd.LinkID)
		if err != nil {
			return err
		}
		if l.OrgID() != p.OrgID {
			return noLink() // another org's link is not found
		}
		e.path = l.FilePath()
		if path, err := domain.ParseStoragePath(l.FilePath()); err == nil {
			e.forPath(path)
		}
		e.metadata["already_revoked"] = l.Revoked()
		if l, err = r.links.Revoke(ctx, cmd.LinkID, p.UserID, r.clock.Now()); err != nil {
			return err
		}
		e.metadata["link_mode"] = string(l.Mode())
		out = RevokedLink{LinkID: l.ID(), FilePath: l.FilePath(), Mode: l.Mode(), RevokedAt: l.RevokedAt(), Uses: l.Uses()}
		e.result = out
		return nil
	})
	return out, err
}

// File revokes every link of cmd.FilePath in the caller's org, whatever
// the state of the file, and returns how many it revoked.
func (r *RevokeLinks) File(ctx context.Context, cmd RevokeFileLinksCommand) (int, error) {
	e := entry{action: domain.ActionLinkRevoked, metadata: map[string]any{"all_links": true}}
	n, err := r.file(ctx, cmd, &e)
	if err := r.audit.finish(ctx, cmd.Caller, e, err, false); err != nil {
		return 0, err
	}
	return n, nil
}

func (r *RevokeLinks) file(ctx context.Context, cmd RevokeFileLinksCommand, e *entry) (int, error) {
	p := cmd.Caller.Principal
	if err := p.Authorize(domain.PermRevokeLink); err != nil {
		return 0, err
	}
	path, err := parseOwn(p, cmd.FilePath, e)
	if err != nil {
		return 0, err
	}
	var n int
	err = r.audit.change(ctx, cmd.Caller, e, func(ctx context.Context) (err error) {
		n, err = r.links.RevokeFile(ctx, p.OrgID, path.String(), p.UserID, r.clock.Now())
		e.metadata["links_revoked"] = n
		e.result = RevokedFileLinks{FilePath: cmd.FilePath, Revoked: n}
		return err
	})
	return n, err
}
