package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"storagegw/application"
)

// Server holds what the HTTP adapter needs: the concrete use cases and the
// logger of the one request middleware.
type Server struct {
	app    *application.Application
	logger *zap.Logger
}

// NewServer builds the HTTP adapter.
func NewServer(app *application.Application, logger *zap.Logger) *Server {
	return &Server{app: app, logger: logger}
}

// Handler returns the router.
func (s *Server) Handler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/healthz", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
	})
	return r
}
