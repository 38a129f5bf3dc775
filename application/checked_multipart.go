package application

import (
	"context"
	"io"
	"net/url"
	"time"

	"storagegw/domain"
)

// checkedMultipart is the MultipartStore part of a CheckedStore.
type checkedMultipart struct{ inner MultipartStore }

func (m checkedMultipart) InitiateMultipart(ctx context.Context, key, contentType string) (string, error) {
	if err := ValidateBlobKey(key); err != nil {
		return "", err
	}
	id, err := m.inner.InitiateMultipart(ctx, key, contentType)
	return id, respell(err, CodeUploadNotFound)
}

func (m checkedMultipart) PartURL(ctx context.Context, key, id string, part int, size int64, expiry time.Duration) (string, error) {
	if err := ValidateBlobKey(key); err != nil {
		return "", err
	}
	if id == "" || part < 1 || part > domain.MaxParts || size < 1 || size > domain.MaxPartBytes || expiry < time.Second {
		return "", domain.Errorf(domain.ErrInvalid, "invalid_part",
			"The upload id, part number, size or expiry of a part URL is out of range.")
	}
	link, err := m.inner.PartURL(ctx, key, id, part, size, expiry)
	return link, respell(err, CodeUploadNotFound)
}

func (m checkedMultipart) ListParts(ctx context.Context, key, id string) ([]domain.StoredPart, error) {
	if err := checkUpload(key, id); err != nil {
		return nil, err
	}
	parts, err := m.inner.ListParts(ctx, key, id)
	if err != nil {
		return nil, respell(err, CodeUploadNotFound)
	}
	return parts, nil
}

func (m checkedMultipart) CompleteMultipart(ctx context.Context, key, id string, parts []domain.PartRef) (BlobInfo, error) {
	if err := checkUpload(key, id); err != nil {
		return BlobInfo{}, err
	}
	if err := checkPartList(parts); err != nil {
		return BlobInfo{}, err
	}
	info, err := m.inner.CompleteMultipart(ctx, key, id, parts)
	return info, respell(err, CodeUploadNotFound)
}

func (m checkedMultipart) AbortMultipart(ctx context.Context, key, id string) error {
	if err := checkUpload(key, id); err != nil {
		return err
	}
	return respell(m.inner.AbortMultipart(ctx, key, id), CodeUploadNotFound)
}

func (m checkedMultipart) ListMultipart(ctx context.Context, prefix, afterKey, afterID string, limit int) ([]MultipartUpload, error) {
	if err := checkListing(prefix, afterKey, limit); err != nil {
		return nil, err
	}
	uploads, err := m.inner.ListMultipart(ctx, prefix, afterKey, afterID, limit)
	if err != nil {
		return nil, respell(err, CodeUploadNotFound)
	}
	return uploads, nil
}

// checkUpload checks the key and upload id of a call on an upload: no
// store knows an empty id.
func checkUpload(key, id string) error {
	if err := ValidateBlobKey(key); err != nil {
		return err
	}
	if id == "" {
		return domain.Errorf(domain.ErrNotFound, CodeUploadNotFound, msgUploadNotFound)
	}
	return nil
}

// checkPartList checks the shape of a part list, as S3 does before it
// looks at the parts: at least one, numbered 1 to domain.MaxParts, in
// strictly ascending order.
func checkPartList(parts []domain.PartRef) error {
	if len(parts) == 0 {
		return domain.Errorf(domain.ErrInvalid, "invalid_part", "An upload needs at least one part.")
	}
	for i, p := range parts {
		if i > 0 && p.Number <= parts[i-1].Number {
			return domain.Errorf(domain.ErrInvalid, "invalid_part_order", "Parts must be listed in ascending order.")
		}
		if p.Number < 1 || p.Number > domain.MaxParts {
			return domain.Errorf(domain.ErrInvalid, "invalid_part", "Part %d was not uploaded.", p.Number)
		}
	}
	return nil
}

// checkedReceiver is the PartReceiver part of a CheckedStore. The query
// is the store's own signed ticket, which only the store can check.
type checkedReceiver struct{ inner PartReceiver }

func (r checkedReceiver) ReceivePart(ctx context.Context, q url.Values, body io.Reader) (string, error) {
	tr := &trackedReader{r: body}
	etag, err := r.inner.ReceivePart(ctx, q, tr)
	return etag, tr.respell(err, CodeUploadNotFound)
}
