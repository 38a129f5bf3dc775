package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"storagegw/adapters/postgres"
	"storagegw/application"
)

// benchmarkChain appends 20,000 events of 10 orgs, then measures sealing
// them all (with their checkpoints) and verifying the result:
//
//	scripts/with-postgres.sh go test ./adapters/postgres -run '^$' -bench Chain -benchtime 1x
func benchmarkChain(b *testing.B, newDB func(testing.TB) *postgres.DB) {
	const events = 20000
	for b.Loop() {
		b.StopTimer()
		f := newChainFixture(b, newDB(b))
		base := time.Now().Add(-time.Hour)
		for i := range events {
			f.event(b, fmt.Sprintf("org-%d", i%10), base.Add(time.Duration(i)*time.Millisecond))
		}
		b.StartTimer()
		start := time.Now()
		var linked int64
		for linked < events {
			rep, err := f.app.SealAudit.Run(b.Context(), true)
			if err != nil {
				b.Fatal(err)
			}
			linked += rep.Linked
		}
		sealed := time.Since(start)
		start = time.Now()
		rep, err := f.app.VerifyAudit.Run(b.Context(), application.VerifyAuditCommand{})
		if err != nil || rep.Problem != "" || rep.Events != events {
			b.Fatalf("verify: %+v %v", rep, err)
		}
		b.ReportMetric(float64(events)/sealed.Seconds(), "sealed-events/s")
		b.ReportMetric(float64(events)/time.Since(start).Seconds(), "verified-events/s")
	}
}

func BenchmarkChainSQLite(b *testing.B)   { benchmarkChain(b, newSQLite) }
func BenchmarkChainPostgres(b *testing.B) { benchmarkChain(b, newPostgres) }
