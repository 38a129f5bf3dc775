package application

import (
	"context"
	"time"

	"storagegw/domain"
)

// SignURLQuery asks for a short-lived URL to read one file.
type SignURLQuery struct {
	Caller      Caller
	FilePath    string
	ExpiresIn   *time.Duration // nil = the kind's default
	Disposition string         // "inline" (default) or "attachment"
	MaxUses     *int           // nil: unlimited; needs a link the service serves
	// VersionID, when set, asks for a URL of that version of the file
	// (ListVersions) instead of its current content.
	VersionID string
}

// SignedURL is a URL valid until ExpiresAt.
type SignedURL struct {
	URL       string
	ExpiresAt time.Time
	ExpiresIn time.Duration
	// LinkID and LinkMode name the URL's link (domain.Link), empty unless
	// the application keeps links (EnableLinks).
	LinkID   string
	LinkMode domain.LinkMode
	MaxUses  int // 0: unlimited
}

// SignURL hands out signed URLs for visible files of the caller's org.
type SignURL struct {
	*deps
	signer URLSigner
}

// Handle issues the URL and audits SIGNED_URL_GENERATED. No URL is returned
// unless its audit event was written; with links kept (EnableLinks) no URL
// is returned without its link either: the link commits with the event
// when the audit log stores links (LinkIssuingLog), else it is stored
// first (auditor.issue). Active content (HTML, SVG, XML,
// JavaScript) gets an attachment URL whatever was asked: the event then
// holds both the requested and the served disposition.
func (s *SignURL) Handle(ctx context.Context, q SignURLQuery) (SignedURL, error) {
	e := entry{action: domain.ActionSignedURLGenerated}
	out, err := s.run(ctx, q, &e)
	if err == nil && e.link != nil {
		err = s.audit.issue(ctx, q.Caller, &e, s.links)
	}
	if err := s.audit.finish(ctx, q.Caller, e, err, true); err != nil {
		return SignedURL{}, err
	}
	return out, nil
}

func (s *SignURL) run(ctx context.Context, q SignURLQuery, e *entry) (SignedURL, error) {
	p := q.Caller.Principal
	if err := p.Authorize(domain.PermSignURL); err != nil {
		return SignedURL{}, err
	}
	path, err := parseOwn(p, q.FilePath, e)
	if err != nil {
		return SignedURL{}, err
	}
	expiry, err := domain.SignedURLExpiry(path.Kind(), q.ExpiresIn)
	if err != nil {
		return SignedURL{}, err
	}
	disp, err := domain.ParseDisposition(q.Disposition)
	if err != nil {
		return SignedURL{}, err
	}
	maxUses, err := domain.ParseMaxUses(q.MaxUses)
	if err != nil {
		return SignedURL{}, err
	}
	e.metadata = map[string]any{"expires_in": int64(expiry.Seconds()), "disposition": string(disp)}
	rec, err := s.loadVisible(ctx, path)
	if err != nil {
		return SignedURL{}, err
	}
	content := rec.Content()
	if q.VersionID != "" {
		e.metadata["version_id"] = q.VersionID
		if content, err = s.versionContent(ctx, rec, q.VersionID); err != nil {
			return SignedURL{}, err
		}
	}
	if served := domain.ServedDisposition(disp, content.ContentType); served != disp {
		e.metadata["requested_disposition"] = string(disp)
		disp = served
		e.metadata["disposition"] = string(disp)
	}
	now := s.clock.Now()
	expiresAt := now.Add(expiry)
	req := SignRequest{
		Key: content.BlobKey, Expiry: expiry, Disposition: disp,
		Filename: rec.DownloadName(), ContentType: content.ContentType,
		OrgID: p.OrgID, UserID: p.UserID, Role: p.Role, Path: path.String(),
	}
	signer := s.signer
	var link *domain.Link
	if s.links != nil {
		mode, gateway := s.linkMode(path.Kind(), maxUses)
		if mode == domain.LinkPresigned && maxUses > 0 {
			return SignedURL{}, domain.Errorf(domain.ErrInvalid, "invalid_max_uses",
				"max_uses needs a gateway link, and this service has no gateway configured.")
		}
		if gateway {
			signer = s.linkOpts.Gateway
		}
		link, err = domain.NewLink(domain.LinkData{ID: newID(), OrgID: p.OrgID, FilePath: path.String(),
			RecordID: rec.ID(), Mode: mode, CreatedBy: p.UserID, CreatedAt: now, ExpiresAt: expiresAt, MaxUses: maxUses})
		if err != nil {
			return SignedURL{}, err
		}
		req.LinkID = link.ID()
		e.metadata["link_id"], e.metadata["link_mode"] = link.ID(), string(mode)
		if maxUses > 0 {
			e.metadata["max_uses"] = maxUses
		}
	}
	url, err := signer.SignURL(ctx, req)
	if err != nil {
		return SignedURL{}, err
	}
	e.metadata["expires_at"] = expiresAt.Format(time.RFC3339)
	out := SignedURL{URL: url, ExpiresAt: expiresAt, ExpiresIn: expiry}
	if link == nil {
		return out, nil
	}
	// Handle stores the link, with the event when the log can (issue):
	// out is handed out only once both are stored.
	e.link = link
	out.LinkID, out.LinkMode, out.MaxUses = link.ID(), link.Mode(), maxUses
	return out, nil
}

// linkMode is the mode of a new link of kind: local when the service
// serves every URL itself (local disk), gateway when the store presigns
// but the kind goes through the gateway or the link counts its uses, else
// presigned. gateway reports that the gateway signs the URL.
func (s *SignURL) linkMode(kind domain.Kind, maxUses int) (mode domain.LinkMode, gateway bool) {
	if _, ok := s.signer.(SignedURLVerifier); ok {
		return domain.LinkLocal, false
	}
	if s.linkOpts.Gateway != nil && (s.linkOpts.GatewayKinds[kind] || maxUses > 0) {
		return domain.LinkGateway, true
	}
	return domain.LinkPresigned, false
}
