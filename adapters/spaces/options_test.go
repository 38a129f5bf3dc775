package spaces

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"storagegw/application"
	"storagegw/domain"
)

// validOptions are Options New accepts; no server is contacted.
func validOptions() Options {
	return Options{Endpoint: "nyc3.digitaloceanspaces.com", Bucket: "files", AccessKey: "AK", SecretKey: "SK"}
}

func TestNewValidatesOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		edit    func(*Options)
		wantErr string // substring naming the setting; "" = accepted
	}{
		{"valid", func(*Options) {}, ""},
		{"https URL", func(o *Options) { o.Endpoint = "https://nyc3.digitaloceanspaces.com" }, ""},
		{"http URL", func(o *Options) { o.Endpoint = "http://127.0.0.1:9000/" }, ""},
		{"no endpoint", func(o *Options) { o.Endpoint = "" }, "SPACES_ENDPOINT is required"},
		{"no bucket", func(o *Options) { o.Bucket = "" }, "SPACES_BUCKET is required"},
		{"no access key", func(o *Options) { o.AccessKey = "" }, "SPACES_ACCESS_KEY is required"},
		{"no secret key", func(o *Options) { o.SecretKey = "" }, "SPACES_SECRET_KEY is required"},
		{"endpoint with path", func(o *Options) { o.Endpoint = "https://host/bucket" }, "SPACES_ENDPOINT"},
		{"endpoint with other scheme", func(o *Options) { o.Endpoint = "ftp://host" }, "SPACES_ENDPOINT"},
		{"host with path", func(o *Options) { o.Endpoint = "host/bucket" }, "SPACES_ENDPOINT"},
		{"CDN with path", func(o *Options) { o.CDNEndpoint = "https://cdn.example.com/x" }, "SPACES_CDN_ENDPOINT"},
		{"CDN without scheme", func(o *Options) { o.CDNEndpoint = "cdn.example.com" }, "SPACES_CDN_ENDPOINT"},
		{"part too small", func(o *Options) { o.PartSize = MinPartSize - 1 }, "part size"},
		{"part too large", func(o *Options) { o.PartSize = MaxPartSize + 1 }, "part size"},
		{"negative timeout", func(o *Options) { o.RequestTimeout = -time.Second }, "timeouts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := validOptions()
			tc.edit(&o)
			_, err := New(o)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("New: got error %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("New: got error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestNewResolvesDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		endpoint, region, wantRegion    string
		insecure, wantSecure, wantPaths bool
	}{
		{"nyc3.digitaloceanspaces.com", "", "nyc3", false, true, false},
		{"https://fra1.digitaloceanspaces.com", "", "fra1", true, true, false},
		{"http://127.0.0.1:9000", "", DefaultRegion, false, false, true},
		{"127.0.0.1:9000", "", DefaultRegion, true, false, true},
		{"10.0.0.7", "", DefaultRegion, true, false, true},
		{"http://[::1]:9000", "", DefaultRegion, false, false, true},
		{"localhost:9000", "", DefaultRegion, true, false, true},
		{"minio.localhost", "", DefaultRegion, true, false, true},
		{"s3.example.com", "eu-west-3", "eu-west-3", false, true, false},
		{"localhost.example.com", "", DefaultRegion, false, true, false},
	}
	for _, tc := range tests {
		o := validOptions()
		o.Endpoint, o.Region, o.Insecure = tc.endpoint, tc.region, tc.insecure
		got, _, secure, _, err := o.resolve()
		if err != nil {
			t.Fatalf("resolve(%q): %v", tc.endpoint, err)
		}
		if got.Region != tc.wantRegion || secure != tc.wantSecure || got.PathStyle != tc.wantPaths {
			t.Errorf("resolve(%q, insecure %t): got region %q, TLS %t, path-style %t, want %q, %t, %t",
				tc.endpoint, tc.insecure, got.Region, secure, got.PathStyle, tc.wantRegion, tc.wantSecure, tc.wantPaths)
		}
		if got.PartSize != DefaultPartSize || got.RequestTimeout != DefaultRequestTimeout ||
			got.OperationTimeout != DefaultOperationTimeout {
			t.Errorf("resolve(%q): got part size %d, timeouts %v/%v, want the defaults",
				tc.endpoint, got.PartSize, got.RequestTimeout, got.OperationTimeout)
		}
	}
}

func TestStoreErrorTranslation(t *testing.T) {
	t.Parallel()
	resp := func(code string, status int) error {
		return fmt.Errorf("wrapped: %w", minio.ErrorResponse{Code: code, StatusCode: status})
	}
	tests := []struct {
		err      error
		wantKind error
		wantCode string
		wantHint string
	}{
		{resp("NoSuchKey", 404), domain.ErrNotFound, "", ""}, // spelled by the checked store
		{resp("", 404), domain.ErrNotFound, "", ""},
		{resp("NoSuchUpload", 404), domain.ErrNotFound, "", ""},
		{resp("InvalidRange", 416), domain.ErrInvalid, "invalid_range", ""},
		{resp("KeyTooLong", 400), domain.ErrInvalid, "invalid_blob_key", ""},
		{resp("ObjectParentIsFile", 409), domain.ErrExists, "blob_key_conflict", ""},
		{resp("XMinioParentIsObject", 400), domain.ErrExists, "blob_key_conflict", ""},
		{resp("NoSuchBucket", 404), domain.ErrUnavailable, "store_unavailable", "SPACES_BUCKET"},
		{resp("AccessDenied", 403), domain.ErrUnavailable, "store_unavailable", "SPACES_SECRET_KEY"},
		{resp("SignatureDoesNotMatch", 403), domain.ErrUnavailable, "store_unavailable", "SPACES_SECRET_KEY"},
		{resp("InvalidAccessKeyId", 403), domain.ErrUnavailable, "store_unavailable", "SPACES_ACCESS_KEY"},
		{resp("InternalError", 500), domain.ErrUnavailable, "store_unavailable", ""},
		{resp("SlowDown", 503), domain.ErrUnavailable, "store_unavailable", ""},
		{&url.Error{Op: "Get", URL: "http://x", Err: &net.OpError{Op: "dial", Err: errors.New("refused")}},
			domain.ErrUnavailable, "store_unavailable", "SPACES_ENDPOINT"},
		{resp("XAdminUserNotFound", 404), domain.ErrUnavailable, "store_unavailable", "SPACES_ACCESS_KEY"},
	}
	for _, tc := range tests {
		err := storeError("stat", "a/b", tc.err)
		var de *domain.Error
		errors.As(err, &de)
		if !errors.Is(err, tc.wantKind) || codeOf(err) != tc.wantCode {
			t.Errorf("storeError(%v): got %v (code %q), want kind %v, code %q", tc.err, err, codeOf(err), tc.wantKind, tc.wantCode)
		}
		if !errors.Is(err, tc.err) {
			t.Errorf("storeError(%v): got %v, want it to wrap the cause", tc.err, err)
		}
		if !strings.Contains(err.Error(), tc.wantHint) || !strings.Contains(err.Error(), `spaces: stat "a/b"`) {
			t.Errorf("storeError(%v): got %q, want the operation, key and %q in it", tc.err, err, tc.wantHint)
		}
		if de != nil && strings.Contains(de.Message, "SPACES_") {
			t.Errorf("storeError(%v): public message %q names a setting, want it in the cause only", tc.err, de.Message)
		}
	}
}

func codeOf(err error) string {
	var de *domain.Error
	if errors.As(err, &de) {
		return de.Code
	}
	return ""
}

// TestRefusedBeforeIO checks that a bad key, range, limit or expiry is
// refused without contacting the (unreachable) store: by the checked
// store in front of the BlobStore methods, by SignURL itself.
func TestRefusedBeforeIO(t *testing.T) {
	t.Parallel()
	o := validOptions()
	o.Endpoint, o.Insecure = "127.0.0.1:1", true
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	checked := application.CheckedStore(s)
	_, _, err = checked.Open(ctx, "k", application.Range{Offset: -1})
	wantKind(t, "Open with a negative offset", err, domain.ErrInvalid)
	_, err = checked.List(ctx, "", "", 0)
	wantKind(t, "List with limit 0", err, domain.ErrInvalid)
	for _, req := range []application.SignRequest{
		{Key: "../x", Expiry: time.Minute},
		{Key: "k", Expiry: 0},
		{Key: "k", Expiry: MaxURLExpiry + time.Second},
		{Key: "k", Expiry: time.Minute, Disposition: "download"},
	} {
		_, err := s.SignURL(ctx, req)
		wantKind(t, fmt.Sprintf("SignURL(%+v)", req), err, domain.ErrInvalid)
	}
}

func wantKind(t *testing.T, what string, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Errorf("%s: got error %v, want one matching %v", what, err, kind)
	}
}
