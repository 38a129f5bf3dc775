package spaces

import (
	"context"
	"strings"

	"github.com/minio/minio-go/v7"

	"storagegw/application"
)

// maxKeysPerPage is S3's largest ListObjectsV2 page.
const maxKeysPerPage = 1000

// List asks the store for the keys under prefix after startAfter, which S3
// returns in ascending byte order, pages of up to 1000 at a time, and
// stops the listing as soon as limit keys are in. The operation timeout
// bounds the whole listing.
func (s *Store) List(ctx context.Context, prefix, startAfter string, limit int) ([]application.BlobInfo, error) {
	return s.list(ctx, prefix, startAfter, limit, min(limit, maxKeysPerPage))
}

// list is List with the page size to ask for, which tests make small.
func (s *Store) list(ctx context.Context, prefix, startAfter string, limit, pageSize int) ([]application.BlobInfo, error) {
	ctx, cancel := s.withTimeout(ctx) // cancelling also ends the listing
	defer cancel()
	opts := minio.ListObjectsOptions{Prefix: prefix, StartAfter: startAfter, Recursive: true, MaxKeys: pageSize}
	var out []application.BlobInfo
	for obj := range s.client.ListObjectsIter(ctx, s.bucket, opts) {
		if obj.Err != nil {
			return nil, storeError("list", prefix, obj.Err)
		}
		if strings.HasSuffix(obj.Key, "/") || application.ValidateBlobKey(obj.Key) != nil {
			continue // a folder marker or an object this service did not write
		}
		out = append(out, blobInfo(obj.Key, obj.Size, obj.LastModified))
		if len(out) == limit {
			break
		}
	}
	return out, nil
}
