package application

import (
	"context"
	"errors"
	"io"

	"storagegw/domain"
)

// The one spelling of a store's failures, whichever adapter is behind it.
// Clients see these codes (404 blob_not_found or upload_not_found, 503
// store_unavailable, 507 insufficient_storage).
const (
	CodeBlobNotFound        = "blob_not_found"
	CodeUploadNotFound      = "upload_not_found"
	CodeStoreUnavailable    = "store_unavailable"
	CodeInsufficientStorage = "insufficient_storage"

	msgBlobNotFound        = "No such file."
	msgUploadNotFound      = "No such multipart upload."
	msgStoreUnavailable    = "The file store is unavailable; try again later."
	msgInsufficientStorage = "The server's storage is full; try again once an operator has freed space."
)

// StoreUnavailable is a store's failure as clients see it:
// domain.ErrUnavailable with code store_unavailable, cause kept for the
// logs. CheckedStore gives it to every failure of a store; an adapter's
// error helper may use it too, for the errors of its own that do not go
// through a CheckedStore (a signer, the startup check).
func StoreUnavailable(cause error) error {
	return domain.Wrap(domain.ErrUnavailable, CodeStoreUnavailable, msgStoreUnavailable, cause)
}

// InsufficientStorage is a full disk as clients see it, whichever adapter
// hit it (a blob store's ENOSPC, SQLite's SQLITE_FULL, PostgreSQL's
// disk_full): domain.ErrUnavailable, so the closed set of kinds stays
// closed, with code insufficient_storage, cause kept for the logs.
// CheckedStore passes it on as it is.
func InsufficientStorage(cause error) error {
	return domain.Wrap(domain.ErrUnavailable, CodeInsufficientStorage, msgInsufficientStorage, cause)
}

// CheckedStore wraps b so that every call is checked against the port's
// argument contract before b sees it, and every error b returns is spelled
// once. It is the one place that enforces what BlobStore and
// MultipartStore promise about arguments:
//
//   - keys follow ValidateBlobKey; listing prefixes, startAfter and
//     afterKey follow ValidateBlobPrefix; limits are positive;
//   - a Range's Offset is not negative (the rest of Range.Resolve needs
//     the blob's size and stays the store's);
//   - upload ids are not empty (else upload_not_found); part numbers are 1
//     to domain.MaxParts, part sizes 1 to domain.MaxPartBytes, part URL
//     expiries at least a second; a part list to complete is not empty,
//     in strictly ascending order of number. Whether the parts listed were
//     uploaded, with that ETag and size, only the store knows: it checks.
//
// Errors: an error of no domain kind, or of kind domain.ErrUnavailable,
// becomes StoreUnavailable (code store_unavailable), except an
// InsufficientStorage, which passes as it is; domain.ErrNotFound
// becomes code blob_not_found (BlobStore methods) or upload_not_found
// (MultipartStore and PartReceiver methods); other kinds pass as they
// are. An error of Put's or ReceivePart's reader is returned as the store
// wrapped it, untouched.
//
// The result has exactly the optional capabilities of b, each checked
// too: MultipartStore, PartReceiver and HealthChecker, so type assertions
// on it answer as they would on b (one wrapper type per combination). Wrapping a
// CheckedStore again returns it unchanged.
func CheckedStore(b BlobStore) BlobStore {
	if _, ok := b.(interface{ checkedStore() }); ok || b == nil {
		return b
	}
	c := &checked{inner: b}
	hc, isHC := b.(HealthChecker)
	mp, isMP := b.(MultipartStore)
	pr, isPR := b.(PartReceiver)
	h, m, r := checkedHealth{hc}, checkedMultipart{mp}, checkedReceiver{pr}
	switch {
	case isMP && isPR && isHC:
		return struct {
			*checked
			checkedMultipart
			checkedReceiver
			checkedHealth
		}{c, m, r, h}
	case isMP && isPR:
		return struct {
			*checked
			checkedMultipart
			checkedReceiver
		}{c, m, r}
	case isMP && isHC:
		return struct {
			*checked
			checkedMultipart
			checkedHealth
		}{c, m, h}
	case isMP:
		return struct {
			*checked
			checkedMultipart
		}{c, m}
	case isPR && isHC:
		return struct {
			*checked
			checkedReceiver
			checkedHealth
		}{c, r, h}
	case isPR:
		return struct {
			*checked
			checkedReceiver
		}{c, r}
	case isHC:
		return struct {
			*checked
			checkedHealth
		}{c, h}
	}
	return c
}

// checked is the BlobStore part of a CheckedStore.
type checked struct{ inner BlobStore }

func (*checked) checkedStore() {}

func (c *checked) Put(ctx context.Context, key string, r io.Reader, contentType string) (BlobInfo, error) {
	if err := ValidateBlobKey(key); err != nil {
		return BlobInfo{}, err
	}
	tr := &trackedReader{r: r}
	info, err := c.inner.Put(ctx, key, tr, contentType)
	return info, tr.respell(err, CodeBlobNotFound)
}

func (c *checked) Open(ctx context.Context, key string, rng Range) (io.ReadCloser, BlobInfo, error) {
	if err := ValidateBlobKey(key); err != nil {
		return nil, BlobInfo{}, err
	}
	if rng.Offset < 0 {
		return nil, BlobInfo{}, domain.Errorf(domain.ErrInvalid, "invalid_range",
			"The range starts at byte %d, before the start of the blob.", rng.Offset)
	}
	rc, info, err := c.inner.Open(ctx, key, rng)
	if err != nil {
		return nil, BlobInfo{}, respell(err, CodeBlobNotFound)
	}
	return rc, info, nil
}

func (c *checked) Stat(ctx context.Context, key string) (BlobInfo, error) {
	if err := ValidateBlobKey(key); err != nil {
		return BlobInfo{}, err
	}
	info, err := c.inner.Stat(ctx, key)
	return info, respell(err, CodeBlobNotFound)
}

func (c *checked) Delete(ctx context.Context, key string) error {
	if err := ValidateBlobKey(key); err != nil {
		return err
	}
	return respell(c.inner.Delete(ctx, key), CodeBlobNotFound)
}

func (c *checked) List(ctx context.Context, prefix, startAfter string, limit int) ([]BlobInfo, error) {
	if err := checkListing(prefix, startAfter, limit); err != nil {
		return nil, err
	}
	list, err := c.inner.List(ctx, prefix, startAfter, limit)
	if err != nil {
		return nil, respell(err, CodeBlobNotFound)
	}
	return list, nil
}

// checkListing checks the arguments of List and ListMultipart.
func checkListing(prefix, after string, limit int) error {
	if err := ValidateBlobPrefix(prefix); err != nil {
		return err
	}
	if err := ValidateBlobPrefix(after); err != nil {
		return domain.Errorf(domain.ErrInvalid, "invalid_cursor", "A listing must start after a key-like string.")
	}
	if limit < 1 {
		return domain.Errorf(domain.ErrInvalid, "invalid_limit", "A listing limit must be positive.")
	}
	return nil
}

// checkedHealth is the HealthChecker part of a CheckedStore.
type checkedHealth struct{ inner HealthChecker }

func (h checkedHealth) Check(ctx context.Context) error {
	if err := h.inner.Check(ctx); err != nil {
		return StoreUnavailable(err)
	}
	return nil
}

// respell gives err, a store's error, its one spelling (see CheckedStore);
// notFound is the code of domain.ErrNotFound for the method.
func respell(err error, notFound string) error {
	switch domain.KindOf(err) {
	case nil:
		if err == nil {
			return nil
		}
		return StoreUnavailable(err)
	case domain.ErrUnavailable:
		if !spelled(err, domain.ErrUnavailable, CodeStoreUnavailable) &&
			!spelled(err, domain.ErrUnavailable, CodeInsufficientStorage) {
			return StoreUnavailable(err)
		}
	case domain.ErrNotFound:
		if !spelled(err, domain.ErrNotFound, notFound) {
			msg := msgBlobNotFound
			if notFound == CodeUploadNotFound {
				msg = msgUploadNotFound
			}
			return domain.Wrap(domain.ErrNotFound, notFound, msg, err)
		}
	}
	return err
}

// spelled reports whether err already carries, as the first domain error
// of its chain (the one clients see), kind and code.
func spelled(err, kind error, code string) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Kind == kind && de.Code == code
}

// trackedReader remembers the error its reader returned, so that a store's
// error that wraps it is passed on untouched: the caller's reader failed,
// not the store.
type trackedReader struct {
	r   io.Reader
	err error
}

func (t *trackedReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

func (t *trackedReader) respell(err error, notFound string) error {
	if t.err != nil && errors.Is(err, t.err) {
		return err
	}
	return respell(err, notFound)
}
