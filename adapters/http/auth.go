package httpapi

import (
	"context"
	"strings"

	"github.com/gin-gonic/gin"

	"storagegw/application"
	"storagegw/domain"
)

// ctxKeyPrincipal holds the verified caller of an authenticated request.
const ctxKeyPrincipal = "storagegw.principal"

// authenticate admits a request only with a valid bearer token. A refused
// token ends the request before any use case, so it is logged (with its
// error code) but not audited: it names no one trustworthy.
func (s *Server) authenticate(c *gin.Context) {
	raw, err := bearerToken(c.GetHeader("Authorization"))
	if err == nil {
		var p domain.Principal
		if p, err = s.tokens.Verify(c.Request.Context(), raw); err == nil {
			c.Set(ctxKeyPrincipal, p)
			c.Set(ctxKeyUser, p.UserID)
			c.Set(ctxKeyOrg, p.OrgID)
			c.Set(ctxKeyRole, string(p.Role))
			c.Next()
			return
		}
	}
	code, _ := domain.PublicMessage(err)
	s.opts.Observer.RefusedToken(code)
	writeError(c, err)
}

// bearerToken extracts the token of an "Authorization: Bearer <token>"
// header. An absent header yields "" (which the verifier reports as
// token_missing); another scheme is token_invalid.
func bearerToken(header string) (string, error) {
	header = strings.TrimSpace(header)
	if header == "" || strings.EqualFold(header, "Bearer") {
		return "", nil
	}
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", errorf(domain.ErrUnauthenticated, "token_invalid",
			"Send the access token as Authorization: Bearer <token>.")
	}
	return strings.TrimSpace(token), nil
}

// caller is who is asking: the verified principal, the client IP (from
// X-Forwarded-For only when the peer is a trusted proxy) and User-Agent.
func caller(c *gin.Context) application.Caller {
	p, _ := c.MustGet(ctxKeyPrincipal).(domain.Principal)
	return application.Caller{Principal: p, IP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
}

// admit runs a use case's admission (its Admit method) on the caller of
// the token, before any byte of the request's body is read: nothing the
// caller sends is read before it is allowed. A refusal (403, audited by
// the use case as the request's one event) closes the connection, so the
// unread body is never drained either; a client that sent
// "Expect: 100-continue" never sends it.
func (s *Server) admit(check func(context.Context, application.Caller) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := check(c.Request.Context(), caller(c)); err != nil {
			c.Header("Connection", "close")
			writeError(c, err)
			return
		}
		c.Next()
	}
}
