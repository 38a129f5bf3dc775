package application

import (
	"context"
	"io"

	"storagegw/domain"
)

// TusPatchCommand sends bytes of a TUS upload (PATCH /api/storage/tus/{id}).
type TusPatchCommand struct {
	Caller        Caller
	ID            string
	Offset        int64 // Upload-Offset: where Body's bytes start
	Body          io.Reader
	ContentLength int64 // -1 when unknown
}

// TusPatchResult is an upload after a PATCH, and the file it completed.
type TusPatchResult struct {
	Upload *domain.TusUpload
	Record *domain.FileRecord // set when the PATCH completed the upload
}

// TusPatch stores the bytes of a PATCH and, once the upload holds all
// its bytes, completes it.
//
// Under the upload's lease (so that no two requests, on any replica,
// write one upload) the body streams into the session's multipart
// upload: every full part of the plan straight to the store
// (PartWriter), the bytes that do not fill a part as a segment blob,
// combined with the following bytes into the part once it fills. Memory
// stays bounded by the store's own buffers. A body that ends early (an
// interrupted client) keeps every part and segment stored before the
// break, and the next PATCH resumes at the offset a HEAD reports.
//
// The PATCH that stores the last byte completes the upload through
// CompleteMultipart, with the parts the store lists: the same size,
// content-type sniff, content rule and hash checks, and the same commit
// and UPLOAD or EDIT event. A refusal there (415 for a type the kind does
// not allow) discards everything: the bytes, the reservation, the session
// and the TUS state; nothing is recorded.
type TusPatch struct {
	*tus
}

// Handle runs the PATCH. It writes one event: TUS_PATCH, or the UPLOAD or
// EDIT of the completion.
func (u *TusPatch) Handle(ctx context.Context, cmd TusPatchCommand) (TusPatchResult, error) {
	e := entry{action: domain.ActionTusPatch, metadata: map[string]any{"upload_id": clipID(cmd.ID), "offset": cmd.Offset}}
	res, err := u.run(ctx, cmd, &e)
	if err := u.audit.finish(ctx, cmd.Caller, e, err, false); err != nil {
		return TusPatchResult{}, err
	}
	return res, nil
}

func (u *TusPatch) run(ctx context.Context, cmd TusPatchCommand, e *entry) (TusPatchResult, error) {
	t, err := u.load(ctx, cmd.Caller, cmd.ID, e)
	if err != nil {
		return TusPatchResult{}, err
	}
	return u.receive(ctx, cmd, t, e, false)
}

// write streams body into t's parts and segments, advancing t as each is
// stored, and returns the keys of the segments that parts took in (to be
// removed once t is saved). known is the body's length, or -1.
func (u *tus) write(ctx context.Context, s *domain.UploadSession, t *domain.TusUpload, body io.Reader, known int64) ([]string, error) {
	var consumed []string
	for t.Offset() < t.Length() {
		part, need, segs := t.Pending()
		if known >= need {
			if err := u.writePart(ctx, s, t, part, segs, io.LimitReader(body, need)); err != nil {
				return consumed, err
			}
			consumed = append(consumed, segmentKeys(t)...)
			t.PartStored(u.clock.Now())
			known -= need
			continue
		}
		// The body may not fill the part: keep its bytes as a segment.
		key := t.SegmentKey(t.Offset())
		cr := &countingReader{r: io.LimitReader(body, need)}
		if _, err := u.blobs.Put(ctx, key, cr, "application/octet-stream"); err != nil {
			return consumed, err
		}
		switch {
		case cr.n == 0:
			u.deleteSegments(ctx, []string{key})
			return consumed, nil
		case cr.n < need:
			t.SegmentStored(cr.n, u.clock.Now())
			return consumed, nil
		}
		// It did fill the part (a body of unknown length): the segments make it.
		segs = append(segs, domain.Segment{Offset: t.Offset(), Size: cr.n})
		if err := u.writePart(ctx, s, t, part, segs, eofReader{}); err != nil {
			u.deleteSegments(ctx, []string{key})
			return consumed, err
		}
		consumed = append(consumed, segmentKeys(t)...)
		consumed = append(consumed, key)
		t.PartStored(u.clock.Now())
		if known > 0 {
			known -= need
		}
	}
	return consumed, nil
}

// writePart stores part number part of t: the bytes of segs, then rest.
func (u *tus) writePart(ctx context.Context, s *domain.UploadSession, t *domain.TusUpload, part int,
	segs []domain.Segment, rest io.Reader) error {
	readers := make([]io.Reader, 0, len(segs)+1)
	for _, seg := range segs {
		readers = append(readers, &segmentReader{ctx: ctx, blobs: u.blobs, key: t.SegmentKey(seg.Offset), size: seg.Size})
	}
	readers = append(readers, rest)
	defer func() {
		for _, r := range readers[:len(segs)] {
			r.(*segmentReader).Close()
		}
	}()
	_, err := u.parts.WritePart(ctx, s.BlobKey(), s.StoreUploadID(), part, io.MultiReader(readers...), s.Plan().SizeOf(part))
	return err
}

// segmentReader reads a segment blob, opened on the first Read, so that
// a part made of many segments holds one open blob at a time.
type segmentReader struct {
	ctx   context.Context
	blobs BlobStore
	key   string
	size  int64
	rc    io.ReadCloser
	n     int64
	done  bool
}

func (r *segmentReader) Read(p []byte) (int, error) {
	if r.done {
		return 0, io.EOF
	}
	if r.rc == nil {
		rc, _, err := r.blobs.Open(r.ctx, r.key, Whole)
		if err != nil {
			return 0, err
		}
		r.rc = rc
	}
	n, err := r.rc.Read(p)
	r.n += int64(n)
	if err == io.EOF {
		r.rc.Close()
		r.rc, r.done = nil, true
		if r.n != r.size {
			err = domain.Errorf(domain.ErrUnavailable, "store_size_mismatch",
				"A stored segment of the upload has another size than was recorded; try again.")
		}
	}
	return n, err
}

func (r *segmentReader) Close() {
	if r.rc != nil {
		r.rc.Close()
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// Admit refuses, before the body is read, a caller who may not upload.
func (u *TusPatch) Admit(ctx context.Context, c Caller) error {
	return u.admit(ctx, c, domain.ActionTusPatch, domain.PermUpload)
}
