// Package spaces provides a BlobStore on DigitalOcean Spaces or any
// S3-compatible store, through minio-go.
//
// Blobs are objects of one bucket, named by their keys unchanged. Objects
// are written without an ACL header, so they get the bucket's default,
// which on Spaces is private; clients read them only through presigned
// URLs. Encryption at rest is the store's.
package spaces

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"storagegw/application"
)

// Defaults and bounds of Options.
const (
	DefaultPartSize         = 8 << 20
	MinPartSize             = 5 << 20 // S3's smallest part but the last
	MaxPartSize             = 5 << 30 // S3's largest part
	DefaultRequestTimeout   = 10 * time.Second
	DefaultOperationTimeout = 20 * time.Second
	// DefaultRegion signs requests when no region is set or derivable;
	// Spaces and most S3-compatible stores accept it.
	DefaultRegion = "us-east-1"
)

// maxRetries bounds minio-go's retries of one request (its default is
// 10), so that a store that is down fails fast.
const maxRetries = 3

// Options configures a Store; the composition root builds them from the
// SPACES_* settings.
type Options struct {
	// Endpoint is the store's host[:port] ("nyc3.digitaloceanspaces.com"),
	// or an http(s) URL without path, whose scheme then wins over Insecure.
	Endpoint string
	// Region signs requests. Empty: the region of a
	// "<region>.digitaloceanspaces.com" endpoint, else DefaultRegion.
	Region    string
	Bucket    string
	AccessKey string
	SecretKey string
	// CDNEndpoint, when set, is the https URL (no path) of the bucket's CDN
	// (Spaces: https://<bucket>.<region>.cdn.digitaloceanspaces.com, or a
	// custom domain). Signed URLs then point there; see SignURL.
	CDNEndpoint string
	// Insecure talks plain HTTP to an Endpoint given without a scheme.
	// The zero value is TLS (SPACES_USE_SSL=true); only local test servers
	// should set it.
	Insecure bool
	// PathStyle addresses the bucket as endpoint/bucket/key instead of
	// bucket.endpoint/key (needed by servers without wildcard DNS). An
	// Endpoint that is an IP address or localhost gets it regardless:
	// no name resolves there for a virtual-hosted bucket.
	PathStyle bool
	// PartSize is the size of the first 1000 parts of a streamed upload
	// (later ones grow, see partSizeOf); each Put in progress holds two
	// buffers of it (two Puts at a time may take a third, extraSenders).
	// DefaultPartSize when zero, at least MinPartSize. Blobs smaller than
	// it go up in a single PUT.
	PartSize uint64
	// RequestTimeout is how long no byte may move on a request to the
	// store: connecting, the wait for the answer once the request has
	// left, any stall while sending or receiving. A transfer that keeps
	// moving is never cut. DefaultRequestTimeout when zero.
	RequestTimeout time.Duration
	// OperationTimeout is the budget of each operation, retries included:
	// a Stat, Delete, List, Check, a multipart call, each request of a
	// Put, and Open until the response starts. Once it is spent no retry
	// starts and the request under way ends when no byte moved for
	// RequestTimeout (withBudget). DefaultOperationTimeout when zero.
	OperationTimeout time.Duration
}

// Store is an application.BlobStore and application.URLSigner over one
// bucket. It is safe for concurrent use.
type Store struct {
	pathStyle bool
	client    *minio.Client
	core      minio.Core
	presigner *minio.Client // signs URLs: client, or a virtual-host twin for the CDN
	cdn       *url.URL      // nil without a CDN
	bucket    string
	idle      []*http.Transport // closed by Close
	partSize  int64
	// extra holds the tokens of the third part buffer a Put may take to
	// send two parts at once (see putMultipart): a few for the whole
	// store, so one upload goes at the store's speed and many together
	// stay within their two buffers each.
	extra     chan struct{}
	opTimeout time.Duration // each operation's budget, retries included
	stall     time.Duration // the request timeout: the longest a byte may stay unmoved
}

var (
	_ application.BlobStore = (*Store)(nil)
	_ application.URLSigner = (*Store)(nil)
)

// New validates opts and returns a Store. It does not contact the store;
// call Check for that.
func New(opts Options) (*Store, error) {
	o, endpoint, secure, cdn, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	lookup := minio.BucketLookupDNS
	if o.PathStyle {
		lookup = minio.BucketLookupPath
	}
	client, tr, err := newClient(o, endpoint, secure, lookup)
	if err != nil {
		return nil, err
	}
	presigner, idle := client, []*http.Transport{tr}
	if cdn != nil && o.PathStyle {
		// Spaces' CDN forwards only virtual-hosted URLs to the bucket.
		if presigner, tr, err = newClient(o, endpoint, secure, minio.BucketLookupDNS); err != nil {
			return nil, err
		}
		idle = append(idle, tr)
	}
	return &Store{pathStyle: o.PathStyle, client: client, core: minio.Core{Client: client}, presigner: presigner, cdn: cdn, idle: idle,
		bucket: o.Bucket, partSize: int64(o.PartSize), extra: make(chan struct{}, extraSenders),
		opTimeout: o.OperationTimeout, stall: o.RequestTimeout}, nil
}

func newClient(o Options, endpoint string, secure bool, lookup minio.BucketLookupType) (*minio.Client, *http.Transport, error) {
	tr, err := newTransport(secure, o.RequestTimeout)
	if err != nil {
		return nil, nil, fmt.Errorf("spaces: %w", err)
	}
	c, err := minio.New(endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""),
		Secure:       secure,
		Transport:    tr,
		Region:       o.Region,
		BucketLookup: lookup,
		MaxRetries:   maxRetries,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("spaces: SPACES_ENDPOINT %q: %w", endpoint, err)
	}
	c.SetAppInfo("storagegw", "1")
	return c, tr, nil
}

// Close releases idle connections. The Store stays usable.
func (s *Store) Close() {
	for _, tr := range s.idle {
		tr.CloseIdleConnections()
	}
}

// resolve checks opts, fills in defaults and splits Endpoint into a host
// and whether to use TLS. Messages name the setting to fix.
func (opts Options) resolve() (o Options, endpoint string, secure bool, cdn *url.URL, err error) {
	o = opts
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for _, r := range []struct{ name, value string }{{"SPACES_ENDPOINT", o.Endpoint},
		{"SPACES_BUCKET", o.Bucket}, {"SPACES_ACCESS_KEY", o.AccessKey}, {"SPACES_SECRET_KEY", o.SecretKey}} {
		if r.value == "" {
			bad("%s is required", r.name)
		}
	}
	endpoint, secure = o.Endpoint, !o.Insecure
	if scheme, rest, ok := strings.Cut(o.Endpoint, "://"); ok {
		u, perr := url.Parse(o.Endpoint)
		if perr != nil || (scheme != "http" && scheme != "https") || u.Host == "" ||
			strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.User != nil {
			bad("SPACES_ENDPOINT %q is neither host[:port] nor an http(s) URL without path", o.Endpoint)
		}
		endpoint, secure = strings.TrimSuffix(rest, "/"), scheme == "https"
	} else if strings.ContainsAny(o.Endpoint, "/?#@") {
		bad("SPACES_ENDPOINT %q is neither host[:port] nor an http(s) URL without path", o.Endpoint)
	}
	if o.Region == "" {
		o.Region = regionOf(endpoint)
	}
	if isLocalHost(endpoint) {
		o.PathStyle = true
	}
	if o.CDNEndpoint != "" {
		u, perr := url.Parse(o.CDNEndpoint)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.User != nil {
			bad("SPACES_CDN_ENDPOINT %q is not an http(s) URL without path", o.CDNEndpoint)
		} else {
			cdn = &url.URL{Scheme: u.Scheme, Host: u.Host}
		}
	}
	if o.PartSize == 0 {
		o.PartSize = DefaultPartSize
	}
	if o.PartSize < MinPartSize || o.PartSize > MaxPartSize {
		bad("part size %d is outside S3's %d..%d bytes", o.PartSize, MinPartSize, MaxPartSize)
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.OperationTimeout == 0 {
		o.OperationTimeout = DefaultOperationTimeout
	}
	if o.RequestTimeout < 0 || o.OperationTimeout < 0 {
		bad("timeouts must be positive")
	}
	if len(problems) > 0 {
		return o, "", false, nil, fmt.Errorf("spaces: %s", strings.Join(problems, "; "))
	}
	return o, endpoint, secure, cdn, nil
}

// isLocalHost reports whether endpoint (host[:port]) names an IP address
// or localhost, where a virtual-hosted bucket name cannot resolve.
func isLocalHost(endpoint string) bool {
	host := endpoint
	if h, _, err := net.SplitHostPort(endpoint); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	return net.ParseIP(host) != nil || host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// regionOf derives the region from a Spaces endpoint ("nyc3" from
// "nyc3.digitaloceanspaces.com"); any other endpoint gets DefaultRegion.
func regionOf(endpoint string) string {
	host, _, _ := strings.Cut(endpoint, ":")
	if r, ok := strings.CutSuffix(host, ".digitaloceanspaces.com"); ok && r != "" && !strings.Contains(r, ".") {
		return r
	}
	return DefaultRegion
}

// Check tells whether the bucket can be reached with the configured
// credentials, within the operation timeout: the startup and readiness
// check, whose error names the settings to look at. It lists one key
// rather than asking HEAD of the bucket, because a HEAD answer has no body
// to tell a missing bucket from refused credentials (versitygw answers an
// unknown access key with a bare 404).
//
// A failure also says how the bucket is addressed and names
// SPACES_PATH_STYLE: a server without a DNS name per bucket answers a
// virtual-hosted request with a lookup failure or a refusal that names
// neither.
func (s *Store) Check(ctx context.Context) error {
	_, err := s.list(ctx, "", "", 1, 1)
	if err == nil {
		return nil
	}
	if s.pathStyle {
		return fmt.Errorf("%w (bucket addressed path-style, endpoint/%s/key, by SPACES_PATH_STYLE or an IP or localhost SPACES_ENDPOINT)", err, s.bucket)
	}
	return fmt.Errorf("%w (virtual-hosted addressing, %s.endpoint/key: set SPACES_PATH_STYLE=true if the store has no DNS name per bucket)", err, s.bucket)
}
