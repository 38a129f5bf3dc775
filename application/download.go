package application

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"storagegw/domain"
)

// SignedURLVerifier checks the query of a URL that a URLSigner issued for
// the service to serve itself (local disk). Stores that presign their own
// URLs (Spaces) have none.
type SignedURLVerifier interface {
	// Verify returns the request the URL was signed for. A missing or
	// altered field is domain.ErrForbidden with code "signature_invalid"
	// and the zero request. An authentic but expired URL is
	// domain.ErrForbidden with code "url_expired"; the request returned
	// with it is the authentic one (so the refusal can be audited) or,
	// from verifiers that do not say, the zero request.
	Verify(q url.Values) (SignRequest, error)
}

// CodeRangeNotSatisfiable is the code of the error Download returns for a
// byte range that lies outside the file; it matches domain.ErrInvalid and
// RangeError carries the file's size.
const CodeRangeNotSatisfiable = "range_not_satisfiable"

// RangeError reports a requested byte range that no byte of a file of Size
// bytes satisfies.
type RangeError struct{ Size int64 }

func (e *RangeError) Error() string {
	return fmt.Sprintf("range not satisfiable for a %d-byte file", e.Size)
}

// Unwrap makes the error a domain.ErrInvalid with CodeRangeNotSatisfiable.
func (e *RangeError) Unwrap() error {
	return domain.Errorf(domain.ErrInvalid, CodeRangeNotSatisfiable,
		"The requested range lies outside the file's %d bytes.", e.Size)
}

// ByteRange is one HTTP byte range as the client stated it, before it is
// resolved against the file's size:
//
//	bytes=a-b  ByteRange{Start: a, End: b}
//	bytes=a-   ByteRange{Start: a, End: -1}
//	bytes=-n   ByteRange{Start: -1, End: n}  (the last n bytes)
type ByteRange struct {
	Start, End int64
}

// Resolve turns r into the Range of a file of size bytes. A range that
// starts at or past the end, or an empty suffix, is a *RangeError.
func (r ByteRange) Resolve(size int64) (Range, error) {
	if r.Start < 0 { // suffix
		n := min(r.End, size)
		if n <= 0 {
			return Range{}, &RangeError{Size: size}
		}
		return Range{Offset: size - n, Length: n}, nil
	}
	if r.Start >= size || (r.End >= 0 && r.End < r.Start) {
		return Range{}, &RangeError{Size: size}
	}
	last := size - 1
	if r.End >= 0 && r.End < last {
		last = r.End
	}
	return Range{Offset: r.Start, Length: last - r.Start + 1}, nil
}

// DownloadQuery is a request for the file behind a locally signed URL.
type DownloadQuery struct {
	Query     url.Values // the URL's query, signature included
	Range     *ByteRange // nil: the whole file
	IP        string
	UserAgent string
}

// DownloadResult is an open file. The caller closes Body.
type DownloadResult struct {
	Body        io.ReadCloser
	ContentType string // as signed
	Disposition domain.Disposition
	Filename    string
	Size        int64 // of the whole file
	Range       Range // the bytes Body holds, resolved (Length >= 0)
	Partial     bool  // a range was asked for and is served
	SHA256      string
	ModTime     time.Time
	// Redirect, when set, is where the file is to be read instead: a store
	// URL presigned for at most domain.GatewayRedirectExpiry (a gateway
	// link). Body is then nil and only Redirect is set.
	Redirect string
}

// Download serves the URLs the service signs itself. A URL keeps working
// only while the file it was issued for is visible with the same content:
// once the file is deleted or overwritten the URL answers not found (unlike
// a presigned store URL, which lives until it expires). New sets it when
// the URL signer is also a SignedURLVerifier.
type Download struct {
	*deps
	verifier SignedURLVerifier
	// presign, when set, presigns the store URL a use redirects to
	// (gateway links on a store that presigns); nil: the file is served
	// from the store through the service.
	presign URLSigner
}

// Handle verifies the URL and opens the file. It writes one DOWNLOAD audit
// event whenever the signature is authentic, for refusals too, the actor
// being the user the URL was signed for; a URL with an invalid signature
// names no one trustworthy and is not audited. No bytes are returned
// unless the audit event was written.
//
// A URL with a link (EnableLinks) is checked against it on every use: a
// revoked or used-up link is refused (domain.CodeLinkRevoked,
// domain.CodeLinkExhausted), and a use is counted in one transaction with
// its DOWNLOAD event.
func (d *Download) Handle(ctx context.Context, q DownloadQuery) (DownloadResult, error) {
	req, err := d.verifier.Verify(q.Query)
	if err != nil && req.UserID == "" {
		return DownloadResult{}, err
	}
	c := Caller{Principal: domain.Principal{UserID: req.UserID, OrgID: req.OrgID, Role: req.Role},
		IP: q.IP, UserAgent: q.UserAgent}
	e := entry{action: domain.ActionDownload, path: req.Path,
		metadata: map[string]any{"disposition": string(req.Disposition)}}
	// The path is parsed for the event even when the URL is refused (an
	// expired one, say), so that the event names the file's kind and id.
	path, perr := parseOwn(domain.Principal{OrgID: req.OrgID}, req.Path, &e)
	if err == nil {
		err = perr
	}
	var res DownloadResult
	if err == nil {
		res, err = d.open(ctx, req, path, q.Range, &e)
	}
	if err == nil {
		err = d.use(ctx, c, req, &e)
	}
	if err := d.audit.finish(ctx, c, e, err, true); err != nil {
		if res.Body != nil {
			res.Body.Close()
		}
		return DownloadResult{}, err
	}
	return res, nil
}

// use counts one use of the URL's link, if it has one, in one
// transaction with the DOWNLOAD event of e.
func (d *Download) use(ctx context.Context, c Caller, req SignRequest, e *entry) error {
	if req.LinkID == "" || d.links == nil {
		return nil
	}
	e.metadata["link_id"] = req.LinkID
	return d.audit.change(ctx, c, e, func(ctx context.Context) error {
		l, err := d.links.Use(ctx, req.LinkID, d.clock.Now())
		if l != nil {
			e.metadata["uses"] = l.Uses()
			if l.MaxUses() > 0 {
				e.metadata["max_uses"] = l.MaxUses()
			}
		}
		switch {
		case errors.Is(err, domain.ErrNotFound):
			err = notFound() // a link removed by the clean-up: its URL reads nothing
		case err == nil && l.OrgID() != req.OrgID:
			err = notFound() // cannot happen: the link id is sealed with the org
		}
		return err
	})
}

func (d *Download) open(ctx context.Context, req SignRequest, path domain.StoragePath, br *ByteRange, e *entry) (DownloadResult, error) {
	rec, err := d.loadVisible(ctx, path)
	if err != nil {
		return DownloadResult{}, err
	}
	content, modTime := rec.Content(), rec.UpdatedAt()
	if content.BlobKey != req.Key {
		// A URL of a version (SignURLQuery.VersionID) reads it while it
		// is kept; else the file was overwritten since the URL was signed.
		v, ok, err := d.versionByKey(ctx, path, req.Key)
		if err != nil {
			return DownloadResult{}, err
		}
		if !ok {
			return DownloadResult{}, notFound()
		}
		content, modTime = v.Content, v.CreatedAt
		e.metadata["version_id"] = v.ID
	}
	if d.presign != nil {
		// The store URL lives no longer than the link nor
		// GatewayRedirectExpiry, and a whole second at least.
		expiry := max(min(req.Expiry, domain.GatewayRedirectExpiry), time.Second).Truncate(time.Second)
		url, err := d.presign.SignURL(ctx, SignRequest{Key: content.BlobKey, Expiry: expiry,
			Disposition: req.Disposition, Filename: req.Filename, ContentType: req.ContentType})
		if err != nil {
			return DownloadResult{}, err
		}
		e.metadata["redirect_expires_in"] = int64(expiry / time.Second)
		return DownloadResult{Redirect: url}, nil
	}
	rng := Range{Offset: 0, Length: content.SizeBytes}
	if br != nil {
		if rng, err = br.Resolve(content.SizeBytes); err != nil {
			return DownloadResult{}, err
		}
		e.metadata["range"] = fmt.Sprintf("bytes %d-%d/%d", rng.Offset, rng.Offset+rng.Length-1, content.SizeBytes)
	}
	body, _, err := d.blobs.Open(ctx, content.BlobKey, rng)
	if errors.Is(err, domain.ErrNotFound) {
		err = notFound()
	}
	if err != nil {
		return DownloadResult{}, err
	}
	e.metadata["bytes"] = rng.Length
	return DownloadResult{Body: body, ContentType: req.ContentType, Disposition: req.Disposition,
		Filename: req.Filename, Size: content.SizeBytes, Range: rng, Partial: br != nil,
		SHA256: content.SHA256, ModTime: modTime}, nil
}
