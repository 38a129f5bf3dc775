package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"storagegw/application"
)

// blobRoute serves the URLs the local-disk signer issues (localfs.BlobURLPath).
const blobRoute = "/api/storage/blob"

// serveBlob is GET /api/storage/blob?t=…: the file behind a locally
// signed URL. No bearer token: the URL's opaque token is the credential.
// The URL answers 404 once the file is deleted or overwritten, 410 once
// its link is revoked or used up. A gateway link (a store that presigns)
// answers 302 to a store URL presigned for at most 60 s.
func (s *Server) serveBlob(c *gin.Context) {
	res, err := s.app.Download.Handle(c.Request.Context(), application.DownloadQuery{
		Query: c.Request.URL.Query(), Range: requestedRange(c.Request),
		IP: c.ClientIP(), UserAgent: c.Request.UserAgent(),
	})
	if err != nil {
		writeError(c, err)
		return
	}
	if res.Redirect != "" { // a gateway link: the store serves the bytes
		c.Header("Cache-Control", "no-store")
		c.Header("Referrer-Policy", "no-referrer")
		c.Redirect(http.StatusFound, res.Redirect)
		return
	}
	defer res.Body.Close()
	h := c.Writer.Header()
	h.Set("Content-Type", res.ContentType)
	h.Set("Content-Disposition", res.Disposition.Header(res.Filename))
	h.Set("X-Content-Type-Options", "nosniff")
	if !strings.EqualFold(res.ContentType, "application/pdf") { // browsers' PDF viewers refuse a sandbox
		// Whatever a stored file is, it runs no script and loads nothing
		// on this origin, even if a browser renders it.
		h.Set("Content-Security-Policy", blobCSP)
	}
	h.Set("Cache-Control", "private, no-store")
	h.Set("Accept-Ranges", "bytes")
	h.Set("ETag", etag(res.SHA256))
	h.Set("Last-Modified", res.ModTime.UTC().Format(http.TimeFormat))
	h.Set("Content-Length", strconv.FormatInt(res.Range.Length, 10))
	status := http.StatusOK
	if res.Partial {
		status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", res.Range.Offset, res.Range.Offset+res.Range.Length-1, res.Size))
	}
	c.Status(status)
	s.sendFile(c, res.Body)
}

// blobCSP is the Content-Security-Policy of served files: images and media
// from the file itself, inline styles (browsers' image and text views use
// them), nothing else, in a sandbox (an opaque origin, no script).
const blobCSP = "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox"

func etag(sha string) string { return `"` + sha + `"` }

// requestedRange parses a Range header: one range of bytes (a-b, a- or -n).
// Anything else is ignored and the whole file served, as RFC 9110 allows
// a server to: a malformed header, another unit, several ranges, and any
// conditional range (If-Range), which a resumed download then restarts.
func requestedRange(r *http.Request) *application.ByteRange {
	spec, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes=")
	if !ok || strings.Contains(spec, ",") || r.Header.Get("If-Range") != "" {
		return nil
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return nil
	}
	if first == "" {
		n, err := parseOffset(last)
		if err != nil {
			return nil
		}
		return &application.ByteRange{Start: -1, End: n}
	}
	start, err := parseOffset(first)
	if err != nil {
		return nil
	}
	if last == "" {
		return &application.ByteRange{Start: start, End: -1}
	}
	end, err := parseOffset(last)
	if err != nil || end < start {
		return nil
	}
	return &application.ByteRange{Start: start, End: end}
}

// parseOffset accepts a non-negative decimal of at most 18 digits.
func parseOffset(s string) (int64, error) {
	if s == "" || len(s) > 18 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseInt(s, 10, 64)
}
