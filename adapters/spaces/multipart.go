package spaces

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/minio/minio-go/v7"

	"storagegw/application"
	"storagegw/domain"
)

var _ application.MultipartStore = (*Store)(nil)

// InitiateMultipart starts an S3 multipart upload to key, without an ACL
// (the object gets the bucket's default, private on Spaces), within the
// operation timeout.
func (s *Store) InitiateMultipart(ctx context.Context, key, contentType string) (string, error) {
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	id, err := s.core.NewMultipartUpload(ctx, s.bucket, key, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return "", storeError("initiate multipart", key, err)
	}
	return id, nil
}

// PartURL presigns an UploadPart request (PUT ?partNumber=&uploadId=) on
// the store's own endpoint, never the CDN: the part's bytes go straight
// from the client to the store. Signing is local. S3 cannot bind the
// part's size into the URL, so size is not enforced here; the use case
// checks the sizes the store lists before completing. Browsers need the
// bucket's CORS rules to allow PUT from their origin and to expose the
// ETag header (see the developer guide). An expiry past MaxURLExpiry,
// SigV4's limit, is domain.ErrInvalid.
func (s *Store) PartURL(ctx context.Context, key, id string, part int, size int64, expiry time.Duration) (string, error) {
	if expiry > MaxURLExpiry {
		return "", domain.Errorf(domain.ErrInvalid, "invalid_part",
			"The upload id, part number, size or expiry of a part URL is out of range.")
	}
	params := url.Values{"partNumber": {strconv.Itoa(part)}, "uploadId": {id}}
	u, err := s.client.Presign(ctx, "PUT", s.bucket, key, expiry, params)
	if err != nil {
		return "", storeError("sign part", key, err)
	}
	return u.String(), nil
}

// AbortMultipart aborts the upload, within the operation timeout.
func (s *Store) AbortMultipart(ctx context.Context, key, id string) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	if err := s.core.AbortMultipartUpload(ctx, s.bucket, key, id); err != nil {
		return storeError("abort multipart", key, err)
	}
	return nil
}

// CompleteMultipart has the store assemble parts. It is not bounded by the
// operation timeout: assembling many parts can take the store a while,
// during which S3 keeps the connection alive; the request's context and
// the transport's idle timeout bound it. S3 answers no size, so the blob
// is then described by a Stat.
func (s *Store) CompleteMultipart(ctx context.Context, key, id string, parts []domain.PartRef) (application.BlobInfo, error) {
	complete := make([]minio.CompletePart, len(parts))
	for i, p := range parts {
		complete[i] = minio.CompletePart{PartNumber: p.Number, ETag: domain.NormalizeETag(p.ETag)}
	}
	if _, err := s.core.CompleteMultipartUpload(ctx, s.bucket, key, id, complete, minio.PutObjectOptions{}); err != nil {
		return application.BlobInfo{}, storeError("complete multipart", key, err)
	}
	return s.Stat(ctx, key)
}
