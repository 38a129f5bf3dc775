package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"storagegw/application"
	"storagegw/domain"
)

// legalHoldJSON is a legal hold in an answer: in the hold routes' answers
// and as a file record's legal_hold.
type legalHoldJSON struct {
	Scope  string `json:"scope"` // relative to the org: a file's path or an object's prefix
	Kind   string `json:"kind"`  // file or object
	Reason string `json:"reason"`
	SetBy  string `json:"set_by"`
	SetAt  string `json:"set_at"`
}

func holdJSON(h *domain.LegalHold) legalHoldJSON {
	return legalHoldJSON{Scope: h.Scope().Relative(), Kind: h.Scope().Kind(), Reason: h.Reason(),
		SetBy: h.SetBy(), SetAt: timeJSON(h.SetAt())}
}

// legalHoldRequest names a hold's scope, a file or an object, and for a
// new hold its reason.
type legalHoldRequest struct {
	FilePath string `json:"file_path"`
	Prefix   string `json:"prefix"`
	Reason   string `json:"reason"`
}

type legalHoldClearRequest struct {
	FilePath string `json:"file_path"`
	Prefix   string `json:"prefix"`
}

type legalHoldListJSON struct {
	Items []legalHoldJSON `json:"items"`
}

// holdAnswer answers with the hold the change committed.
func holdAnswer(status int) answerBuilder {
	return func(result any) (domain.IdempotentAnswer, bool) {
		h, ok := result.(*domain.LegalHold)
		if !ok || h == nil {
			return domain.IdempotentAnswer{}, false
		}
		return jsonAnswer(status, holdJSON(h)), true
	}
}

// setLegalHold is POST /api/storage/legal-holds.
func (s *Server) setLegalHold(c *gin.Context) {
	var req legalHoldRequest
	if err := s.decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	answer := holdAnswer(http.StatusCreated)
	s.answerInTx(c, answer)
	h, err := s.app.SetLegalHold.Handle(c.Request.Context(), application.SetLegalHoldCommand{Caller: caller(c),
		FilePath: req.FilePath, Prefix: req.Prefix, Reason: req.Reason})
	if err != nil {
		writeError(c, err)
		return
	}
	a, _ := answer(h)
	writeAnswer(c, a)
}

// clearLegalHold is POST /api/storage/legal-holds/clear.
func (s *Server) clearLegalHold(c *gin.Context) {
	var req legalHoldClearRequest
	if err := s.decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	answer := holdAnswer(http.StatusOK)
	s.answerInTx(c, answer)
	h, err := s.app.ClearLegalHold.Handle(c.Request.Context(), application.ClearLegalHoldCommand{Caller: caller(c),
		FilePath: req.FilePath, Prefix: req.Prefix})
	if err != nil {
		writeError(c, err)
		return
	}
	a, _ := answer(h)
	writeAnswer(c, a)
}

// listLegalHolds is GET /api/storage/legal-holds.
func (s *Server) listLegalHolds(c *gin.Context) {
	holds, err := s.app.ListLegalHolds.Handle(c.Request.Context(), application.ListLegalHoldsQuery{Caller: caller(c),
		Prefix: c.Query("prefix")})
	if err != nil {
		writeError(c, err)
		return
	}
	out := legalHoldListJSON{Items: make([]legalHoldJSON, 0, len(holds))}
	for _, h := range holds {
		out.Items = append(out.Items, holdJSON(h))
	}
	c.JSON(http.StatusOK, out)
}
