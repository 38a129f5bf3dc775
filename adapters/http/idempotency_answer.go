package httpapi

import (
	"bytes"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/render"

	"storagegw/application"
	"storagegw/domain"
)

// claimedKey is the gin key of the claimed request (runClaimed), which a
// route's handler hands its answer builder to (answerInTx).
const claimedKey = "storagegw.idempotency.claimed"

// claimed is a request running under a claimed Idempotency-Key: what its
// fingerprint is formed from.
type claimed struct {
	claim   *application.IdempotencyClaim
	body    *bodyDigest
	headers []string
}

// answerBuilder builds a route's success answer from the result its use
// case committed (application.IdempotentRenderer); false for a result it
// does not answer.
type answerBuilder func(result any) (domain.IdempotentAnswer, bool)

// answerInTx makes the change of a request with a claimed key store the
// answer build makes, with the key, in the change's own transaction: a
// crash after the commit still leaves a retry that first answer. The
// handler then gives the same answer (writeAnswer of the same builder):
// first answers and replays come from one encoder. The answer is stored
// only once the request's body was read to its end (the fingerprint is
// then whole); otherwise the key is marked applied and the answer kept
// after the request, as for a route without a builder. Without a claim
// it does nothing. Nothing is read here: the routes read their bodies
// whole before their use case commits (a JSON body at once, a form up
// to its epilogue when its file ends, a TUS body before its last
// change), so a slow client never holds the change's transaction.
func (s *Server) answerInTx(c *gin.Context, build answerBuilder) {
	v, ok := c.Get(claimedKey)
	if !ok {
		return
	}
	cl := v.(*claimed)
	cl.claim.RenderWith(func(result any) (application.IdempotentReply, bool) {
		a, ok := build(result)
		if !ok || !cl.body.complete() {
			return application.IdempotentReply{}, false
		}
		fp := s.fingerprint(c, cl.body, cl.headers)
		return application.IdempotentReply{Fingerprint: fp, Answer: a, Outcome: outcomeOf(a.Body)}, fp != ""
	})
}

// jsonAnswer is the answer status with v as its JSON body, encoded as
// gin's c.JSON encodes it.
func jsonAnswer(status int, v any) domain.IdempotentAnswer {
	var w answerBuffer
	_ = render.JSON{Data: v}.Render(&w) // a body that cannot be encoded is a programming error: empty
	return domain.IdempotentAnswer{Status: status, Header: keptHeaders(w.Header()), Body: w.body.Bytes()}
}

// fileAnswer answers with the committed file's record.
func fileAnswer(status int) answerBuilder {
	return func(result any) (domain.IdempotentAnswer, bool) {
		rec, ok := result.(*domain.FileRecord)
		if !ok || rec == nil {
			return domain.IdempotentAnswer{}, false
		}
		return jsonAnswer(status, recordJSON(rec)), true
	}
}

// writeAnswer gives a, a first answer or a replay.
func writeAnswer(c *gin.Context, a domain.IdempotentAnswer) {
	for k, v := range a.Header {
		c.Writer.Header()[k] = v
	}
	c.Status(a.Status)
	c.Writer.WriteHeaderNow()
	if len(a.Body) > 0 {
		_, _ = c.Writer.Write(a.Body)
	}
}

// answerBuffer is the http.ResponseWriter jsonAnswer renders into.
type answerBuffer struct {
	header http.Header
	body   bytes.Buffer
}

func (w *answerBuffer) Header() http.Header {
	if w.header == nil {
		w.header = http.Header{}
	}
	return w.header
}

func (w *answerBuffer) Write(p []byte) (int, error) { return w.body.Write(p) }

func (w *answerBuffer) WriteHeader(int) {}
