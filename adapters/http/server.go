package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"storagegw/application"
	"storagegw/domain"
)

// TokenVerifier turns the bearer token of a request into the caller it
// names (auth.Verifier). Its errors are domain errors: ErrUnauthenticated
// with code token_missing, token_invalid or token_expired, or
// ErrForbidden for an unknown role.
type TokenVerifier interface {
	Verify(ctx context.Context, raw string) (domain.Principal, error)
}

// Options tune the adapter. The zero value is usable.
type Options struct {
	// TrustedProxies are the addresses or CIDRs whose X-Forwarded-For is
	// believed; empty trusts none, so the client IP is the peer address.
	TrustedProxies []string
	// ContentRules are the upload rules in force (nil: the built-in ones);
	// the adapter derives the backstop on request bodies from them.
	ContentRules map[domain.Kind]domain.ContentRule
	// MultipartOverhead is how many bytes of an upload request may be
	// something other than the file (fields, part headers, boundaries).
	// Default 64 KiB.
	MultipartOverhead int64
	// MaxJSONBytes bounds a JSON request body. Default 64 KiB.
	MaxJSONBytes int64
	// Readiness are the checks of GET /readyz; none means always ready.
	Readiness []ReadinessCheck
	// ReadinessTimeout bounds each readiness check. Default 2s.
	ReadinessTimeout time.Duration
	// Metrics, when set, is served at GET /metrics (unauthenticated). Leave
	// it nil when metrics have a listener of their own.
	Metrics http.Handler
	// Observer hears of requests, uploads and refused tokens (metrics).
	Observer Observer
	// Limits shed load and cut slow bodies; the zero value bounds nothing.
	Limits Limits
	// PublicURL is the service's base URL as clients reach it, which the
	// endpoints of upload capabilities start with (STORAGEGW_PUBLIC_URL).
	PublicURL string
	// CORSOrigins are the origins whose pages may call the service: "*"
	// for any, exact origins ("https://app.example.com"), or origins with
	// one wildcard ("https://*.example.com"); empty allows none (same
	// origin only). See cors.go.
	CORSOrigins []string
}

// Server is the HTTP adapter: the concrete use cases behind Gin routes.
type Server struct {
	app     *application.Application
	tokens  TokenVerifier
	logger  *zap.Logger
	opts    Options
	maxBody int64 // backstop on any upload body
	engine  *gin.Engine
	handler http.Handler // engine wrapped in CORS

	inFlight, uploads gate // see Limits
}

var ginModeOnce sync.Once

// NewServer builds the adapter and its routes. The local signed-URL and
// part routes are served only when app has the Download and ReceivePart
// capabilities (local disk); elsewhere they are no route.
func NewServer(app *application.Application, tokens TokenVerifier, logger *zap.Logger, opts Options) (*Server, error) {
	if opts.ContentRules == nil {
		opts.ContentRules = domain.DefaultContentRules()
	}
	if opts.MultipartOverhead <= 0 {
		opts.MultipartOverhead = 64 << 10
	}
	if opts.MaxJSONBytes <= 0 {
		opts.MaxJSONBytes = 64 << 10
	}
	if opts.ReadinessTimeout <= 0 {
		opts.ReadinessTimeout = 2 * time.Second
	}
	if opts.Observer == nil {
		opts.Observer = nopObserver{}
	}
	if opts.Limits.RetryAfter <= 0 {
		opts.Limits.RetryAfter = time.Second
	}
	if opts.Limits.BodyRateWindow <= 0 {
		opts.Limits.BodyRateWindow = 30 * time.Second
	}
	s := &Server{app: app, tokens: tokens, logger: logger, opts: opts}
	for _, r := range opts.ContentRules {
		s.maxBody = max(s.maxBody, r.MaxBytes)
	}
	s.maxBody += opts.MultipartOverhead

	ginModeOnce.Do(func() { gin.SetMode(gin.ReleaseMode) })
	e := gin.New()
	if err := e.SetTrustedProxies(append([]string{}, opts.TrustedProxies...)); err != nil {
		return nil, fmt.Errorf("httpapi: trusted proxies: %w", err)
	}
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.HandleMethodNotAllowed = true
	// Path parameters are taken as sent, still escaped, so an encoded
	// separator or dot segment reaches the strict path parser as '%…' and
	// is refused instead of being decoded into a different path.
	e.UseEscapedPath = true
	e.UnescapePathValues = false
	s.engine = e
	s.routes()
	s.handler = withCORS(e, opts.CORSOrigins)
	return s, nil
}

// Handler returns the router, wrapped in CORS.
func (s *Server) Handler() http.Handler { return s.handler }

// routes registers every route; each is described in openapi.json.
func (s *Server) routes() {
	e := s.engine
	e.Use(s.requestMiddleware, apiHeaders, s.limitInFlight, s.writeDeadline)
	e.NoRoute(func(c *gin.Context) {
		writeError(c, errorf(domain.ErrNotFound, codeRouteNotFound, "There is no such route."))
	})
	e.NoMethod(func(c *gin.Context) {
		writeError(c, errorf(domain.ErrInvalid, codeMethodNotAllowed, "The route does not take this method."))
	})
	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.GET("/readyz", s.readyz)
	if s.opts.Metrics != nil {
		e.GET("/metrics", gin.WrapH(s.opts.Metrics))
	}

	e.GET("/api/storage/openapi.json", func(c *gin.Context) {
		c.Data(http.StatusOK, "application/json", OpenAPIJSON())
	})
	if s.app != nil && s.app.Download != nil {
		e.GET(blobRoute, s.serveBlob)
	}
	if s.app != nil && s.app.ReceivePart != nil {
		e.PUT(partRoute, s.limitUploads, s.receivePart)
	}
	// Every route with a body admits its caller first (admit), before the
	// body is read and, for uploads, before it takes an upload slot.
	app := s.app
	if app == nil {
		app = &application.Application{}
	}
	api := e.Group("/api/storage", s.authenticate)
	// Every route that creates or changes something takes an
	// Idempotency-Key (s.idempotent, after admit and limitUploads).
	api.POST("/upload", s.admit(app.Upload.Admit), s.limitUploads, s.idempotent(domain.ActionUpload), s.upload)
	api.POST("/receipt-upload", s.admit(app.Upload.Admit), s.limitUploads, s.idempotent(domain.ActionUpload), s.receiptUpload)
	api.POST("/app-zip-upload", s.admit(app.Upload.Admit), s.limitUploads, s.idempotent(domain.ActionUpload), s.appZipUpload)
	api.POST("/signed-url", s.admit(app.SignURL.Admit), s.signURL)
	api.DELETE("/delete", s.admit(app.Delete.Admit), s.idempotent(domain.ActionDelete), s.delete)
	api.POST("/restore", s.admit(app.Restore.Admit), s.idempotent(domain.ActionRestore), s.restore)
	api.POST("/multipart/initiate", s.admit(app.InitiateMultipart.Admit), s.idempotent(domain.ActionMultipartInitiate), s.initiateMultipart)
	api.POST("/multipart/parts", s.admit(app.MultipartPartURLs.Admit), s.multipartPartURLs)
	api.POST("/multipart/complete", s.admit(app.CompleteMultipart.Admit), s.idempotent(domain.ActionUpload), s.completeMultipart)
	api.POST("/multipart/abort", s.admit(app.AbortMultipart.Admit), s.idempotent(domain.ActionMultipartAbort), s.abortMultipart)
	api.GET("/multipart/uploaded-parts", s.uploadedParts)
	if app.IssueUploadCapability != nil {
		api.POST("/upload-capabilities", s.admit(app.IssueUploadCapability.Admit), s.issueUploadCapability)
	}
	if app.RevokeLinks != nil {
		api.DELETE("/links/:link_id", s.admit(app.RevokeLinks.Admit), s.idempotent(domain.ActionLinkRevoked), s.revokeLink)
		api.POST("/links/revoke", s.admit(app.RevokeLinks.Admit), s.idempotent(domain.ActionLinkRevoked), s.revokeFileLinks)
		api.GET("/links", s.listLinks)
	}
	if app.SetLegalHold != nil {
		api.POST("/legal-holds", s.admit(app.SetLegalHold.Admit), s.idempotent(domain.ActionLegalHoldSet), s.setLegalHold)
		api.POST("/legal-holds/clear", s.admit(app.ClearLegalHold.Admit), s.idempotent(domain.ActionLegalHoldCleared), s.clearLegalHold)
		api.GET("/legal-holds", s.listLegalHolds)
	}
	s.companionRoutes(e)
	api.GET("/metadata/*file_path", s.metadata)
	api.HEAD("/metadata/*file_path", s.exists)
	api.GET(metadataQueryRoute, s.metadata)
	api.HEAD(metadataQueryRoute, s.exists)
	api.GET("/files", s.list)
	api.GET("/audit-logs", s.auditLogs)
	api.GET("/audit-logs/checkpoint", s.auditCheckpoint)
	api.GET("/usage", s.usage)
	s.versionRoutes(api, app)
	s.tusRoutes(e, api)
}
