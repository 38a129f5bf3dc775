package httpapi

import (
	"context"

	"github.com/gin-gonic/gin"

	"storagegw/application"
)

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
