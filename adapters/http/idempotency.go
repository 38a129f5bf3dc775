package httpapi

import (
	"encoding/json"
	"net/http"
	"net/textproto"
	"strings"

	"github.com/gin-gonic/gin"

	"storagegw/application"
	"storagegw/domain"
)

// The headers of Idempotency-Keys (IETF draft-ietf-httpapi-idempotency-key-header).
const (
	idempotencyKeyHeader = "Idempotency-Key"
	replayedHeader       = "Idempotent-Replayed"
)

// idempotent is the wrapper that makes a route that creates or changes
// something safe to retry with an Idempotency-Key; covering one more route
// is adding it to that route's handler chain, after admit (and after
// limitUploads for a route that takes a file). action is the audit action
// of the route (the replay's event); headers name the request headers
// that shape the request besides its body (TUS creation's Upload-Length
// and Upload-Metadata, say), which the fingerprint then covers.
//
// A request without the header runs as before. With it, the Idempotency
// use case claims the key (or refuses: 400 invalid_idempotency_key, 409
// idempotency_key_in_progress), the route runs while its body is hashed
// as it streams (fingerprint), and its answer is kept (replayable) or the
// key let go. A retry of a completed key has its whole body read and
// hashed, nothing kept, and gets the first answer with
// Idempotent-Replayed: true, or 422 idempotency_key_reused.
func (s *Server) idempotent(action domain.Action, headers ...string) gin.HandlerFunc {
	for i, h := range headers {
		headers[i] = textproto.CanonicalMIMEHeaderKey(h)
	}
	return func(c *gin.Context) {
		raw := c.Request.Header.Values(idempotencyKeyHeader)
		if len(raw) == 0 {
			c.Next()
			return
		}
		if s.app == nil || s.app.Idempotency == nil {
			writeError(c, errorf(domain.ErrUnavailable, "idempotency_unavailable",
				"This service keeps no Idempotency-Keys; send the request without one."))
			return
		}
		ctx := c.Request.Context()
		start, err := s.app.Idempotency.Begin(ctx, application.BeginIdempotentCommand{Caller: caller(c), Action: action,
			Key: strings.Join(raw, ","), RequestID: c.Writer.Header().Get(requestIDHeader)})
		if err != nil {
			c.Header("Connection", "close") // the body is not read
			writeError(c, err)
			return
		}
		body := newBodyDigest(c, s.opts.MaxJSONBytes)
		if start.Stored != nil {
			s.replay(c, action, start.Stored, body, headers)
			return
		}
		s.runClaimed(c, start.Claim, body, headers)
	}
}

// runClaimed runs the route under a claimed key and keeps its answer when
// it is replayable: a 2xx, or a 4xx that a retry would get again (not 408
// or 429, which invite a retry), given after the request's body was read
// to its end (so its fingerprint is whole). Any other answer (5xx, 503
// included, a refusal before the body was read, a panic) releases the
// key, so a retry runs the request again.
func (s *Server) runClaimed(c *gin.Context, claim *application.IdempotencyClaim, body *bodyDigest, headers []string) {
	done := false
	defer func() {
		if !done {
			claim.Release(c.Request.Context())
		}
	}()
	w := &captureWriter{ResponseWriter: c.Writer}
	c.Writer = w
	// The change the route commits marks the key applied, or stores the
	// answer its handler builds (answerInTx), in its own transaction: a
	// crash before Finish cannot let a retry run it again, and a retry
	// after it gets the first answer. Finish then keeps the answer of a
	// request whose change stored none (a refusal, a route without a
	// builder).
	c.Set(claimedKey, &claimed{claim: claim, body: body, headers: headers})
	c.Request = c.Request.WithContext(application.WithIdempotencyClaim(c.Request.Context(), claim))
	c.Next()
	c.Writer = w.ResponseWriter
	status := c.Writer.Status()
	if !replayable(status) || w.overflow || body.drain(maxFormEpilogue) != nil || !body.complete() {
		return
	}
	done = true
	answer := domain.IdempotentAnswer{Status: status, Header: keptHeaders(c.Writer.Header()), Body: w.body}
	// The answer was given; a failure to keep it is reported by the use case.
	_ = claim.Finish(c.Request.Context(), s.fingerprint(c, body, headers), answer, outcomeOf(w.body))
}

// maxFormEpilogue is what is read of a body after its route stopped
// reading (the end of a form after its closing boundary); a longer rest
// means the route did not read the body, and the answer is not kept.
const maxFormEpilogue = 4 << 10

// replay answers a retry of a completed key: its body is read whole and
// hashed (bounded by the largest upload the service takes, never held),
// and the use case compares and audits.
func (s *Server) replay(c *gin.Context, action domain.Action, stored *domain.IdempotencyRecord, body *bodyDigest, headers []string) {
	bodyErr := body.drain(max(s.maxBody, s.opts.MaxJSONBytes))
	answer, err := s.app.Idempotency.Replay(c.Request.Context(), application.ReplayCommand{Caller: caller(c), Action: action,
		Stored: stored, Fingerprint: s.fingerprint(c, body, headers), RequestID: c.Writer.Header().Get(requestIDHeader),
		BodyErr: bodyErr})
	if err != nil {
		writeError(c, err)
		c.Abort()
		return
	}
	c.Header(replayedHeader, "true")
	writeAnswer(c, answer)
	c.Abort()
}

// fingerprint is the request's fingerprint (docs/DESIGN.md, "Idempotency
// keys"): method, route template, org, user, the query in canonical
// order, the media type, the named headers, and the body's digest.
func (s *Server) fingerprint(c *gin.Context, body *bodyDigest, headers []string) string {
	p := caller(c).Principal
	f := domain.NewRequestFingerprint()
	f.Add("method", c.Request.Method)
	f.Add("route", c.FullPath())
	f.Add("org", p.OrgID)
	f.Add("user", p.UserID)
	f.Add("query", c.Request.URL.Query().Encode())
	f.Add("media_type", body.mediaTyp)
	for _, h := range headers {
		f.Add("header "+h, strings.Join(c.Request.Header.Values(h), ","))
	}
	form, digest := body.sum()
	f.Add("body "+form, digest)
	if !body.complete() {
		return "" // never matches: the body was not read whole
	}
	return f.Sum()
}

// keptHeaders are the answer's headers a replay repeats: the content's
// type and the headers that name what was made (Location, ETag,
// Storage-File-Path, TUS's Upload-* and Tus-*). Per-request headers
// (X-Request-ID, CORS, security headers, Connection) are the replay's own.
func keptHeaders(h http.Header) map[string][]string {
	out := map[string][]string{}
	for k, v := range h {
		switch {
		case k == "Content-Type", k == "Location", k == "Etag", k == "Storage-File-Path",
			strings.HasPrefix(k, "Upload-"), strings.HasPrefix(k, "Tus-"):
			out[k] = append([]string(nil), v...)
		}
	}
	return out
}

// outcomeOf reads, from a JSON answer, the file path it concerns and, for
// an error, its code: what the replay's audit event says.
func outcomeOf(body []byte) domain.IdempotencyOutcome {
	var v struct {
		FilePath string `json:"file_path"`
		Error    struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &v)
	return domain.IdempotencyOutcome{FilePath: v.FilePath, ErrorCode: v.Error.Code}
}
