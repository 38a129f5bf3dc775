package spaces

import (
	"context"
	"strings"

	"github.com/minio/minio-go/v7"

	"storagegw/application"
	"storagegw/domain"
)

// maxPartsPerPage is S3's largest ListParts page.
const maxPartsPerPage = 1000

// ListParts lists the parts of an upload, following S3's pages, within
// the operation timeout.
func (s *Store) ListParts(ctx context.Context, key, id string) ([]domain.StoredPart, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var out []domain.StoredPart
	marker := 0
	for {
		res, err := s.core.ListObjectParts(ctx, s.bucket, key, id, marker, maxPartsPerPage)
		if err != nil {
			return nil, storeError("list parts", key, err)
		}
		for _, p := range res.ObjectParts {
			out = append(out, domain.StoredPart{Number: p.PartNumber, ETag: p.ETag, Size: p.Size})
		}
		if !res.IsTruncated || res.NextPartNumberMarker <= marker {
			return out, nil
		}
		marker = res.NextPartNumberMarker
	}
}

// ListMultipart lists the uploads in progress under prefix, which S3
// orders by key and, within a key, by initiation, within the operation
// timeout.
//
// It never sends S3's upload-id-marker, whose handling differs between
// servers (versitygw's posix backend refuses any marker that is not the
// first key after key-marker). Instead the rest of afterKey's uploads
// are listed with afterKey as the prefix, and later keys with afterKey as
// the key-marker. The application's keys ({path}/{upload id}) each have a
// single upload, so the first listing is tiny.
func (s *Store) ListMultipart(ctx context.Context, prefix, afterKey, afterID string, limit int) ([]application.MultipartUpload, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var out []application.MultipartUpload
	for len(out) < limit {
		page, more, err := s.listAfter(ctx, prefix, afterKey, afterID, limit-len(out))
		if err != nil {
			return nil, storeError("list multipart", prefix, err)
		}
		out = append(out, page...)
		if !more || len(page) == 0 {
			break
		}
		afterKey, afterID = page[len(page)-1].Key, page[len(page)-1].StoreUploadID
	}
	return out, nil
}

// listAfter returns up to n uploads after (afterKey, afterID): first the
// uploads of afterKey listed after afterID (none when afterID is gone),
// then one page of later keys; more reports that the store has more.
func (s *Store) listAfter(ctx context.Context, prefix, afterKey, afterID string, n int) (page []application.MultipartUpload, more bool, err error) {
	add := func(u minio.ObjectMultipartInfo) {
		page = append(page, application.MultipartUpload{Key: u.Key, StoreUploadID: u.UploadID, Initiated: u.Initiated.UTC()})
	}
	if afterKey != "" && strings.HasPrefix(afterKey, prefix) {
		res, err := s.core.ListMultipartUploads(ctx, s.bucket, afterKey, "", "", "", maxKeysPerPage)
		if err != nil {
			return nil, false, err
		}
		seen := false
		for _, u := range res.Uploads {
			switch {
			case u.Key != afterKey:
			case !seen:
				seen = u.UploadID == afterID
			case len(page) == n:
				return page, true, nil
			default:
				add(u)
			}
		}
	}
	if len(page) == n {
		return page, true, nil
	}
	res, err := s.core.ListMultipartUploads(ctx, s.bucket, prefix, afterKey, "", "", min(n-len(page), maxKeysPerPage))
	if err != nil {
		return nil, false, err
	}
	for _, u := range res.Uploads {
		if len(page) < n {
			add(u)
		}
	}
	return page, res.IsTruncated || len(res.Uploads) > n, nil
}
