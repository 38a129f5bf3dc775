package application

import (
	"context"
	"errors"
	"io"
	"net/url"
	"time"

	"storagegw/domain"
)

// MaxPartURLsPerRequest bounds how many part URLs one request returns.
const MaxPartURLsPerRequest = 1000

// PartURLsCommand asks for the URLs of some parts of a session.
type PartURLsCommand struct {
	Caller   Caller
	UploadID string // the session's id
	Parts    []int  // part numbers, each from 1 to the session's part count
}

// PartURL is where to PUT one part, until ExpiresAt.
type PartURL struct {
	Number    int
	URL       string
	Size      int64 // the bytes the part must hold
	ExpiresAt time.Time
}

// MultipartPartURLs hands out the URLs through which the client uploads
// parts. On Spaces they are presigned URLs of the store itself: the part
// bytes never pass through the service. Each request also renews the
// session's reservation of its path, so an upload still in progress is not
// taken over as stale (uploads.stale_after).
type MultipartPartURLs struct {
	*multipart
}

// Handle returns one URL per requested part, in the order asked. It
// writes one MULTIPART_PART_URLS audit event, without which it returns no
// URL (like a signed URL, it hands out access).
func (u *MultipartPartURLs) Handle(ctx context.Context, cmd PartURLsCommand) ([]PartURL, error) {
	e := entry{action: domain.ActionMultipartPartURLs, metadata: map[string]any{
		"upload_id": clipID(cmd.UploadID), "part_numbers": len(cmd.Parts)}}
	urls, err := u.run(ctx, cmd, &e)
	if err := u.audit.finish(ctx, cmd.Caller, e, err, true); err != nil {
		return nil, err
	}
	return urls, nil
}

func (u *MultipartPartURLs) run(ctx context.Context, cmd PartURLsCommand, e *entry) ([]PartURL, error) {
	store, s, err := u.open(ctx, cmd.Caller, cmd.UploadID, e)
	if err != nil {
		return nil, err
	}
	now := u.clock.Now()
	if err := s.CheckOpen(now); err != nil {
		return nil, err
	}
	plan := s.Plan()
	if len(cmd.Parts) == 0 || len(cmd.Parts) > MaxPartURLsPerRequest {
		return nil, domain.Errorf(domain.ErrInvalid, "invalid_part_numbers",
			"Ask for 1 to %d parts at a time.", MaxPartURLsPerRequest)
	}
	for _, n := range cmd.Parts {
		if err := plan.CheckPartNumber(n); err != nil {
			return nil, err
		}
	}
	if err := u.renew(ctx, s, now); err != nil {
		return nil, err
	}
	expiry := min(u.mopts.PartURLExpiry, s.ExpiresAt().Sub(now))
	out := make([]PartURL, 0, len(cmd.Parts))
	for _, n := range cmd.Parts {
		link, err := store.PartURL(ctx, s.BlobKey(), s.StoreUploadID(), n, plan.SizeOf(n), expiry)
		if err != nil {
			return nil, err
		}
		out = append(out, PartURL{Number: n, URL: link, Size: plan.SizeOf(n), ExpiresAt: now.Add(expiry)})
	}
	e.metadata["expires_in"] = int(expiry.Seconds())
	return out, nil
}

// renew refreshes the session's reservation of its path; a reservation
// taken over by another upload is domain.ErrExists (upload_superseded).
func (m *multipart) renew(ctx context.Context, s *domain.UploadSession, now time.Time) error {
	for attempt := 0; ; attempt++ {
		rec, err := m.files.Get(ctx, s.Path())
		if errors.Is(err, domain.ErrNotFound) {
			return superseded()
		}
		if err != nil {
			return err
		}
		if err := rec.RenewUpload(s.UploadID(), now); err != nil {
			return err
		}
		_, err = m.files.Update(ctx, rec)
		if !isConflict(err) || attempt >= maxAttempts {
			return err
		}
	}
}

// ReceivePart takes the bytes of one part sent to a part URL that the
// service serves itself (local disk, for development). It stands in for
// the object store, which receives the parts in production, and like the
// store it writes no audit event: initiate, part URLs, complete and abort
// are audited. The URL's signature is the credential.
type ReceivePart struct {
	*multipart
}

// Handle stores the part and returns its ETag. A store that receives its
// parts itself (Spaces) has no such route: domain.ErrNotFound.
func (u *ReceivePart) Handle(ctx context.Context, q url.Values, body io.Reader) (string, error) {
	r, ok := u.blobs.(PartReceiver)
	if !ok {
		return "", domain.Errorf(domain.ErrNotFound, "route_not_found", "There is no such route.")
	}
	return r.ReceivePart(ctx, q, body)
}

func superseded() error {
	return domain.Errorf(domain.ErrExists, "upload_superseded", "Another upload to this path took over; this one was discarded.")
}

// clipID bounds an id from a request before it is audited.
func clipID(id string) string {
	if len(id) > 64 {
		return id[:64]
	}
	return id
}
