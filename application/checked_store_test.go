package application_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"storagegw/application"
	"storagegw/domain"
)

// recordingStore has every capability; it records each call that reaches
// it and answers err.
type recordingStore struct {
	calls []string
	err   error
}

func (r *recordingStore) call(name string) error { r.calls = append(r.calls, name); return r.err }

func (r *recordingStore) Put(_ context.Context, _ string, body io.Reader, _ string) (application.BlobInfo, error) {
	if err := r.call("Put"); err != nil {
		return application.BlobInfo{}, err
	}
	if _, err := io.ReadAll(body); err != nil {
		return application.BlobInfo{}, fmt.Errorf("recording: put: %w", err)
	}
	return application.BlobInfo{}, nil
}

func (r *recordingStore) Open(context.Context, string, application.Range) (io.ReadCloser, application.BlobInfo, error) {
	if err := r.call("Open"); err != nil {
		return nil, application.BlobInfo{}, err
	}
	return io.NopCloser(strings.NewReader("")), application.BlobInfo{}, nil
}

func (r *recordingStore) Stat(context.Context, string) (application.BlobInfo, error) {
	return application.BlobInfo{}, r.call("Stat")
}

func (r *recordingStore) Delete(context.Context, string) error { return r.call("Delete") }

func (r *recordingStore) List(context.Context, string, string, int) ([]application.BlobInfo, error) {
	return nil, r.call("List")
}

func (r *recordingStore) InitiateMultipart(context.Context, string, string) (string, error) {
	return "id", r.call("InitiateMultipart")
}

func (r *recordingStore) PartURL(context.Context, string, string, int, int64, time.Duration) (string, error) {
	return "", r.call("PartURL")
}

func (r *recordingStore) ListParts(context.Context, string, string) ([]domain.StoredPart, error) {
	return nil, r.call("ListParts")
}

func (r *recordingStore) CompleteMultipart(context.Context, string, string, []domain.PartRef) (application.BlobInfo, error) {
	return application.BlobInfo{}, r.call("CompleteMultipart")
}

func (r *recordingStore) AbortMultipart(context.Context, string, string) error {
	return r.call("AbortMultipart")
}

func (r *recordingStore) ListMultipart(context.Context, string, string, string, int) ([]application.MultipartUpload, error) {
	return nil, r.call("ListMultipart")
}

func (r *recordingStore) ReceivePart(_ context.Context, _ url.Values, body io.Reader) (string, error) {
	if err := r.call("ReceivePart"); err != nil {
		return "", err
	}
	if _, err := io.ReadAll(body); err != nil {
		return "", fmt.Errorf("recording: receive part: %w", err)
	}
	return `"etag"`, nil
}

func (r *recordingStore) Check(context.Context) error { return r.call("Check") }

// fullStore is what CheckedStore returns for a store of every capability.
type fullStore interface {
	application.BlobStore
	application.MultipartStore
	application.PartReceiver
	application.HealthChecker
}

func checkedFull(t *testing.T, inner *recordingStore) fullStore {
	t.Helper()
	s, ok := application.CheckedStore(inner).(fullStore)
	if !ok {
		t.Fatalf("CheckedStore of a store with every capability: got %T, want every capability", s)
	}
	return s
}

// TestCheckedStoreRefusesBeforeTheStore offers each argument the port
// refuses: the refusal is the checked store's, and the store never hears
// of the call.
func TestCheckedStoreRefusesBeforeTheStore(t *testing.T) {
	t.Parallel()
	good := []domain.PartRef{{Number: 1, ETag: `"a"`}, {Number: 2, ETag: `"b"`}}
	tests := []struct {
		name string
		call func(context.Context, fullStore) error
		kind error
	}{
		{"Put hostile key", func(ctx context.Context, s fullStore) error {
			_, err := s.Put(ctx, "../x", strings.NewReader("x"), "")
			return err
		}, domain.ErrInvalid},
		{"Open empty key", func(ctx context.Context, s fullStore) error {
			_, _, err := s.Open(ctx, "", application.Whole)
			return err
		}, domain.ErrInvalid},
		{"Open negative offset", func(ctx context.Context, s fullStore) error {
			_, _, err := s.Open(ctx, "k", application.Range{Offset: -1, Length: 2})
			return err
		}, domain.ErrInvalid},
		{"Stat backslash", func(ctx context.Context, s fullStore) error {
			_, err := s.Stat(ctx, `a\b`)
			return err
		}, domain.ErrInvalid},
		{"Delete dot segment", func(ctx context.Context, s fullStore) error { return s.Delete(ctx, "a/./b") }, domain.ErrInvalid},
		{"List hostile prefix", func(ctx context.Context, s fullStore) error {
			_, err := s.List(ctx, "../", "", 10)
			return err
		}, domain.ErrInvalid},
		{"List hostile startAfter", func(ctx context.Context, s fullStore) error {
			_, err := s.List(ctx, "", "a\x00b", 10)
			return err
		}, domain.ErrInvalid},
		{"List limit 0", func(ctx context.Context, s fullStore) error {
			_, err := s.List(ctx, "", "", 0)
			return err
		}, domain.ErrInvalid},
		{"InitiateMultipart hostile key", func(ctx context.Context, s fullStore) error {
			_, err := s.InitiateMultipart(ctx, "/abs", "")
			return err
		}, domain.ErrInvalid},
		{"PartURL hostile key", func(ctx context.Context, s fullStore) error {
			_, err := s.PartURL(ctx, "a//b", "id", 1, 10, time.Minute)
			return err
		}, domain.ErrInvalid},
		{"PartURL empty id", func(ctx context.Context, s fullStore) error {
			_, err := s.PartURL(ctx, "k", "", 1, 10, time.Minute)
			return err
		}, domain.ErrInvalid},
		{"PartURL part 0", func(ctx context.Context, s fullStore) error {
			_, err := s.PartURL(ctx, "k", "id", 0, 10, time.Minute)
			return err
		}, domain.ErrInvalid},
		{"PartURL part past MaxParts", func(ctx context.Context, s fullStore) error {
			_, err := s.PartURL(ctx, "k", "id", domain.MaxParts+1, 10, time.Minute)
			return err
		}, domain.ErrInvalid},
		{"PartURL size 0", func(ctx context.Context, s fullStore) error {
			_, err := s.PartURL(ctx, "k", "id", 1, 0, time.Minute)
			return err
		}, domain.ErrInvalid},
		{"PartURL size past MaxPartBytes", func(ctx context.Context, s fullStore) error {
			_, err := s.PartURL(ctx, "k", "id", 1, domain.MaxPartBytes+1, time.Minute)
			return err
		}, domain.ErrInvalid},
		{"PartURL expiry under a second", func(ctx context.Context, s fullStore) error {
			_, err := s.PartURL(ctx, "k", "id", 1, 10, time.Second-1)
			return err
		}, domain.ErrInvalid},
		{"ListParts empty id", func(ctx context.Context, s fullStore) error {
			_, err := s.ListParts(ctx, "k", "")
			return err
		}, domain.ErrNotFound},
		{"ListParts hostile key", func(ctx context.Context, s fullStore) error {
			_, err := s.ListParts(ctx, "..", "id")
			return err
		}, domain.ErrInvalid},
		{"AbortMultipart empty id", func(ctx context.Context, s fullStore) error {
			return s.AbortMultipart(ctx, "k", "")
		}, domain.ErrNotFound},
		{"CompleteMultipart empty id", func(ctx context.Context, s fullStore) error {
			_, err := s.CompleteMultipart(ctx, "k", "", good)
			return err
		}, domain.ErrNotFound},
		{"CompleteMultipart no parts", func(ctx context.Context, s fullStore) error {
			_, err := s.CompleteMultipart(ctx, "k", "id", nil)
			return err
		}, domain.ErrInvalid},
		{"CompleteMultipart out of order", func(ctx context.Context, s fullStore) error {
			_, err := s.CompleteMultipart(ctx, "k", "id", []domain.PartRef{good[1], good[0]})
			return err
		}, domain.ErrInvalid},
		{"CompleteMultipart repeated part", func(ctx context.Context, s fullStore) error {
			_, err := s.CompleteMultipart(ctx, "k", "id", []domain.PartRef{good[0], good[0]})
			return err
		}, domain.ErrInvalid},
		{"CompleteMultipart part 0", func(ctx context.Context, s fullStore) error {
			_, err := s.CompleteMultipart(ctx, "k", "id", []domain.PartRef{{Number: 0, ETag: `"a"`}})
			return err
		}, domain.ErrInvalid},
		{"CompleteMultipart part past MaxParts", func(ctx context.Context, s fullStore) error {
			_, err := s.CompleteMultipart(ctx, "k", "id", []domain.PartRef{{Number: domain.MaxParts + 1, ETag: `"a"`}})
			return err
		}, domain.ErrInvalid},
		{"ListMultipart hostile prefix", func(ctx context.Context, s fullStore) error {
			_, err := s.ListMultipart(ctx, "a//", "", "", 10)
			return err
		}, domain.ErrInvalid},
		{"ListMultipart hostile afterKey", func(ctx context.Context, s fullStore) error {
			_, err := s.ListMultipart(ctx, "", "../x", "id", 10)
			return err
		}, domain.ErrInvalid},
		{"ListMultipart limit 0", func(ctx context.Context, s fullStore) error {
			_, err := s.ListMultipart(ctx, "", "", "", 0)
			return err
		}, domain.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inner := &recordingStore{}
			err := tc.call(t.Context(), checkedFull(t, inner))
			var de *domain.Error
			if !errors.Is(err, tc.kind) || !errors.As(err, &de) {
				t.Errorf("got error %v, want a domain error matching %v", err, tc.kind)
			}
			if len(inner.calls) != 0 {
				t.Errorf("the store got %v, want no call", inner.calls)
			}
		})
	}
}

// TestCheckedStorePassesValidCalls checks that the arguments at the edge
// of the contract reach the store.
func TestCheckedStorePassesValidCalls(t *testing.T) {
	t.Parallel()
	inner := &recordingStore{}
	s := checkedFull(t, inner)
	ctx := t.Context()
	longest := strings.Repeat("k", application.MaxBlobKeyBytes)
	calls := []error{
		func() error { _, err := s.Put(ctx, longest, strings.NewReader("x"), ""); return err }(),
		func() error { _, _, err := s.Open(ctx, "k", application.Range{Offset: 0, Length: -5}); return err }(),
		func() error { _, err := s.List(ctx, "dir/mid", "dir/", 1); return err }(),
		func() error {
			_, err := s.PartURL(ctx, "k", "id", domain.MaxParts, domain.MaxPartBytes, time.Second)
			return err
		}(),
		func() error {
			_, err := s.CompleteMultipart(ctx, "k", "id", []domain.PartRef{{Number: 1}, {Number: domain.MaxParts}})
			return err
		}(),
		func() error { _, err := s.ListMultipart(ctx, "", "", "", 1); return err }(),
	}
	for i, err := range calls {
		if err != nil {
			t.Errorf("call %d: got error %v, want nil", i, err)
		}
	}
	want := "Put Open List PartURL CompleteMultipart ListMultipart"
	if got := strings.Join(inner.calls, " "); got != want {
		t.Errorf("calls reaching the store: got %q, want %q", got, want)
	}
}

// TestCheckedStoreSpellsErrorsOnce checks the one spelling of a store's
// errors, whatever the adapter said.
func TestCheckedStoreSpellsErrorsOnce(t *testing.T) {
	t.Parallel()
	vendor := errors.New("vendor: connection reset")
	conflict := domain.Errorf(domain.ErrExists, "blob_key_conflict", "The file store holds an object that conflicts with this key.")
	canonical := application.StoreUnavailable(vendor)
	full := application.InsufficientStorage(errors.New("localfs: put: no space left on device"))
	tests := []struct {
		name     string
		err      error
		upload   bool // a MultipartStore method
		wantKind error
		wantCode string
		same     bool // returned as it is
	}{
		{"kindless error", vendor, false, domain.ErrUnavailable, application.CodeStoreUnavailable, false},
		{"bare unavailable", fmt.Errorf("memory: %w: %w", domain.ErrUnavailable, vendor), false,
			domain.ErrUnavailable, application.CodeStoreUnavailable, false},
		{"unavailable of another code", domain.Wrap(domain.ErrUnavailable, "backend_down", "Down.", vendor), false,
			domain.ErrUnavailable, application.CodeStoreUnavailable, false},
		{"already store_unavailable", canonical, false, domain.ErrUnavailable, application.CodeStoreUnavailable, true},
		{"bare not found", fmt.Errorf("localfs: stat: %w", domain.ErrNotFound), false,
			domain.ErrNotFound, application.CodeBlobNotFound, false},
		{"not found of another code", domain.Errorf(domain.ErrNotFound, "no_such_blob", "No such blob."), false,
			domain.ErrNotFound, application.CodeBlobNotFound, false},
		{"upload not found", fmt.Errorf("spaces: %w", domain.ErrNotFound), true,
			domain.ErrNotFound, application.CodeUploadNotFound, false},
		{"other kinds pass", conflict, false, domain.ErrExists, "blob_key_conflict", true},
		{"a full disk passes", full, false, domain.ErrUnavailable, application.CodeInsufficientStorage, true},
		{"a full disk of a multipart upload passes", full, true,
			domain.ErrUnavailable, application.CodeInsufficientStorage, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inner := &recordingStore{err: tc.err}
			s := checkedFull(t, inner)
			var err error
			if tc.upload {
				_, err = s.ListParts(t.Context(), "k", "id")
			} else {
				_, err = s.Stat(t.Context(), "k")
			}
			var de *domain.Error
			if !errors.Is(err, tc.wantKind) || !errors.As(err, &de) || de.Code != tc.wantCode {
				t.Fatalf("got error %v, want kind %v with code %q", err, tc.wantKind, tc.wantCode)
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("got error %v, want it to wrap the store's %v", err, tc.err)
			}
			if got := err == tc.err; got != tc.same {
				t.Errorf("returned as it is: got %v, want %v", got, tc.same)
			}
			if strings.Count(err.Error(), de.Message) != 1 {
				t.Errorf("got %q, want the message %q once", err, de.Message)
			}
		})
	}
	t.Run("health check", func(t *testing.T) {
		t.Parallel()
		s := checkedFull(t, &recordingStore{err: vendor})
		if err := s.Check(t.Context()); !errors.Is(err, vendor) || codeOf(err) != application.CodeStoreUnavailable {
			t.Errorf("Check: got %v (code %q), want store_unavailable wrapping the cause", err, codeOf(err))
		}
	})
}

// TestCheckedStoreLeavesReaderErrors checks that a failing body is not
// taken for a failing store.
func TestCheckedStoreLeavesReaderErrors(t *testing.T) {
	t.Parallel()
	s := checkedFull(t, &recordingStore{})
	readErr := errors.New("client went away")
	_, err := s.Put(t.Context(), "k", io.MultiReader(strings.NewReader("x"), errReader{readErr}), "")
	if !errors.Is(err, readErr) || errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("Put: got %v, want the reader's error, not unavailable", err)
	}
	_, err = s.ReceivePart(t.Context(), url.Values{}, errReader{readErr})
	if !errors.Is(err, readErr) || errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("ReceivePart: got %v, want the reader's error, not unavailable", err)
	}
}

// TestCheckedStoreKeepsCapabilities checks that the checked store has
// exactly the optional capabilities of the store it wraps.
func TestCheckedStoreKeepsCapabilities(t *testing.T) {
	t.Parallel()
	r := &recordingStore{}
	type (
		bs = application.BlobStore
		mp = application.MultipartStore
		pr = application.PartReceiver
		hc = application.HealthChecker
	)
	stores := map[string]application.BlobStore{
		"blobs only": struct{ bs }{r},
		"health": struct {
			bs
			hc
		}{r, r},
		"multipart": struct {
			bs
			mp
		}{r, r},
		"multipart health": struct {
			bs
			mp
			hc
		}{r, r, r},
		"multipart receiver": struct {
			bs
			mp
			pr
		}{r, r, r},
		"receiver": struct {
			bs
			pr
		}{r, r},
		"receiver health": struct {
			bs
			pr
			hc
		}{r, r, r},
		"all":    r,
		"nested": application.CheckedStore(r),
	}
	for name, inner := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := application.CheckedStore(inner)
			for _, c := range []struct {
				name string
				has  func(any) bool
			}{
				{"MultipartStore", func(v any) bool { _, ok := v.(mp); return ok }},
				{"PartReceiver", func(v any) bool { _, ok := v.(pr); return ok }},
				{"HealthChecker", func(v any) bool { _, ok := v.(hc); return ok }},
			} {
				if got, want := c.has(s), c.has(inner); got != want {
					t.Errorf("%s: got %v, want %v as on the wrapped store", c.name, got, want)
				}
			}
			if _, _, err := s.Open(t.Context(), "..", application.Whole); !errors.Is(err, domain.ErrInvalid) {
				t.Errorf("Open(..): got %v, want the checked store's refusal", err)
			}
		})
	}
	if s := application.CheckedStore(r); application.CheckedStore(s) != s {
		t.Errorf("CheckedStore of a CheckedStore: got a new wrapper, want it unchanged")
	}
}

func codeOf(err error) string {
	var de *domain.Error
	if errors.As(err, &de) {
		return de.Code
	}
	return ""
}
