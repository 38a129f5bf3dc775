package spaces

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/minio/minio-go/v7"

	"storagegw/application"
	"storagegw/domain"
)

// The public messages of the domain errors this package returns. Which
// setting to fix is told in the wrapped cause, for the logs, not here.
// Not found and unavailable are spelled once, for every store, by
// application.CheckedStore and application.StoreUnavailable.
const (
	msgRange    = "The requested range starts past the end of the file."
	msgKey      = "The file store refused the blob key."
	msgConflict = "The file store holds an object that conflicts with this key."
	msgPart     = "The parts listed do not match the parts uploaded (number, order, ETag or size)."
)

// conflictCodes are how stores that keep objects as files (versitygw's
// posix backend, MinIO) refuse a key that is a file where a directory is
// needed, or the reverse: "a/b" while "a" exists, or "a" while "a/b"
// does. Spaces and AWS take both. versitygw also answers
// ExistingObjectIsDirectory when a concurrent Delete pruned the directory
// a Put was linking into, which a retry cures (see retryConflict).
var conflictCodes = map[string]bool{"ExistingObjectIsDirectory": true, "ObjectParentIsFile": true,
	"XMinioParentIsObject": true, "XMinioObjectExistsAsDirectory": true}

// storeError is the one place that translates what minio-go returns into
// the domain's errors, wrapping err once with the operation and key:
//
//   - NoSuchUpload (a multipart upload completed, aborted or unknown) is
//     domain.ErrNotFound (the checked store spells it upload_not_found);
//     a part list the store refuses (InvalidPart,
//     InvalidPartOrder, EntityTooSmall) is domain.ErrInvalid.
//   - NoSuchKey (and a 404 of an object) is domain.ErrNotFound (spelled
//     blob_not_found by the checked store). A HEAD
//     answer (Stat) has no body: a missing bucket, or on versitygw an
//     unknown access key, then looks like a missing key. Check, at start
//     and for readiness, tells them apart.
//   - InvalidRange is domain.ErrInvalid; so are the store's refusals of a
//     key (KeyTooLong, invalid object name), which ValidateBlobKey lets
//     through only for stores with tighter rules.
//   - A key conflicting with a file or directory of a file-backed store
//     (conflictCodes) is domain.ErrExists.
//   - NoSuchBucket is domain.ErrUnavailable, not ErrNotFound: a missing
//     bucket is a deployment fault (SPACES_BUCKET), and reporting every
//     file as absent, or every Delete as done, would hide it.
//   - Refused credentials are domain.ErrUnavailable naming the settings
//     (versitygw answers an unknown access key with XAdminUserNotFound).
//   - Everything else (network errors, timeouts, cancellation, 5xx, any
//     other refusal) is application.StoreUnavailable (store_unavailable),
//     spelled here too because Check and SignURL answer without a checked
//     store in front.
func storeError(op, key string, err error) error {
	where := "spaces: " + op
	if key != "" {
		where = fmt.Sprintf("spaces: %s %q", op, key)
	}
	cause := func(hint string) error {
		if hint == "" {
			return fmt.Errorf("%s: %w", where, err)
		}
		return fmt.Errorf("%s: %s: %w", where, hint, err)
	}
	var er minio.ErrorResponse
	if !errors.As(err, &er) {
		return application.StoreUnavailable(cause("check SPACES_ENDPOINT and the network"))
	}
	if conflictCodes[er.Code] {
		return domain.Wrap(domain.ErrExists, "blob_key_conflict", msgConflict, cause(""))
	}
	switch er.Code {
	case "NoSuchKey", "NoSuchUpload":
		return fmt.Errorf("%w: %w", domain.ErrNotFound, cause(""))
	case "InvalidPart", "InvalidPartOrder", "EntityTooSmall":
		return domain.Wrap(domain.ErrInvalid, "invalid_part", msgPart, cause(""))
	case "InvalidRange":
		return domain.Wrap(domain.ErrInvalid, "invalid_range", msgRange, cause(""))
	case "KeyTooLong", "XMinioInvalidObjectName", "InvalidObjectName":
		return domain.Wrap(domain.ErrInvalid, "invalid_blob_key", msgKey, cause(""))
	case "NoSuchBucket":
		return application.StoreUnavailable(cause("check SPACES_BUCKET and SPACES_ENDPOINT"))
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AuthorizationHeaderMalformed",
		"InvalidToken", "ExpiredToken", "RequestTimeTooSkewed", "XAdminUserNotFound":
		return application.StoreUnavailable(
			cause("check SPACES_ACCESS_KEY, SPACES_SECRET_KEY, SPACES_REGION and the key's access to SPACES_BUCKET"))
	}
	if er.Code == "" && er.StatusCode == http.StatusNotFound && key != "" {
		return fmt.Errorf("%w: %w", domain.ErrNotFound, cause(""))
	}
	return application.StoreUnavailable(cause(""))
}
