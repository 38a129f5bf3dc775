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
}

// SignedURL is a URL valid until ExpiresAt.
type SignedURL struct {
	URL       string
	ExpiresAt time.Time
	ExpiresIn time.Duration
}

// SignURL hands out signed URLs for visible files of the caller's org.
type SignURL struct {
	*deps
	signer URLSigner
}

// Handle issues the URL and audits SIGNED_URL_GENERATED. No URL is returned
// unless its audit event was written. Active content (HTML, SVG, XML,
// JavaScript) gets an attachment URL whatever was asked: the event then
// holds both the requested and the served disposition.
func (s *SignURL) Handle(ctx context.Context, q SignURLQuery) (SignedURL, error) {
	e := entry{action: domain.ActionSignedURLGenerated}
	out, err := s.run(ctx, q, &e)
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
	e.metadata = map[string]any{"expires_in": int64(expiry.Seconds()), "disposition": string(disp)}
	rec, err := s.loadVisible(ctx, path)
	if err != nil {
		return SignedURL{}, err
	}
	if served := domain.ServedDisposition(disp, rec.Content().ContentType); served != disp {
		e.metadata["requested_disposition"] = string(disp)
		disp = served
		e.metadata["disposition"] = string(disp)
	}
	now := s.clock.Now()
	url, err := s.signer.SignURL(ctx, SignRequest{
		Key: rec.Content().BlobKey, Expiry: expiry, Disposition: disp,
		Filename: rec.DownloadName(), ContentType: rec.Content().ContentType,
		OrgID: p.OrgID, UserID: p.UserID, Role: p.Role, Path: path.String(),
	})
	if err != nil {
		return SignedURL{}, err
	}
	expiresAt := now.Add(expiry)
	e.metadata["expires_at"] = expiresAt.Format(time.RFC3339)
	return SignedURL{URL: url, ExpiresAt: expiresAt, ExpiresIn: expiry}, nil
}
