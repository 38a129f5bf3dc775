package application

import (
	"context"
	"errors"
	"io"

	"storagegw/domain"
)

// commitAssembled checks the assembled blob of session s against the
// kind's rule (size, type, content), hashes it and commits it as the
// record's content, with c's event e in the same transaction.
func (u *CompleteMultipart) commitAssembled(ctx context.Context, c Caller, s *domain.UploadSession, info BlobInfo,
	e *entry) (*domain.FileRecord, error) {
	path, key := s.Path(), s.BlobKey()
	rule, err := u.rule(path.Kind())
	if err != nil {
		return nil, err
	}
	if err := rule.CheckSize(info.Size); err != nil {
		return nil, err
	}
	if info.Size != s.DeclaredSize() {
		return nil, domain.Errorf(domain.ErrInvalid, "size_mismatch",
			"The parts hold %d bytes, not the %d bytes declared.", info.Size, s.DeclaredSize())
	}
	contentType, err := u.sniffBlob(ctx, key, rule)
	if err != nil {
		return nil, err
	}
	e.metadata["content_type"] = contentType
	if err := rule.CheckContent(&blobReaderAt{ctx: ctx, blobs: u.blobs, key: key}, info.Size); err != nil {
		return nil, err
	}
	sum, err := u.hashBlob(ctx, key, info.Size)
	if err != nil {
		return nil, err
	}
	content := domain.Content{BlobKey: key, ContentType: contentType, SizeBytes: info.Size, SHA256: sum}
	e.metadata["size_bytes"], e.metadata["sha256"] = info.Size, sum

	rec, err := u.files.Get(ctx, path)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, superseded()
	}
	if err != nil {
		return nil, err
	}
	if rec.Content().BlobKey == key {
		// A complete that died after its commit (its claim lapsed and this
		// request took over): the file is committed, with its own event.
		e.metadata["already_committed"] = true
		return rec, nil
	}
	if rec.WouldOverwrite() {
		e.action = domain.ActionEdit
	}
	// The record names the session's creator as the uploader, whoever
	// (the creator or an admin of the org) completes it.
	by := UploadCommand{Caller: Caller{Principal: domain.Principal{UserID: s.CreatedBy()}}, Filename: s.OriginalFilename()}
	return u.commit(ctx, rec, s.UploadID(), content, by, c, e)
}

// sniffBlob detects the type of a stored blob from its first bytes,
// read through a ranged Open, and checks it against rule as an upload's.
func (u *CompleteMultipart) sniffBlob(ctx context.Context, key string, rule domain.ContentRule) (string, error) {
	rc, _, err := u.blobs.Open(ctx, key, Range{Offset: 0, Length: sniffBytes})
	if err != nil {
		return "", err
	}
	defer rc.Close()
	types, _, err := sniff(rc)
	if err != nil {
		return "", err
	}
	return rule.Accept(types)
}

// hashBlob reads a stored blob once, whole, and returns its SHA-256. A
// blob that is not size bytes long is domain.ErrUnavailable.
func (u *CompleteMultipart) hashBlob(ctx context.Context, key string, size int64) (string, error) {
	rc, _, err := u.blobs.Open(ctx, key, Whole)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	m := domain.NewMeter(rc, 0)
	if _, err := io.Copy(io.Discard, m); err != nil {
		if domain.KindOf(err) != nil {
			return "", err
		}
		return "", domain.Wrap(domain.ErrUnavailable, "store_unavailable",
			"The file store is unavailable; try again later.", err)
	}
	if m.N() != size {
		return "", domain.Errorf(domain.ErrUnavailable, "store_size_mismatch",
			"The store holds a different number of bytes than were assembled; try again.")
	}
	return m.SHA256(), nil
}
